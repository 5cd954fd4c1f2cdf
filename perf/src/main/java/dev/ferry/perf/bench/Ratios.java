package dev.ferry.perf.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The arithmetic of the report: medians over rounds, and comparisons with a baseline. */
final class Ratios {

    private Ratios() {}

    /** The median of {@code values} (the mean of the middle two for an even count); NaN for none. */
    static double median(List<Double> values) {
        List<Double> present = new ArrayList<>();
        for (Double v : values) {
            if (v != null && !v.isNaN()) {
                present.add(v);
            }
        }
        if (present.isEmpty()) {
            return Double.NaN;
        }
        Collections.sort(present);
        int n = present.size();
        return n % 2 == 1 ? present.get(n / 2) : (present.get(n / 2 - 1) + present.get(n / 2)) / 2;
    }

    /** {@code value / baseline}; NaN when either is missing or the baseline is not positive. */
    static double ratio(double value, double baseline) {
        if (Double.isNaN(value) || Double.isNaN(baseline) || baseline <= 0) {
            return Double.NaN;
        }
        return value / baseline;
    }

    /** {@code value - baseline}: the latency a hop adds; NaN when either is missing. */
    static double added(double value, double baseline) {
        if (Double.isNaN(value) || Double.isNaN(baseline)) {
            return Double.NaN;
        }
        return value - baseline;
    }

    /** The arrival rates of the latency runs: {@code fractions} of the baseline's saturation throughput. */
    static List<Double> rates(double saturation, List<Double> fractions) {
        if (Double.isNaN(saturation) || saturation <= 0) {
            throw new IllegalArgumentException("baseline saturation: " + saturation + " requests/s (expected: > 0)");
        }
        List<Double> rates = new ArrayList<>();
        for (double f : fractions) {
            if (!(f > 0 && f <= 1)) {
                throw new IllegalArgumentException("load fraction: " + f + " (expected: in (0, 1])");
            }
            rates.add(Math.max(1, Math.floor(saturation * f)));
        }
        return rates;
    }
}
