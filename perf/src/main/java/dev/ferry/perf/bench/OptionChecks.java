package dev.ferry.perf.bench;

import java.time.Duration;
import picocli.CommandLine;

/** The checks of the bench commands' numeric options, answered as picocli usage errors. */
final class OptionChecks {

    private OptionChecks() {}

    /** {@code value} seconds (or {@code fallback} when not given), > 0 and at most an hour. */
    static Duration seconds(Object command, String option, Double value, double fallback) {
        double s = value == null ? fallback : value;
        if (!(s > 0) || s > 3600) {
            throw new CommandLine.ParameterException(
                    new CommandLine(command), option + ": " + s + " (expected: seconds, > 0 and <= 3600)");
        }
        return Duration.ofNanos((long) (s * 1e9));
    }

    /** {@code value} (or {@code fallback} when not given), at least 1. */
    static int positive(Object command, String option, Integer value, int fallback) {
        int v = value == null ? fallback : value;
        if (v < 1) {
            throw new CommandLine.ParameterException(new CommandLine(command), option + ": " + v + " (expected: >= 1)");
        }
        return v;
    }
}
