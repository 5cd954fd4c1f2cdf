package dev.ferry.worker;

import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * A {@link SandboxedProcess} whose started process takes the JVM's signals: it is the JVM
 * ({@link Sandbox#process()}), or it runs the JVM in the foreground and relays signals to it
 * (runc). So a stop is SIGTERM to that process, and a kill takes its tree.
 */
final class ForegroundProcess implements SandboxedProcess {

    private final Process process;
    private final LongSupplier cleanUp;

    private ForegroundProcess(Process process, LongSupplier cleanUp) {
        this.process = Objects.requireNonNull(process, "process");
        this.cleanUp = Objects.requireNonNull(cleanUp, "cleanUp");
    }

    /** {@code process}, with nothing to clean up after it. */
    static ForegroundProcess of(Process process) {
        return new ForegroundProcess(process, () -> 0);
    }

    /** {@code process}, and {@code cleanUp} to run as its {@link #cleanUp()}. */
    static ForegroundProcess of(Process process, LongSupplier cleanUp) {
        return new ForegroundProcess(process, cleanUp);
    }

    @Override
    public Process process() {
        return process;
    }

    @Override
    public void terminate() {
        process.toHandle().destroy();
    }

    @Override
    public long cleanUp() {
        return cleanUp.getAsLong();
    }
}
