package dev.ferry.perf.bench;

/**
 * One measurement of one target in one round. Latencies are in microseconds; {@code rate} is
 * the offered arrival rate of an open-loop run (0 for closed-loop ones), {@code throughput}
 * what was completed per second.
 */
record Measurement(
        String section,
        String protocol,
        String level,
        double rate,
        String target,
        int round,
        double throughput,
        long count,
        long errors,
        double p50,
        double p90,
        double p99,
        double p999,
        double max) {

    static Measurement of(
            String section,
            String protocol,
            String level,
            double rate,
            String target,
            int round,
            double throughput,
            Latencies latencies) {
        return new Measurement(
                section,
                protocol,
                level,
                rate,
                target,
                round,
                throughput,
                latencies.count(),
                latencies.errors(),
                latencies.percentileMicros(50),
                latencies.percentileMicros(90),
                latencies.percentileMicros(99),
                latencies.percentileMicros(99.9),
                latencies.maxMicros());
    }

    /** What the rounds of one measure share: section, protocol and level. */
    String measure() {
        return section + '|' + protocol + '|' + level;
    }
}
