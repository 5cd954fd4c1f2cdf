package dev.ferry.worker;

import dev.ferry.request.protocol.ContainerSecret;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A {@link Container} backed by a child process the worker launched into its sandbox: one
 * started for it, or a pool member it was assigned to.
 *
 * <p>Threads: the process's output is read by its {@link ProcessOutput}. Exit handling runs on
 * a short-lived virtual thread; timers run on the worker's timer thread.
 */
final class ContainerProcess implements Container {

    private static final System.Logger logger = System.getLogger(ContainerProcess.class.getName());

    /**
     * How long after the process exits its output may take to reach end of stream, before the
     * exit is reported anyway: a child of the container that inherited the pipes keeps them
     * open.
     */
    static final Duration OUTPUT_AFTER_EXIT = Duration.ofSeconds(5);

    private final String id;
    private final ContainerSpec spec;
    private final int port;
    private final InetSocketAddress address;
    private final String localSocket;
    private final ContainerSecret secret;
    private final Instant startedAt;
    private final SandboxedProcess sandboxed;
    private final Process process;
    private final String readyLine;
    private final Duration startTimeoutAfter;
    private final Duration stopGrace;
    private final ScheduledExecutorService timer;
    private final ContainerLogSink logSink;
    private final StateChanges changes;
    private final ContainerListener listeners;
    private final Consumer<ContainerProcess> unregister;

    private final StderrExcerpt stderr = new StderrExcerpt();
    private final CompletableFuture<Container> ready = new CompletableFuture<>();
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();

    private final Object lock = new Object();
    // guarded by lock
    private ContainerState state = ContainerState.STARTING;
    // guarded by lock; set when EXITED
    private int exitCode;
    // guarded by lock; set when EXITED
    private ContainerExit exitInfo;
    // guarded by lock: why the process may end, as the worker brought it about
    private boolean stopRequested;
    private boolean killRequested;
    private boolean timedOut;
    private boolean killedAfterGrace;
    /** The grace of the stop asked for: the worker's, plus the time its calls may still take. */
    private volatile Duration grace;

    private volatile ScheduledFuture<?> startTimeout;
    private volatile ScheduledFuture<?> forcedKill;
    private ProcessOutput output;
    // read and written by the stdout reader only
    private boolean readyLineSeen;

    ContainerProcess(
            String id,
            ContainerSpec spec,
            InetSocketAddress address,
            String localSocket,
            Instant startedAt,
            SandboxedProcess sandboxed,
            String readyToken,
            ContainerSecret secret,
            Duration startTimeoutAfter,
            Duration stopGrace,
            ScheduledExecutorService timer,
            ContainerLogSink logSink,
            StateChanges changes,
            ContainerListener listeners,
            Consumer<ContainerProcess> unregister) {
        this.id = id;
        this.spec = spec;
        this.port = address.getPort();
        this.address = address;
        this.localSocket = localSocket;
        this.secret = secret;
        this.startedAt = startedAt;
        this.sandboxed = sandboxed;
        this.process = sandboxed.process();
        this.readyLine = ContainerCommand.readyLine(readyToken);
        this.startTimeoutAfter = startTimeoutAfter;
        this.stopGrace = stopGrace;
        this.grace = stopGrace;
        this.timer = timer;
        this.logSink = logSink;
        this.changes = changes;
        this.listeners = listeners;
        this.unregister = unregister;
    }

