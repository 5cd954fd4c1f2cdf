package dev.ferry.logging;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.function.UnaryOperator;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/**
 * One record, one line: {@code 2026-12-07T00:05:22.123Z WARN  controller  message}. The time
 * is UTC with milliseconds (always three digits, so columns line up), the level is one of
 * {@code ERROR WARN INFO DEBUG TRACE} padded to five, the role is padded to ten. A record's
 * exception follows on the next lines, as {@link Throwable#printStackTrace()} writes it; a
 * message with line breaks of its own keeps them. Thread-safe.
 */
final class OneLineFormatter extends Formatter {

    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    /** Wide enough for every role Ferry names ({@code controller}). */
    static final int ROLE_WIDTH = 10;

    private final UnaryOperator<String> roleOfLogger;

    /** @param roleOfLogger the role a line names, from the name of the logger that logged it ({@code ""} when none) */
    OneLineFormatter(UnaryOperator<String> roleOfLogger) {
        this.roleOfLogger = roleOfLogger;
    }

    @Override
    public String format(LogRecord record) {
        StringBuilder line = new StringBuilder(128);
        TIME.formatTo(record.getInstant(), line);
        line.append(' ');
        padded(line, levelName(record.getLevel()), 5).append(' ');
        String logger = record.getLoggerName();
        padded(line, roleOfLogger.apply(logger == null ? "" : logger), ROLE_WIDTH)
                .append("  ");
        line.append(formatMessage(record)).append(System.lineSeparator());
        if (record.getThrown() != null) {
            StringWriter trace = new StringWriter();
            record.getThrown().printStackTrace(new PrintWriter(trace));
            line.append(trace);
        }
        return line.toString();
    }

    /**
     * The name a line gives {@code level}: System.Logger's names, WARNING shortened to fit;
     * JUL's CONFIG and FINE are DEBUG, FINER and FINEST TRACE.
     */
    static String levelName(Level level) {
        int value = level.intValue();
        if (value >= Level.SEVERE.intValue()) {
            return "ERROR";
        } else if (value >= Level.WARNING.intValue()) {
            return "WARN";
        } else if (value >= Level.INFO.intValue()) {
            return "INFO";
        } else if (value >= Level.FINE.intValue()) {
            return "DEBUG";
        }
        return "TRACE";
    }

    private static StringBuilder padded(StringBuilder line, String text, int width) {
        line.append(text);
        for (int i = text.length(); i < width; i++) {
            line.append(' ');
        }
        return line;
    }
}
