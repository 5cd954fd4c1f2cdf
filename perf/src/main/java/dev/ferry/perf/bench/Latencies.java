package dev.ferry.perf.bench;

import org.HdrHistogram.Histogram;

/**
 * Latencies of one measurement in microseconds, in an HdrHistogram (1 µs to 60 s, three
 * significant digits), with the count of failures beside them. Not thread-safe: one
 * recorder per event loop, merged at the end.
 */
final class Latencies {

    static final long HIGHEST_MICROS = 60_000_000L;

    private final Histogram histogram = new Histogram(1, HIGHEST_MICROS, 3);
    private long errors;

    /**
     * Records a request that was meant to start at {@code intendedStartNanos} and completed at
     * {@code completedNanos}: the latency a user would have seen, waiting included.
     */
    void record(long intendedStartNanos, long completedNanos) {
        long micros = Math.max(1, (completedNanos - intendedStartNanos) / 1_000);
        histogram.recordValue(Math.min(micros, HIGHEST_MICROS));
    }

    void error() {
        errors++;
    }

    long count() {
        return histogram.getTotalCount();
    }

    long errors() {
        return errors;
    }

    /** The latency at {@code percentile} (0-100), in microseconds. */
    long percentileMicros(double percentile) {
        return histogram.getValueAtPercentile(percentile);
    }

    long maxMicros() {
        return histogram.getMaxValue();
    }

    Histogram histogram() {
        return histogram;
    }

    /** Adds everything {@code other} recorded. */
    void add(Latencies other) {
        histogram.add(other.histogram);
        errors += other.errors;
    }
}
