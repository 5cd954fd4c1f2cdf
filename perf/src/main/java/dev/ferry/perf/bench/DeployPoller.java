package dev.ferry.perf.bench;

import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The deploy row's poller: asks the probe function for its version over one keep-alive
 * connection, a request every {@code intervalMillis} at most (one in flight at a time), until
 * an answer is a 200 carrying the new version's token; a request the gateway holds for the new
 * version's container simply takes longer. Answers other than 200 (and broken connections,
 * which the next request reconnects) are counted. Runs on a thread of its own; the other
 * methods may be called from any thread.
 */
final class DeployPoller implements Runnable {

    /** The longest one request may take: past the gateway's wait for a container. */
    private static final int READ_TIMEOUT_MILLIS = 30_000;

    private final int port;
    private final byte[] request;
    private final String token;
    private final long intervalNanos;
    private final CountDownLatch answered = new CountDownLatch(1);
    private volatile boolean stopped;
    private volatile long answeredAt = -1;
    private final AtomicLong otherAnswers = new AtomicLong();
    private volatile String last = "none";

    /**
     * @param host the Host header that reaches the probe function through the gateway
     * @param token the body the new version answers
     */
    DeployPoller(int port, String host, String token, int intervalMillis) {
        this.port = port;
        this.request = BlockingHttp.get(host, "/");
        this.token = token;
        this.intervalNanos = TimeUnit.MILLISECONDS.toNanos(intervalMillis);
    }

    @Override
    public void run() {
        try (BlockingHttp http = new BlockingHttp(port, READ_TIMEOUT_MILLIS)) {
            while (!stopped) {
                long sent = System.nanoTime();
                try {
                    BlockingHttp.Answer answer = http.fetch(request);
                    long now = System.nanoTime();
                    last = answer.status() + " " + abbreviate(answer.body());
                    if (answer.status() == 200 && answer.body().equals(token)) {
                        answeredAt = now;
                        answered.countDown();
                        return;
                    }
                    if (answer.status() != 200) {
                        otherAnswers.incrementAndGet();
                    }
                } catch (IOException e) {
                    otherAnswers.incrementAndGet();
                    last = e.toString();
                }
                long next = sent + intervalNanos - System.nanoTime();
                if (next > 0) {
                    LockSupport.parkNanos(next);
                }
            }
        } finally {
            answered.countDown();
        }
    }

    /**
     * Blocks until the new version has answered, or the poller stopped, or {@code deadline} (a
     * nanoTime) passed; returns when it answered (a nanoTime), or -1.
     */
    long awaitNewVersion(long deadline) throws InterruptedException {
        answered.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        return answeredAt;
    }

    /** Answers other than 200, and broken connections, so far. */
    long otherAnswers() {
        return otherAnswers.get();
    }

    /** The last answer's status and body (or the last failure), for messages. */
    String last() {
        return last;
    }

    /** Stops polling after the request in flight. */
    void stop() {
        stopped = true;
    }

    private static String abbreviate(String body) {
        String line = body.strip();
        return line.length() > 80 ? line.substring(0, 80) + "..." : line;
    }
}