    /**
     * Announces {@link ContainerState#STARTING} and starts watching the process: its output,
     * its exit and the start timeout. Called once, right after the launch; {@code output} is the
     * process's output, read already (a pool member's) or null to start reading it here.
     */
    void watch(ProcessOutput output) {
        synchronized (lock) {
            changes.queue(() -> listeners.stateChanged(this, ContainerState.STARTING));
        }
        changes.deliver();
        if (output == null) {
            try {
                // Nothing is ever written to a container's stdin; user code reading it sees its end.
                process.getOutputStream().close();
            } catch (IOException e) {
                logger.log(System.Logger.Level.DEBUG, "closing stdin of " + id, e);
            }
            this.output = ProcessOutput.read(id, process, this::stdoutLine, this::stderrLine);
        } else {
            output.sendTo(this::stdoutLine, this::stderrLine);
            this.output = output;
        }
        try {
            startTimeout = timer.schedule(this::startTimedOut, startTimeoutAfter.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // the worker is closing and stops this container anyway
        }
        process.onExit()
                .whenCompleteAsync(
                        (p, e) -> afterExit(),
                        task -> Thread.ofVirtual().name("ferry-" + id + "-exit").start(task));
    }

    /** The start future handed to the caller: cancelling it stops the container. */
    CompletableFuture<Container> startFuture() {
        CompletableFuture<Container> result = ready.copy();
        result.whenComplete((container, e) -> {
            if (result.isCancelled()) {
                stop();
            }
        });
        return result;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public ContainerSpec spec() {
        return spec;
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public InetSocketAddress address() {
        return address;
    }

    @Override
    public String localSocket() {
        return localSocket;
    }

    @Override
    public ContainerSecret secret() {
        return secret;
    }

    @Override
    public long pid() {
        return process.pid();
    }

    @Override
    public ContainerState state() {
        synchronized (lock) {
            return state;
        }
    }

    @Override
    public Instant startedAt() {
        return startedAt;
    }

    @Override
    public OptionalInt exitCode() {
        synchronized (lock) {
            return state == ContainerState.EXITED ? OptionalInt.of(exitCode) : OptionalInt.empty();
        }
    }

    @Override
    public Optional<ContainerExit> exit() {
        synchronized (lock) {
            return Optional.ofNullable(exitInfo);
        }
    }

    @Override
    public CompletableFuture<Integer> stop() {
        return stop(Duration.ZERO);
    }

    @Override
    public CompletableFuture<Integer> stop(Duration drain) {
        if (drain.isNegative()) {
            throw new IllegalArgumentException("drain: " + drain + " (expected: >= 0)");
        }
        ContainerState previous = moveToStopping(EnumSet.of(ContainerState.STARTING, ContainerState.READY), false);
        if (previous != null) {
            changes.deliver();
            if (previous == ContainerState.STARTING) {
                ready.completeExceptionally(ContainerStartException.ofProcess(
                        id, describe() + " was stopped before it was ready", stderr.lines()));
            }
            // The sandbox signals through its handles: Process.destroy() would also close our
            // ends of the output pipes, losing what the container says while it stops.
            sandboxed.terminate();
            grace = stopGrace.plus(drain);
            try {
                forcedKill = timer.schedule(this::killAfterGrace, grace.toNanos(), TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                killAfterGrace();
            }
        }
        return exited();
    }

    @Override
    public CompletableFuture<Integer> kill() {
        synchronized (lock) {
            if (state != ContainerState.EXITED) {
                killRequested = true;
            }
        }
        destroyTree();
        return exited();
    }

    @Override
    public CompletableFuture<Integer> exited() {
        return exit.copy();
    }

    @Override
    public String toString() {
        return "Container[" + id + " " + spec.function() + " pid=" + process.pid() + " port=" + port + " " + state()
                + "]";
    }

    private void stdoutLine(String line) {
        if (!readyLineSeen && line.equals(readyLine)) {
            readyLineSeen = true;
            becameReady();
            return;
        }
        sink(ContainerLogSink.Source.STDOUT, line);
    }

    private void stderrLine(String line) {
        stderr.add(line);
        sink(ContainerLogSink.Source.STDERR, line);
    }

    private void sink(ContainerLogSink.Source source, String line) {
        try {
            logSink.line(this, source, line);
        } catch (RuntimeException e) {
            logger.log(System.Logger.Level.WARNING, "log sink failed on a line of " + id, e);
        }
    }

    private void becameReady() {
        synchronized (lock) {
            if (state != ContainerState.STARTING) {
                return;
            }
            state = ContainerState.READY;
            changes.queue(() -> listeners.stateChanged(this, ContainerState.READY));
        }
        cancel(startTimeout);
        logger.log(
                System.Logger.Level.DEBUG,
                () -> id + " ready "
                        + Duration.between(startedAt, Instant.now()).toMillis() + " ms after its start");
        changes.deliver();
        ready.complete(this);
    }

    private void startTimedOut() {
        if (moveToStopping(EnumSet.of(ContainerState.STARTING), true) == null) {
            return;
        }
        changes.deliver();
        ready.completeExceptionally(ContainerStartException.ofProcess(
                id,
                describe() + " was not ready within " + describe(startTimeoutAfter) + ", so it was killed",
                stderr.lines()));
        destroyTree();
    }

    private void afterExit() {
        int code = process.exitValue();
        // First, while the sandbox still knows: an out-of-memory count disappears with the
        // container's cgroup, and what still runs of the container (holding our pipes) goes.
        long oomKills = cleanUpSandbox();
        output.awaitEnd(OUTPUT_AFTER_EXIT);
        cancel(startTimeout);
        cancel(forcedKill);
        ContainerExit info;
        synchronized (lock) {
            info = exitOf(
                    code,
                    oomKills,
                    spec.limits(),
                    timedOut,
                    startTimeoutAfter,
                    stopRequested,
                    killRequested,
                    killedAfterGrace,
                    grace);
            state = ContainerState.EXITED;
            exitCode = code;
            exitInfo = info;
            changes.queue(() -> listeners.stateChanged(this, ContainerState.EXITED));
        }
        unregister.accept(this);
        changes.deliver();
        if (!ready.isDone()) {
            String how = info.outOfMemory()
                    ? "ran out of memory (limit " + spec.limits().memoryMib() + " MiB)"
                    : "exited with code " + code
                            + (info.signal() != 0 ? " (killed by " + Signals.describe(info.signal()) + ")" : "");
            ready.completeExceptionally(ContainerStartException.ofProcess(
                    id, describe() + " " + how + " before it was ready", stderr.lines()));
        }
        exit.complete(code);
    }

    private long cleanUpSandbox() {
        try {
            return sandboxed.cleanUp();
        } catch (RuntimeException e) {
            logger.log(System.Logger.Level.WARNING, "cleaning up after " + id, e);
            return 0;
        }
    }

    /**
     * How a container ended, from what the worker saw: the exit code, the sandbox's count of
     * out-of-memory kills, and what the worker itself did to it.
     */
    static ContainerExit exitOf(
            int code,
            long oomKills,
            ContainerLimits limits,
            boolean timedOut,
            Duration startTimeout,
            boolean stopRequested,
            boolean killRequested,
            boolean killedAfterGrace,
            Duration stopGrace) {
        int signal = Signals.fromExitCode(code);
        // An OOM kill is SIGKILL; a count with another exit was a child of the container's.
        boolean outOfMemory = oomKills > 0 && signal == Signals.SIGKILL;
        boolean requested = stopRequested || killRequested;
        String how = signal != 0 ? "killed by " + Signals.describe(signal) : "exited with code " + code;
        String reason;
        if (timedOut) {
            reason = "not ready within " + spaced(startTimeout);
        } else if (outOfMemory) {
            reason = limits.memoryMib() > 0
                    ? "out of memory (limit " + limits.memoryMib() + " MiB)"
                    : "out of memory (no limit of its own: the machine ran out)";
        } else if (killRequested) {
            reason = "killed on request";
        } else if (stopRequested) {
            reason = killedAfterGrace
                    ? "stopped (killed after the " + spaced(stopGrace) + " stop grace)"
                    : code == 0 || signal == Signals.SIGTERM ? "stopped" : "stopped (" + how + ")";
        } else {
            reason = how;
        }
        return new ContainerExit(code, signal, outOfMemory, timedOut, requested, reason);
    }

    private void killAfterGrace() {
        synchronized (lock) {
            if (state == ContainerState.EXITED) {
                return;
            }
            killedAfterGrace = true;
        }
        destroyTree();
    }

    /**
     * Moves to STOPPING from one of {@code from}, because it was asked to stop or because its
     * start timed out; returns the state it left, or null if it did not move.
     */
    private ContainerState moveToStopping(Set<ContainerState> from, boolean startTimedOut) {
        synchronized (lock) {
            ContainerState previous = state;
            if (!from.contains(previous)) {
                return null;
            }
            if (startTimedOut) {
                timedOut = true;
            } else {
                stopRequested = true;
            }
            state = ContainerState.STOPPING;
            changes.queue(() -> listeners.stateChanged(this, ContainerState.STOPPING));
            return previous;
        }
    }

    /** SIGKILL to the container and to the processes it started. */
    private void destroyTree() {
        sandboxed.kill();
    }

    private String describe() {
        return "container " + id + " (" + spec.function() + ")";
    }

    /** {@code 60s}, {@code 1.5s}, {@code 250ms}: shorter than {@link Duration#toString()} for messages. */
    static String describe(Duration duration) {
        long millis = duration.toMillis();
        if (millis < 1000) {
            return millis + "ms";
        }
        return BigDecimal.valueOf(millis, 3).stripTrailingZeros().toPlainString() + "s";
    }

    /** {@code 60 s}, {@code 1.5 s}, {@code 250 ms}: as {@link #describe(Duration)}, spaced for exit reasons. */
    static String spaced(Duration duration) {
        String text = describe(duration);
        return text.endsWith("ms") ? text.replace("ms", " ms") : text.replace("s", " s");
    }

    private static void cancel(ScheduledFuture<?> task) {
        if (task != null) {
            task.cancel(false);
        }
    }
}
