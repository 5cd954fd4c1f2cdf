package dev.ferry.routing;

import dev.ferry.request.protocol.FunctionId;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A {@link ContainerLogs.Subscription}: one thread per follower asks its store for the lines
 * after its cursor ({@link #next}, which waits a while for some), filters them by function and
 * hands them to the consumer. The cursor moves past every line the store returns, filtered or
 * not, so a follower never asks for the same line twice; after a failure it asks again from
 * the same cursor, backing off from 50 ms to 2 s.
 */
abstract class LogFollower implements ContainerLogs.Subscription {

    private static final Logger LOG = System.getLogger(ContainerLogs.class.getName());
    private static final long FIRST_BACKOFF_NANOS = Duration.ofMillis(50).toNanos();
    private static final long MAX_BACKOFF_NANOS = Duration.ofSeconds(2).toNanos();
    private static final long JOIN_MILLIS = Duration.ofSeconds(5).toMillis();

    private final String store;
    private final String app;
    private final Optional<String> function;
    private final Consumer<LogLine> each;
    private final Runnable ended;
    private final Thread thread;
    private final CountDownLatch closing = new CountDownLatch(1);
    private final AtomicLong rounds = new AtomicLong();
    private volatile boolean closed;
    /** The id of the last line the store returned; follow thread only. */
    private String cursor;

    /**
     * @param ended run on the follow thread as it ends, however it ends
     */
    LogFollower(
            String store,
            String app,
            Optional<String> function,
            String afterId,
            Consumer<LogLine> each,
            Runnable ended) {
        this.store = store;
        this.app = app;
        this.function = function;
        this.cursor = LogIds.parse("afterId", afterId).toString();
        this.each = each;
        this.ended = ended;
        this.thread = new Thread(this::loop, "ferry-logs-follow-" + app);
        thread.setDaemon(true);
    }

    final void start() {
        thread.start();
    }

    /**
     * What one round brought.
     *
     * @param lines lines of the app, of every function, oldest first
     * @param cursor the id to ask after next time: the last line's, or past entries the store
     *     skipped (malformed ones), so that they are not read again
     */
    record Batch(List<LogLine> lines, String cursor) {
        /** {@code lines}, and a cursor after the last of them, else {@code after}. */
        static Batch of(List<LogLine> lines, String after) {
            return new Batch(lines, lines.isEmpty() ? after : lines.getLast().id());
        }
    }

    /**
     * The lines of the app stored after {@code after}; waits up to the store's idle time for
     * one and returns none if none came. Follow thread only; an interrupt (from {@link #close})
     * ends it with any exception.
     */
    protected abstract Batch next(String after) throws Exception;

    /** Lets go of what the follower holds (a connection); on the follow thread, as it ends. */
    protected void release() {}

    /** How many times {@link #next} has answered, lines or none: tests see a follower ride out idle waits. */
    final long rounds() {
        return rounds.get();
    }

    private void loop() {
        long backoff = 0;
        try {
            while (!closed) {
                Batch batch;
                try {
                    batch = next(cursor);
                } catch (Exception e) {
                    if (closed) {
                        break;
                    }
                    if (backoff == 0) {
                        LOG.log(
                                Level.WARNING,
                                "Following the logs of " + app + " in " + store + " failed; trying again: "
                                        + RedisClients.reason(e));
                    }
                    backoff = backoff == 0 ? FIRST_BACKOFF_NANOS : Math.min(backoff * 2, MAX_BACKOFF_NANOS);
                    if (closing.await(backoff, TimeUnit.NANOSECONDS)) {
                        break;
                    }
                    continue;
                }
                if (backoff != 0) {
                    backoff = 0;
                    LOG.log(Level.INFO, "Following the logs of " + app + " in " + store + " again");
                }
                rounds.incrementAndGet();
                for (LogLine line : batch.lines()) {
                    if (closed) {
                        break;
                    }
                    cursor = line.id();
                    if (function.isEmpty() || function.get().equals(line.function())) {
                        each.accept(line);
                    }
                }
                if (!closed) {
                    cursor = batch.cursor();
                }
            }
        } catch (InterruptedException e) {
            // close()
        } catch (RuntimeException e) {
            if (!closed) {
                LOG.log(Level.DEBUG, "A follower of the logs of " + app + " ended: its consumer threw", e);
            }
        } finally {
            closed = true;
            Thread.interrupted(); // close()'s interrupt has done its work; releasing must not see it
            try {
                release();
            } finally {
                ended.run();
            }
        }
    }

    @Override
    public final void close() {
        closed = true;
        closing.countDown();
        if (Thread.currentThread() == thread) {
            return;
        }
        thread.interrupt();
        try {
            thread.join(JOIN_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        // The names were checked when the follower was asked for (ContainerLogs#follow).
        return "LogFollower["
                + function.map(f -> FunctionId.of(app, f).toString()).orElse(app) + " in " + store + "]";
    }
}
