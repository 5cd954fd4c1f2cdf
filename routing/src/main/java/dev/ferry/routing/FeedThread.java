package dev.ferry.routing;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The one thread that applies a Redis store's change feed and calls its listeners. Lettuce
 * hands messages over on its Netty event loop, which must never block; this thread may
 * block on Redis (a resync), and while it does, the messages that arrive wait in its queue
 * in order: that queue is the buffer a resync replays.
 *
 * <p>Tasks run in the order they were queued. Between tasks, every {@code tick} interval,
 * it runs the tick (the periodic checks), even when tasks keep coming.
 */
final class FeedThread implements Executor, AutoCloseable {

    private static final Logger LOG = System.getLogger(FeedThread.class.getName());

    private final LinkedBlockingQueue<Runnable> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private final long tickNanos;
    private volatile Runnable tick = () -> {};
    private volatile boolean closed;

    FeedThread(String name, Duration tickInterval) {
        this.tickNanos = tickInterval.toNanos();
        this.thread = new Thread(this::loop, name);
        thread.setDaemon(true);
    }

    /** Starts running queued tasks, and {@code tick} every interval. */
    void start(Runnable tick) {
        this.tick = tick;
        thread.start();
    }

    /** Queues {@code task}; dropped once closed. Never blocks: callers include Netty threads. */
    @Override
    public void execute(Runnable task) {
        if (!closed) {
            queue.add(task);
        }
    }

    /** Whether {@link #close} was called: failures from then on are the closing, not news. */
    boolean isClosed() {
        return closed;
    }

    private void loop() {
        long nextTick = System.nanoTime() + tickNanos;
        while (!closed) {
            Runnable task;
            try {
                long wait = nextTick - System.nanoTime();
                task = wait > 0 ? queue.poll(wait, TimeUnit.NANOSECONDS) : queue.poll();
            } catch (InterruptedException e) {
                break; // close()
            }
            if (task != null) {
                run(task);
            }
            if (!closed && System.nanoTime() - nextTick >= 0) {
                run(tick);
                nextTick = System.nanoTime() + tickNanos;
            }
        }
    }

    private void run(Runnable task) {
        try {
            task.run();
        } catch (Throwable t) {
            if (closed) {
                return; // Redis calls fail as the connections close under them
            }
            // Keep the feed alive whatever one task did; the periodic check repairs the copy.
            LOG.log(Level.WARNING, "Routing change feed task failed", t);
        }
    }

    /** Stops the thread, dropping queued tasks, and waits for it (unless called on it). */
    @Override
    public void close() {
        closed = true;
        queue.clear();
        thread.interrupt();
        if (thread.isAlive() && Thread.currentThread() != thread) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
