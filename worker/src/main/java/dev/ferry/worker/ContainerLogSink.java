package dev.ferry.worker;

import java.io.PrintStream;

/**
 * Receives the lines containers write on standard output and standard error.
 *
 * <p>Each container's two streams are read on two threads of their own, so a sink is called
 * concurrently and must be thread-safe. Lines of one stream arrive in order. A sink that
 * blocks stalls that stream and, once the pipe's buffer is full, the container's writes; it
 * never stalls other containers. A sink that throws is logged and the line dropped.
 *
 * <p>Lines have their line terminator removed; a line longer than 64 KiB arrives in pieces.
 * Output is decoded as UTF-8 (the worker starts containers with UTF-8 standard streams). The
 * ready line that proves a container ready is not passed on.
 */
@FunctionalInterface
public interface ContainerLogSink {

    /** Which stream of the container a line came from. */
    enum Source {
        /** The container's standard output. */
        STDOUT,
        /** The container's standard error. */
        STDERR
    }

    /** {@code container} wrote {@code line} on {@code source}. */
    void line(Container container, Source source, String line);

    /**
     * The default sink: prints {@code [<container id>] <line>} to {@link System#out} for
     * standard output and to {@link System#err} for standard error (the streams current at
     * each call).
     */
    static ContainerLogSink console() {
        return (container, source, line) ->
                (source == Source.STDOUT ? System.out : System.err).println(tagged(container, line));
    }

    /** Like {@link #console()}, but to the given streams. */
    static ContainerLogSink printing(PrintStream out, PrintStream err) {
        return (container, source, line) -> (source == Source.STDOUT ? out : err).println(tagged(container, line));
    }

    private static String tagged(Container container, String line) {
        return "[" + container.id() + "] " + line;
    }
}
