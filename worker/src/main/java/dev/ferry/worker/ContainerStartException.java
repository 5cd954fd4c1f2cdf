package dev.ferry.worker;

import java.io.Serial;
import java.util.List;

/**
 * A container did not become ready: its process could not be launched, exited, was stopped
 * or was not ready within the worker's start timeout. The message says which, and ends with
 * the last lines the container wrote on standard error (where it explains why it could not
 * start). The message is for operators and function authors; it may show paths and user code
 * output, so it is not meant for end users of the function.
 */
public final class ContainerStartException extends RuntimeException {

    @Serial
    private static final long serialVersionUID = 1L;

    private final String containerId;
    private final List<String> stderr;

    private ContainerStartException(String containerId, String message, List<String> stderr, Throwable cause) {
        super(message, cause);
        this.containerId = containerId;
        this.stderr = List.copyOf(stderr);
    }

    /** The process ran and failed to become ready; the message ends with its stderr. */
    static ContainerStartException ofProcess(String containerId, String message, List<String> stderr) {
        return new ContainerStartException(containerId, message + describe(stderr), stderr, null);
    }

    /** The process could not be launched at all. */
    static ContainerStartException ofLaunch(String containerId, String message, Throwable cause) {
        return new ContainerStartException(containerId, message, List.of(), cause);
    }

    /** The id of the container that failed to start. */
    public String containerId() {
        return containerId;
    }

    /**
     * What the container wrote on standard error before it failed: its first and last lines
     * when it wrote many (an omitted middle is marked by a line {@code ... N lines omitted ...}).
     */
    public List<String> stderr() {
        return stderr;
    }

    /** {@code ; its stderr:} and the lines, indented, or that there were none. */
    static String describe(List<String> stderr) {
        if (stderr.isEmpty()) {
            return "; it wrote nothing on stderr";
        }
        StringBuilder text = new StringBuilder("; its stderr:");
        for (String line : stderr) {
            text.append("\n    ").append(line);
        }
        return text.toString();
    }
}
