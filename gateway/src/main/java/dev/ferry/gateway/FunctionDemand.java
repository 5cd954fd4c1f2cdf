package dev.ferry.gateway;

import dev.ferry.request.protocol.FunctionId;
import dev.ferry.request.protocol.VersionKey;
import java.time.Instant;
import java.util.Map;

/**
 * What one gateway sees of one function version's demand: the numbers the autoscaler and
 * the idle reaper act on.
 *
 * @param function the function
 * @param version the app version
 * @param inFlight calls running now
 * @param queued requests waiting for a slot
 * @param readyContainers containers taking calls in this gateway's view
 * @param lastActive when a call last started or ended
 * @param busy this gateway's calls in flight per container id, only containers with any
 */
public record FunctionDemand(
        FunctionId function,
        String version,
        int inFlight,
        int queued,
        int readyContainers,
        Instant lastActive,
        Map<String, Integer> busy) {

    public FunctionDemand {
        busy = Map.copyOf(busy);
    }

    /** Demand that does not say which containers carry the calls. */
    public FunctionDemand(
            FunctionId function, String version, int inFlight, int queued, int readyContainers, Instant lastActive) {
        this(function, version, inFlight, queued, readyContainers, lastActive, Map.of());
    }

    /** The function version it describes: the pool it came from. */
    public VersionKey versionKey() {
        return VersionKey.of(function, version);
    }
}
