package dev.ferry.perf.bench;

import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine;

/**
 * A length of time as a bench option writes it: a number with a unit, {@code s}, {@code m} or
 * {@code h} ({@code 45s}, {@code 5m}, {@code 1.5h}), or a bare number of seconds. Longer than 0
 * and at most a day.
 */
final class DurationText implements CommandLine.ITypeConverter<Duration> {

    @Override
    public Duration convert(String value) {
        return parse(value);
    }

    /**
     * {@code text} as a duration.
     *
     * @throws CommandLine.TypeConversionException when it is not a number with an optional unit
     *     s, m or h, or not in (0, 24 h]
     */
    static Duration parse(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        double unit = 1;
        if (t.endsWith("h")) {
            unit = 3600;
        } else if (t.endsWith("m")) {
            unit = 60;
        }
        if (t.endsWith("h") || t.endsWith("m") || t.endsWith("s")) {
            t = t.substring(0, t.length() - 1);
        }
        double seconds;
        try {
            seconds = Double.parseDouble(t) * unit;
        } catch (NumberFormatException e) {
            throw new CommandLine.TypeConversionException(
                    "'" + text + "' (expected: a number with s, m or h, such as 45s, 5m, 1h)");
        }
        if (!(seconds > 0) || seconds > 86_400) {
            throw new CommandLine.TypeConversionException("'" + text + "' (expected: > 0 and <= 24h)");
        }
        return Duration.ofNanos((long) (seconds * 1e9));
    }

    /** {@code d} as the shortest of these forms that says it exactly: 30m, 45s, 1.5s. */
    static String format(Duration d) {
        long ms = d.toMillis();
        if (ms % 3_600_000 == 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0) {
            return ms / 60_000 + "m";
        }
        if (ms % 1000 == 0) {
            return ms / 1000 + "s";
        }
        return ms / 1000.0 + "s";
    }
}
