package dev.ferry.scheduler;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * When a worker that stopped sending heartbeats counts as lost: after {@code misses}
 * heartbeats in a row did not come, i.e. more than {@code interval × misses} after the last
 * one. The controller then {@linkplain Cluster#removeNode removes} it and replaces its
 * containers.
 *
 * @param interval how often workers send a heartbeat, {@code > 0}
 * @param misses heartbeats in a row that may be missed before the worker is lost, {@code >= 1}
 */
public record HeartbeatPolicy(Duration interval, int misses) {

    /** A heartbeat a second; lost after three missed, i.e. more than 3 s of silence. */
    public static final HeartbeatPolicy DEFAULT = new HeartbeatPolicy(Duration.ofSeconds(1), 3);

    public HeartbeatPolicy {
        Objects.requireNonNull(interval, "interval");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("interval: " + interval + " (expected: > 0)");
        }
        if (misses < 1) {
            throw new IllegalArgumentException("misses: " + misses + " (expected: >= 1)");
        }
    }

    /** How long a worker may stay silent: {@code interval × misses}. */
    public Duration timeout() {
        return interval.multipliedBy(misses);
    }

    /** Whether a worker last heard from at {@code lastHeartbeat} is lost at {@code now}: silent for more than {@link #timeout}. */
    public boolean lost(Instant lastHeartbeat, Instant now) {
        return Duration.between(lastHeartbeat, now).compareTo(timeout()) > 0;
    }
}
