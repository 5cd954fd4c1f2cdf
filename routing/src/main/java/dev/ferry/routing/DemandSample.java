package dev.ferry.routing;

import dev.ferry.request.protocol.FunctionId;
import dev.ferry.request.protocol.VersionKey;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What one gateway saw of one function version's demand at one moment. Each gateway
 * reports its own; the controller adds them up. A newer sample from the same gateway for the
 * same function version replaces the older one.
 *
 * @param gateway the reporting gateway's id
 * @param function the function
 * @param version the app version
 * @param inFlight calls running now
 * @param queued requests waiting for a slot
 * @param lastActive when a call last started or ended
 * @param sampledAt when the gateway took the sample
 * @param busy this gateway's calls in flight per container id, for containers with any; the
 *     autoscaler stops only containers no gateway has a call on
 */
public record DemandSample(
        String gateway,
        FunctionId function,
        String version,
        int inFlight,
        int queued,
        Instant lastActive,
        Instant sampledAt,
        Map<String, Integer> busy) {

    public DemandSample {
        Objects.requireNonNull(gateway, "gateway");
        Objects.requireNonNull(function, "function");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(lastActive, "lastActive");
        Objects.requireNonNull(sampledAt, "sampledAt");
        if (inFlight < 0 || queued < 0) {
            throw new IllegalArgumentException(
                    "demand of " + function + ": inFlight " + inFlight + ", queued " + queued + " (expected: >= 0)");
        }
        // Sorted, so equal samples encode to equal text.
        busy = java.util.Collections.unmodifiableMap(new TreeMap<>(busy));
        busy.forEach((container, calls) -> {
            if (calls <= 0) {
                throw new IllegalArgumentException("demand of " + function + ": " + calls + " calls on " + container
                        + " (expected: > 0; idle containers are left out)");
            }
        });
    }

    /** A sample that does not say which containers carry the calls. */
    public DemandSample(
            String gateway,
            FunctionId function,
            String version,
            int inFlight,
            int queued,
            Instant lastActive,
            Instant sampledAt) {
        this(gateway, function, version, inFlight, queued, lastActive, sampledAt, Map.of());
    }

    /** The function version it samples. */
    public VersionKey versionKey() {
        return VersionKey.of(function, version);
    }

    /** The key a newer sample replaces this one under, and the store's field of it: {@code <gateway>|<app>--<function>@<version>}. */
    public String key() {
        return gateway + '|' + versionKey();
    }
}
