package dev.ferry.gateway;

import java.time.Instant;
import java.util.Map;

/**
 * What one gateway sees of one function version's demand: the numbers the autoscaler and
 * the idle reaper act on.
 *
 * @param function the function id
 * @param version the app version
 * @param inFlight calls running now
 * @param queued requests waiting for a slot
 * @param readyContainers containers taking calls in this gateway's view
 * @param lastActive when a call last started or ended
 * @param busy this gateway's calls in flight per container id, only containers with any
 */
public record FunctionDemand(String function, String version, int inFlight, int queued, int readyContainers,
                             Instant lastActive, Map<String, Integer> busy) {

    public FunctionDemand {
        busy = Map.copyOf(busy);
    }

    /** Demand that does not say which containers carry the calls. */
    public FunctionDemand(String function, String version, int inFlight, int queued, int readyContainers, Instant lastActive) {
        this(function, version, inFlight, queued, readyContainers, lastActive, Map.of());
    }
}
