package dev.ferry.routing;

import dev.ferry.request.protocol.FunctionId;
import dev.ferry.request.protocol.VersionKey;
import java.time.Instant;
import java.util.Objects;

/**
 * The autoscaler's latest decision for one function version, as the leading controller wrote
 * it for {@code ferry ls}.
 *
 * @param function the function
 * @param version the app version
 * @param desired the containers (starting and ready) it aims at
 * @param panic whether a burst put it in panic mode
 * @param reason why, in a line, e.g. "burst: 40 in flight + queued, target 4 per container → 10"
 * @param decidedAt when it decided that
 */
public record ScaleStatus(
        FunctionId function, String version, int desired, boolean panic, String reason, Instant decidedAt) {

    public ScaleStatus {
        Objects.requireNonNull(function, "function");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(decidedAt, "decidedAt");
        if (desired < 0) {
            throw new IllegalArgumentException("desired: " + desired + " (expected: >= 0)");
        }
    }

    /** The key the store keeps it under: its function version, {@code <app>--<function>@<version>}. */
    public VersionKey key() {
        return VersionKey.of(function, version);
    }
}
