package dev.ferry.logging;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.logging.Level;

/**
 * The levels a process logs at: one for every logger, then any for single loggers and the
 * loggers below them, written {@code LEVEL[,LOGGER=LEVEL...]}, e.g. {@code DEBUG} or
 * {@code INFO,io.lettuce=DEBUG}. Levels are System.Logger's: {@code ERROR}, {@code WARNING}
 * (or {@code WARN}), {@code INFO}, {@code DEBUG} and {@code TRACE}, in any case.
 *
 * <p>Netty, Lettuce and gRPC ({@link #NOISY}) log at {@code WARNING} (or above, when the level
 * for every logger is above) unless the levels name them: their DEBUG is a flood that a Ferry
 * DEBUG rarely wants.
 *
 * @param all the level of every logger the others do not name
 * @param loggers levels of single loggers by name, in the order given
 */
record LogLevels(Level all, Map<String, Level> loggers) {

    /** The system property that sets the levels; it wins over {@link #ENVIRONMENT}. */
    static final String PROPERTY = "ferry.log.level";

    /** The environment variable that sets the levels when {@link #PROPERTY} is not set. */
    static final String ENVIRONMENT = "FERRY_LOG_LEVEL";

    /** Third-party loggers kept at WARNING unless named. */
    static final List<String> NOISY = List.of("io.netty", "io.lettuce", "io.grpc");

    /** Without {@link #PROPERTY} and {@link #ENVIRONMENT}: INFO. */
    static final LogLevels DEFAULT = new LogLevels(Level.INFO, Map.of());

    private static final String EXPECTED =
            "ERROR, WARNING, INFO, DEBUG or TRACE, then any LOGGER=LEVEL, comma-separated, "
                    + "e.g. INFO,io.lettuce=DEBUG";

    LogLevels {
        loggers = Collections.unmodifiableMap(new LinkedHashMap<>(loggers));
    }

    /**
     * The levels {@code properties} ({@link #PROPERTY}) or else {@code environment}
     * ({@link #ENVIRONMENT}) ask for; {@link #DEFAULT} when neither is set or both are blank.
     *
     * @throws IllegalArgumentException naming the setting and its value, when it is not levels
     */
    static LogLevels configured(UnaryOperator<String> properties, UnaryOperator<String> environment) {
        String property = properties.apply(PROPERTY);
        if (property != null && !property.isBlank()) {
            return parse(PROPERTY, property);
        }
        String variable = environment.apply(ENVIRONMENT);
        if (variable != null && !variable.isBlank()) {
            return parse(ENVIRONMENT, variable);
        }
        return DEFAULT;
    }

    /**
     * Parses {@code spec}; a later item wins over an earlier one for the same logger.
     *
     * @param source where {@code spec} came from, for the error message
     * @throws IllegalArgumentException naming {@code source}, the item that is not a level and what was expected
     */
    static LogLevels parse(String source, String spec) {
        Level all = Level.INFO;
        Map<String, Level> loggers = new LinkedHashMap<>();
        for (String item : spec.split(",", -1)) {
            String trimmed = item.strip();
            int eq = trimmed.indexOf('=');
            Level level =
                    eq < 0 ? level(trimmed) : level(trimmed.substring(eq + 1).strip());
            String logger = eq < 0 ? "" : trimmed.substring(0, eq).strip();
            if (level == null || (eq >= 0 && logger.isEmpty())) {
                String where = spec.strip().equals(trimmed) ? "" : " in \"" + spec + "\"";
                throw new IllegalArgumentException(
                        source + ": \"" + trimmed + "\"" + where + " (expected: " + EXPECTED + ")");
            }
            if (eq < 0) {
                all = level;
            } else {
                loggers.put(logger, level);
            }
        }
        return new LogLevels(all, loggers);
    }

    /**
     * Every level to set, by logger name ({@code ""} for the root): the root's, the
     * {@link #NOISY} loggers' unless named, and the named loggers'.
     */
    Map<String, Level> byLogger() {
        Map<String, Level> levels = new LinkedHashMap<>();
        levels.put("", all);
        Level quiet = all.intValue() > Level.WARNING.intValue() ? all : Level.WARNING;
        NOISY.forEach(name -> levels.put(name, quiet));
        levels.putAll(loggers);
        return levels;
    }

    private static Level level(String name) {
        return switch (name.toUpperCase(Locale.ROOT)) {
            case "ERROR" -> Level.SEVERE;
            case "WARNING", "WARN" -> Level.WARNING;
            case "INFO" -> Level.INFO;
            case "DEBUG" -> Level.FINE;
            case "TRACE" -> Level.FINEST; // System.Logger's TRACE is FINER; slf4j's trace is FINEST
            default -> null;
        };
    }
}
