package dev.ferry.perf.bench;

/**
 * One measurement of one target in one round. Latencies are in microseconds; {@code rate} is
 * the offered arrival rate of an open-loop run (0 for closed-loop ones), {@code throughput}
 * what was completed per second; {@code cpuSeconds} the CPU time the target's processes used
 * during the run and {@code cpuMicrosPerRequest} that per request completed ({@link CpuMeter};
 * NaN both where the run's CPU was not measured).
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
        double max,
        double cpuSeconds,
        double cpuMicrosPerRequest) {

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
                latencies.maxMicros(),
                Double.NaN,
                Double.NaN);
    }

    /** This measurement with the CPU its target used during the run. */
    Measurement withCpu(CpuMeter.Use use) {
        return withCpu(use.seconds(), use.microsPerRequest());
    }

    /** This measurement with {@code seconds} of CPU, {@code microsPerRequest} per request completed. */
    Measurement withCpu(double seconds, double microsPerRequest) {
        return new Measurement(
                section,
                protocol,
                level,
                rate,
                target,
                round,
                throughput,
                count,
                errors,
                p50,
                p90,
                p99,
                p999,
                max,
                seconds,
                microsPerRequest);
    }

    /** What the rounds of one measure share: section, protocol and level. */
    String measure() {
        return section + '|' + protocol + '|' + level;
    }
}
