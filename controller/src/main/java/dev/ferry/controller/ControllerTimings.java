package dev.ferry.controller;

import dev.ferry.scheduler.HeartbeatPolicy;
import java.time.Duration;

/**
 * The controller's timings.
 *
 * @param tick how often the controller renews its lease and reconciles
 * @param lease how long the lease lasts unrenewed: a standby takes over this long after the leader dies
 * @param sampleFreshness how long a gateway's demand sample counts its calls
 * @param heartbeats when a worker whose heartbeats stopped is declared lost (3 missed 1 s beats)
 * @param settle how long a new leader waits before stopping containers or declaring workers
 *     lost, so gateways have reported the calls they carry and workers have beaten
 */
public record ControllerTimings(
        Duration tick, Duration lease, Duration sampleFreshness, HeartbeatPolicy heartbeats, Duration settle) {
    /** One process with the in-memory store: no other controller, gateways report every tick. */
    public static final ControllerTimings DEV = new ControllerTimings(
            Duration.ofMillis(250),
            Duration.ofSeconds(5),
            Duration.ofSeconds(3),
            HeartbeatPolicy.DEFAULT,
            Duration.ZERO);
    /** A cluster: standbys take over within about 5 s. */
    public static final ControllerTimings CLUSTER = new ControllerTimings(
            Duration.ofMillis(250),
            Duration.ofSeconds(5),
            Duration.ofSeconds(3),
            HeartbeatPolicy.DEFAULT,
            Duration.ofSeconds(5));
}
