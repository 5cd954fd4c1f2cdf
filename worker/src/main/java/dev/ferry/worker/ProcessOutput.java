package dev.ferry.worker;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * The reading of a container process's standard output and standard error, line by line, each
 * on a platform daemon thread of its own, for the life of the process. Where the lines go can
 * change while it reads: a pool member's lines go to its pool until it is assigned, and to its
 * container from then on ({@link #sendTo}).
 *
 * <p>Not virtual threads: a read from a process pipe blocks its carrier (the JDK compensates
 * with an extra carrier per blocked read, up to 256), and these reads stay blocked for the life
 * of the container, so two per container would soon use up the virtual-thread scheduler the rest
 * of the JVM shares.
 */
final class ProcessOutput {

    private static final System.Logger logger = System.getLogger(ProcessOutput.class.getName());
    private static final long READER_STACK_BYTES = 256 * 1024;

    private final String name;
    private volatile Consumer<String> stdout;
    private volatile Consumer<String> stderr;
    private final Thread stdoutReader;
    private final Thread stderrReader;

    private ProcessOutput(String name, Process process, Consumer<String> stdout, Consumer<String> stderr) {
        this.name = name;
        this.stdout = stdout;
        this.stderr = stderr;
        this.stdoutReader = startReader("stdout", process.getInputStream(), line -> this.stdout.accept(line));
        this.stderrReader = startReader("stderr", process.getErrorStream(), line -> this.stderr.accept(line));
    }

    /** Starts reading {@code process}'s output; {@code name} names the threads ({@code ferry-<name>-stdout}). */
    static ProcessOutput read(String name, Process process, Consumer<String> stdout, Consumer<String> stderr) {
        return new ProcessOutput(name, process, stdout, stderr);
    }

    /** Sends every line read from now on to these consumers. */
    void sendTo(Consumer<String> stdout, Consumer<String> stderr) {
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /**
     * Waits until both streams have ended, at most {@code wait}: after the process has exited,
     * a child of it that inherited the pipes may still hold them open.
     */
    void awaitEnd(Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        try {
            for (Thread reader : List.of(stdoutReader, stderrReader)) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !reader.join(Duration.ofNanos(left))) {
                    logger.log(
                            System.Logger.Level.DEBUG,
                            name + " exited but its " + reader.getName() + " is still open (held by a child process?)");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Thread startReader(String stream, InputStream in, Consumer<String> onLine) {
        return Thread.ofPlatform()
                .name("ferry-" + name + "-" + stream)
                .daemon()
                .stackSize(READER_STACK_BYTES)
                .start(() -> {
                    try (in) {
                        new OutputLines(OutputLines.MAX_LINE_BYTES, onLine).readAll(in);
                    } catch (IOException e) {
                        logger.log(System.Logger.Level.DEBUG, "reading " + stream + " of " + name, e);
                    }
                });
    }
}
