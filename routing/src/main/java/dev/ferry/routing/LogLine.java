package dev.ferry.routing;

import java.time.Instant;
import java.util.Objects;

/**
 * One line a container wrote, as {@link ContainerLogs} keeps it.
 *
 * @param id the store's id of the line, {@code <milliseconds>-<sequence>} like a Redis stream
 *     entry's; ids of one app's lines increase in the order the store took them. Empty in a
 *     line that is not stored yet (see {@link #of}); {@link ContainerLogs#append} assigns it.
 * @param at when the worker read the line from the container
 * @param app the app of the container's function
 * @param function the function's name within its app (not the {@code <app>--<function>} id)
 * @param container the container's id
 * @param worker the id of the worker that runs the container
 * @param stream {@link #STDOUT} or {@link #STDERR}
 * @param text the line, without its terminator
 */
public record LogLine(
        String id,
        Instant at,
        String app,
        String function,
        String container,
        String worker,
        String stream,
        String text) {

    /** The {@link #stream} of a line of standard output. */
    public static final String STDOUT = "stdout";
    /** The {@link #stream} of a line of standard error. */
    public static final String STDERR = "stderr";

    public LogLine {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(app, "app");
        Objects.requireNonNull(function, "function");
        Objects.requireNonNull(container, "container");
        Objects.requireNonNull(worker, "worker");
        Objects.requireNonNull(text, "text");
        if (!STDOUT.equals(stream) && !STDERR.equals(stream)) {
            throw new IllegalArgumentException("stream: " + (stream == null ? null : '"' + stream + '"')
                    + " (expected: \"stdout\" or \"stderr\")");
        }
    }

    /** A line to {@link ContainerLogs#append}: the store gives it its id. */
    public static LogLine of(
            Instant at, String app, String function, String container, String worker, String stream, String text) {
        return new LogLine("", at, app, function, container, worker, stream, text);
    }

    /** This line with the id {@code id}. */
    LogLine withId(String id) {
        return new LogLine(id, at, app, function, container, worker, stream, text);
    }
}
