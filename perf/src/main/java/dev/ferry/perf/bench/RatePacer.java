package dev.ferry.perf.bench;

/**
 * When each request of an open-loop run is meant to start: request {@code i} at
 * {@code start + i / rate}, regardless of when earlier ones finished. Latency is then measured
 * from that intended start, not from the moment the request could actually be sent: a server
 * that stalls makes every request scheduled during the stall wait, and that wait is counted
 * (the correction for coordinated omission that a closed-loop generator would leave out).
 */
final class RatePacer {

    private final long startNanos;
    private final double ratePerSecond;
    private final long count;

    /** {@code ratePerSecond} for {@code durationNanos}, starting at {@code startNanos}. */
    RatePacer(long startNanos, double ratePerSecond, long durationNanos) {
        if (!(ratePerSecond > 0) || Double.isInfinite(ratePerSecond)) {
            throw new IllegalArgumentException("rate: " + ratePerSecond + " (expected: > 0 requests/s)");
        }
        if (durationNanos <= 0) {
            throw new IllegalArgumentException("duration: " + durationNanos + " ns (expected: > 0)");
        }
        this.startNanos = startNanos;
        this.ratePerSecond = ratePerSecond;
        this.count = Math.max(1, (long) Math.floor(ratePerSecond * durationNanos / 1e9));
    }

    /** How many requests the run sends in all. */
    long count() {
        return count;
    }

    /** The intended start of request {@code i} (0-based). */
    long intendedStart(long i) {
        if (i < 0 || i >= count) {
            throw new IndexOutOfBoundsException("request " + i + " (expected: 0.." + (count - 1) + ")");
        }
        return startNanos + (long) (i * 1e9 / ratePerSecond);
    }

    /** How many requests are due by {@code nowNanos}: all those whose intended start has passed. */
    long dueBy(long nowNanos) {
        if (nowNanos < startNanos) {
            return 0;
        }
        long due = (long) Math.floor((nowNanos - startNanos) * ratePerSecond / 1e9) + 1;
        return Math.min(due, count);
    }

    /** The intended end of the run: the start of the last request. */
    long lastStart() {
        return intendedStart(count - 1);
    }
}
