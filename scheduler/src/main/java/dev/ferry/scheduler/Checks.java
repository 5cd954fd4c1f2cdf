package dev.ferry.scheduler;

import java.math.BigDecimal;
import java.util.Objects;

/** The argument checks the value types share, and how CPUs are counted and written. */
final class Checks {

    private Checks() {}

    static void name(String what, String value) {
        Objects.requireNonNull(value, what);
        if (value.isBlank()) {
            throw new IllegalArgumentException(what + ": \"" + value + "\" (expected: not blank)");
        }
    }

    static void cpus(String what, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(what + ": " + value + " (expected: a finite number >= 0)");
        }
    }

    static void memory(String what, long value) {
        if (value < 0) {
            throw new IllegalArgumentException(what + ": " + value + " (expected: >= 0)");
        }
    }

    /**
     * CPUs as thousandths, which the bookkeeping adds and subtracts exactly: sixteen
     * containers of {@code 0.1} CPU then leave exactly {@code 14.4} of 16.
     */
    static long millis(double cpus) {
        return Math.round(cpus * 1000);
    }

    /** Thousandths of a CPU as users write CPUs: {@code 4.0}, {@code 0.25}, {@code 1.5}. */
    static String cpus(long millis) {
        BigDecimal value = BigDecimal.valueOf(millis, 3).stripTrailingZeros();
        return (value.scale() < 1 ? value.setScale(1) : value).toPlainString();
    }
}
