package dev.ferry.worker;

import java.io.IOException;
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
    private final LimitsSetter limits;

    /** Sets a running container's limits; see {@link SandboxedProcess#applyLimits}. */
    interface LimitsSetter {
        void apply(ContainerLimits limits) throws IOException;
    }

    private ForegroundProcess(Process process, LongSupplier cleanUp, LimitsSetter limits) {
        this.process = Objects.requireNonNull(process, "process");
        this.cleanUp = Objects.requireNonNull(cleanUp, "cleanUp");
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    /** {@code process}, with nothing to clean up after it and no limits to set. */
    static ForegroundProcess of(Process process) {
        return new ForegroundProcess(process, () -> 0, l -> {});
    }

    /** {@code process}, with {@code cleanUp} to run as its {@link #cleanUp()} and {@code limits} as its {@link #applyLimits}. */
    static ForegroundProcess of(Process process, LongSupplier cleanUp, LimitsSetter limits) {
        return new ForegroundProcess(process, cleanUp, limits);
    }

    @Override
    public void applyLimits(ContainerLimits limits) throws IOException {
        this.limits.apply(limits);
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
