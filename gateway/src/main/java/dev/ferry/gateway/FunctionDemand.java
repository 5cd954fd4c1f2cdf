package dev.ferry.gateway;

import java.time.Instant;

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
 */
public record FunctionDemand(String function, String version, int inFlight, int queued, int readyContainers,
                             Instant lastActive) {}
