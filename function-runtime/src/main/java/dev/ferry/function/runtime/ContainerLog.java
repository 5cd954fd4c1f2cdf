package dev.ferry.function.runtime;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * The container's own log lines, on standard error (the worker tags them with the
 * container id). Thread-safe: each entry is printed with one call.
 */
final class ContainerLog {

    private final PrintStream err;

    ContainerLog(PrintStream err) {
        this.err = err;
    }

    void info(String message) {
        err.println("ferry: " + message);
    }

    void error(String callId, String message, Throwable t) {
        StringWriter trace = new StringWriter();
        t.printStackTrace(new PrintWriter(trace));
        err.print("ferry: call " + callId + ": " + message + ": " + trace);
        err.flush();
    }
}
