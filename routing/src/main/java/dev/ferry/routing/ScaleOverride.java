package dev.ferry.routing;

import dev.ferry.request.protocol.FunctionId;
import dev.ferry.request.protocol.VersionKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * An operator's change to how one deployed function version scales ({@code ferry scale}),
 * made without a redeploy. Each setting is null where the deployed one stands. It belongs to
 * one version, so the next deploy (a new version) starts from its own settings again.
 *
 * @param function the function
 * @param version the app version it applies to
 * @param minContainers containers kept even when idle, or null
 * @param maxContainers the most containers at once (0 for no limit), or null
 * @param bufferContainers idle containers kept in reserve while active, or null
 * @param targetInputs inputs per container to aim for, or null
 * @param scaledownWindow how long demand must stay low before containers stop, or null
 * @param setAt when it was last changed
 */
public record ScaleOverride(
        FunctionId function,
        String version,
        Integer minContainers,
        Integer maxContainers,
        Integer bufferContainers,
        Integer targetInputs,
        Duration scaledownWindow,
        Instant setAt) {

    public ScaleOverride {
        Objects.requireNonNull(function, "function");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(setAt, "setAt");
        checkNotNegative("minContainers", minContainers);
        checkNotNegative("maxContainers", maxContainers);
        checkNotNegative("bufferContainers", bufferContainers);
        if (targetInputs != null && targetInputs <= 0) {
            throw new IllegalArgumentException("targetInputs: " + targetInputs + " (expected: > 0)");
        }
        if (scaledownWindow != null && (scaledownWindow.isNegative() || scaledownWindow.isZero())) {
            throw new IllegalArgumentException("scaledownWindow: " + scaledownWindow + " (expected: > 0)");
        }
    }

    /** No change yet for function version {@code key}. */
    public static ScaleOverride none(VersionKey key, Instant at) {
        return new ScaleOverride(key.function(), key.version(), null, null, null, null, null, at);
    }

    /** This override with {@code other}'s settings laid over it: what {@code other} leaves null stays. */
    public ScaleOverride with(ScaleOverride other) {
        return new ScaleOverride(
                function,
                version,
                other.minContainers != null ? other.minContainers : minContainers,
                other.maxContainers != null ? other.maxContainers : maxContainers,
                other.bufferContainers != null ? other.bufferContainers : bufferContainers,
                other.targetInputs != null ? other.targetInputs : targetInputs,
                other.scaledownWindow != null ? other.scaledownWindow : scaledownWindow,
                other.setAt);
    }

    /** The key the store keeps it under: its function version, {@code <app>--<function>@<version>}. */
    public VersionKey key() {
        return VersionKey.of(function, version);
    }

    private static void checkNotNegative(String what, Integer value) {
        if (value != null && value < 0) {
            throw new IllegalArgumentException(what + ": " + value + " (expected: >= 0)");
        }
    }
}
