package dev.ferry.worker;

import dev.ferry.request.protocol.FunctionId;
import dev.ferry.routing.ContainerLogs;
import dev.ferry.routing.LogLine;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The worker's {@link ContainerLogSink}: passes every line on to another sink (the console, as
 * before) and ships it, tagged with its container and this worker, to the {@link ContainerLogs}
 * that {@code ferry logs} reads.
 *
 * <p>{@link #line} never blocks: it only offers the line to a bounded queue (10,000 lines),
 * which a thread of its own ({@code ferry-log-shipper-<worker>}) drains in batches of up to 500
 * lines into the store. When the queue is full (the store is slower than the containers) or the
 * store is unreachable, lines are dropped and counted ({@link #dropped()}); one warning says so
 * when the dropping starts, and one line when lines reach the store again, with how many were
 * lost. Thread-safe.
 */
public final class ShippedLogs implements ContainerLogSink, AutoCloseable {

    private static final System.Logger logger = System.getLogger(ShippedLogs.class.getName());

    /** How many lines wait for the store, at most. */
    static final int QUEUE = 10_000;
    /** The most lines shipped in one append. */
    static final int BATCH = 500;
    /** How long {@link #close} waits for the lines already queued to reach the store. */
    private static final Duration DRAIN = Duration.ofSeconds(5);
    /** Put in the queue by {@link #close}: wakes the shipper, which then drains and ends. */
    private static final LogLine END = LogLine.of(Instant.EPOCH, "end", "end", "", "", LogLine.STDOUT, "");

    private final ContainerLogs logs;
    private final String worker;
    private final ContainerLogSink tee;
    private final Clock clock;
    private final int queueSize;
    private final ArrayBlockingQueue<LogLine> queue;
    private final Thread thread;
    private final AtomicLong dropped = new AtomicLong();
    /** Whether lines are being dropped: from the first drop to the next append that goes through. */
    private final AtomicBoolean dropping = new AtomicBoolean();
    /** {@link #dropped} when the dropping began. */
    private final AtomicLong droppedBefore = new AtomicLong();

    private volatile boolean closed;

    /** Ships to {@code logs} the lines of the containers of worker {@code worker}, passing each on to {@code tee} first. */
    public ShippedLogs(ContainerLogs logs, String worker, ContainerLogSink tee) {
        this(logs, worker, tee, Clock.systemUTC(), QUEUE);
    }

    ShippedLogs(ContainerLogs logs, String worker, ContainerLogSink tee, Clock clock, int queueSize) {
        if (queueSize <= 0) {
            throw new IllegalArgumentException("queueSize: " + queueSize + " (expected: > 0)");
        }
        this.logs = Objects.requireNonNull(logs, "logs");
        this.worker = Objects.requireNonNull(worker, "worker");
        this.tee = Objects.requireNonNull(tee, "tee");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.queueSize = queueSize;
        this.queue = new ArrayBlockingQueue<>(queueSize);
        this.thread = new Thread(this::shipAll, "ferry-log-shipper-" + worker);
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void line(Container container, Source source, String line) {
        try {
            tee.line(container, source, line);
        } finally {
            ship(container.function(), container.id(), source, line);
        }
    }

    /**
     * Queues {@code text}, written by container {@code containerId} of {@code function} on
     * {@code source}; never blocks.
     */
    void ship(FunctionId function, String containerId, Source source, String text) {
        if (closed) {
            return;
        }
        LogLine line = LogLine.of(
                clock.instant(),
                function.app().value(),
                function.name(),
                containerId,
                worker,
                source == Source.STDOUT ? LogLine.STDOUT : LogLine.STDERR,
                text);
        if (!queue.offer(line)) {
            drop(1, "the queue of " + queueSize + " lines waiting for it is full");
        }
    }

    /** How many lines wait in the queue now. */
    int queued() {
        return queue.size();
    }

    /** How many lines were dropped, since this sink was made. */
    long dropped() {
        return dropped.get();
    }

    private void shipAll() {
        List<LogLine> batch = new ArrayList<>(BATCH);
        while (true) {
            LogLine first;
            try {
                first = closed ? queue.poll() : queue.take();
            } catch (InterruptedException e) {
                return; // close() gave up waiting
            }
            if (first == null) {
                return; // closed and drained
            }
            if (first != END) {
                batch.add(first);
            }
            queue.drainTo(batch, BATCH - batch.size());
            batch.removeIf(line -> line == END);
            if (!batch.isEmpty()) {
                ship(batch);
                batch.clear();
            }
        }
    }

    private void ship(List<LogLine> batch) {
        try {
            logs.append(List.copyOf(batch));
        } catch (RuntimeException e) { // StoreUnavailableException, mostly
            drop(batch.size(), e.getMessage());
            return;
        }
        if (dropping.compareAndSet(true, false)) {
            long lost = dropped.get() - droppedBefore.get();
            logger.log(
                    System.Logger.Level.INFO,
                    "Container output of worker " + worker + " reaches " + logs.describe() + " again; " + lost + " line"
                            + (lost == 1 ? " was" : "s were") + " dropped meanwhile");
        }
    }

    private void drop(int lines, String reason) {
        long before = dropped.getAndAdd(lines);
        if (dropping.compareAndSet(false, true)) {
            droppedBefore.set(before);
            logger.log(
                    System.Logger.Level.WARNING,
                    "Container output of worker " + worker + " is not reaching "
                            + logs.describe() + ": " + reason
                            + "; dropping lines until it does (ferry logs will miss them; "
                            + "the console still has them)");
        }
    }

    /**
     * Stops taking lines and waits, up to 5 s, for those already queued to reach the store. The
     * sink it tees to goes on getting lines; the store is the caller's to close, afterwards.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        queue.offer(END); // when full, the shipper is busy and sees closed once it has drained
        try {
            thread.join(DRAIN.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        thread.interrupt();
    }
}
