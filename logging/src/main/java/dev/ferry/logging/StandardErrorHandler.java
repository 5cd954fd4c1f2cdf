package dev.ferry.logging;

import java.io.PrintStream;
import java.util.logging.ErrorManager;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/**
 * Writes each record to {@link System#err} as the formatter has it, with one {@code print}, so
 * records from concurrent threads never interleave. Unlike JUL's {@code ConsoleHandler}, which
 * keeps the {@code System.err} of its creation, it looks the stream up for every record: a
 * test (or a tool) that swaps {@code System.err} sees the lines logged meanwhile. Takes every
 * level; the loggers' levels decide.
 */
final class StandardErrorHandler extends Handler {

    StandardErrorHandler(Formatter formatter) {
        setFormatter(formatter);
        setLevel(Level.ALL);
    }

    @Override
    public void publish(LogRecord record) {
        if (!isLoggable(record)) {
            return;
        }
        String text;
        try {
            text = getFormatter().format(record);
        } catch (RuntimeException e) {
            reportError(null, e, ErrorManager.FORMAT_FAILURE);
            return;
        }
        PrintStream err = System.err;
        err.print(text);
        err.flush();
    }

    @Override
    public void flush() {
        System.err.flush();
    }

    /** Nothing to release: {@code System.err} is not this handler's to close. */
    @Override
    public void close() {}
}
