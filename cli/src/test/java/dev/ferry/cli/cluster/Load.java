package dev.ferry.cli.cluster;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

/**
 * Bounded load: one thread per target, each sending GETs one after another on a keep-alive
 * connection (a new one only when the server closed it or a request failed), until stopped,
 * or its time or request count runs out. Every request's outcome is kept.
 */
final class Load implements AutoCloseable {

    /** Where one thread sends its requests: a gateway's HTTP port and a Host header. */
    record Target(int port, String host, String path) {}

    /**
     * One request's outcome.
     *
     * @param thread which thread sent it
     * @param startNanos when it was sent ({@link System#nanoTime()})
     * @param status the status, or 0 when there was no response
     * @param body the body, or the error when there was no response
     */
    record Outcome(int thread, long startNanos, int status, String body) {
        boolean failed() {
            return status == 0;
        }

        @Override
        public String toString() {
            return "thread " + thread + ": " + (status == 0 ? "no response: " + body : status + " " + body.strip());
        }
    }

    /** A breather between requests, so the load leaves the control plane some CPU. */
    private static final long PAUSE_NANOS = Duration.ofMillis(4).toNanos();

    private final List<Target> targets;
    private final List<List<Outcome>> outcomes = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final long deadline;
    private final int maxRequestsPerThread;
    private volatile boolean stopped;

    private Load(List<Target> targets, Duration maxDuration, int maxRequestsPerThread) {
        this.targets = List.copyOf(targets);
        this.deadline = System.nanoTime() + maxDuration.toNanos();
        this.maxRequestsPerThread = maxRequestsPerThread;
    }

    /** Starts one thread per target; each stops after {@code maxDuration} or {@code maxRequestsPerThread} requests. */
    static Load start(List<Target> targets, Duration maxDuration, int maxRequestsPerThread) {
        Load load = new Load(targets, maxDuration, maxRequestsPerThread);
        for (int i = 0; i < load.targets.size(); i++) {
            load.outcomes.add(new CopyOnWriteArrayList<>());
        }
        for (int i = 0; i < load.targets.size(); i++) {
            int thread = i;
            load.threads.add(Thread.ofPlatform().daemon().name("load-" + i).start(() -> load.run(thread)));
        }
        return load;
    }

    private void run(int thread) {
        Target target = targets.get(thread);
        List<Outcome> mine = outcomes.get(thread);
        RawHttp connection = null;
        try {
            for (int n = 0; n < maxRequestsPerThread && !stopped && System.nanoTime() < deadline; n++) {
                long start = System.nanoTime();
                try {
                    if (connection == null || !connection.open()) {
                        connection = new RawHttp(target.port());
                    }
                    RawHttp.Response response = connection.send(target.host(), target.path());
                    mine.add(new Outcome(thread, start, response.status(), response.body()));
                } catch (IOException | RuntimeException e) {
                    mine.add(new Outcome(thread, start, 0, e.toString()));
                    close(connection);
                    connection = null;
                }
                LockSupport.parkNanos(PAUSE_NANOS);
            }
        } finally {
            close(connection);
        }
    }

    private static void close(RawHttp connection) {
        if (connection != null) {
            try {
                connection.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }

    /** Thread {@code thread}'s outcomes so far, in order. */
    List<Outcome> outcomes(int thread) {
        return List.copyOf(outcomes.get(thread));
    }

    /** Every outcome so far. */
    List<Outcome> all() {
        List<Outcome> all = new ArrayList<>();
        outcomes.forEach(all::addAll);
        return all;
    }

    long count(Predicate<Outcome> which) {
        return all().stream().filter(which).count();
    }

    /** Outcomes that are not a 200 whose body passes {@code expected}. */
    List<Outcome> unexpected(Predicate<String> expected) {
        return all().stream()
                .filter(o -> o.status() != 200 || !expected.test(o.body()))
                .toList();
    }

    int threads() {
        return targets.size();
    }

    boolean running() {
        return threads.stream().anyMatch(Thread::isAlive);
    }

    /** Stops every thread and waits for them (each finishes its request in flight: at most 30 s). */
    void stop() {
        stopped = true;
        for (Thread thread : threads) {
            try {
                thread.join(35_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public void close() {
        stop();
    }

    /** For failure messages: counts by status and the first few unexpected outcomes. */
    String summary(Predicate<String> expected) {
        List<Outcome> all = all();
        List<Outcome> bad = unexpected(expected);
        StringBuilder text = new StringBuilder(all.size() + " requests, " + bad.size() + " unexpected");
        bad.stream().limit(20).forEach(o -> text.append("\n  ").append(o));
        return text.toString();
    }
}
