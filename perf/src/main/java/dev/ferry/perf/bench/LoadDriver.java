package dev.ferry.perf.bench;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/**
 * Drives load through clients that each live on their own event loop ("lanes"), and merges
 * what they measured. Two shapes:
 * <ul>
 *   <li>closed loop: every slot sends its next request as soon as the last one completes,
 *       for a fixed time — the saturation throughput at that many connections or streams;</li>
 *   <li>open loop: requests start at a fixed arrival rate whatever the server does, and each
 *       latency counts from the request's intended start ({@link RatePacer}); a request due
 *       while every slot is busy waits in a queue, and that wait is part of its latency.</li>
 * </ul>
 */
final class LoadDriver {

    /** How long a closed-loop run or a WebSocket run may take to finish after its deadline. */
    static final Duration DRAIN_LIMIT = Duration.ofSeconds(30);

    private static final long TICK_NANOS = TimeUnit.MICROSECONDS.toNanos(500);

    /** What a run measured: completions per second over its duration, and every latency. */
    record Result(double requestsPerSecond, Latencies latencies) {}

    private LoadDriver() {}

    static Result closedLoop(List<LoadClient> clients, List<EventLoop> loops, Duration duration) throws Exception {
        List<LongConsumer> nothing = new ArrayList<>();
        clients.forEach(c -> nothing.add(completedAt -> {}));
        return closedLoop(clients, loops, duration, nothing);
    }

    /**
     * {@link #closedLoop(List, List, Duration)} that also tells lane {@code i}'s
     * {@code onAnswered.get(i)} the {@link System#nanoTime()} of each of its requests answered
     * with a 200 before the deadline: on that lane's event loop, so each consumer needs no
     * locking of its own (the warm-up row counts answers per time window this way).
     */
    static Result closedLoop(
            List<LoadClient> clients, List<EventLoop> loops, Duration duration, List<LongConsumer> onAnswered)
            throws Exception {
        if (onAnswered.size() != clients.size()) {
            throw new IllegalArgumentException("onAnswered: " + onAnswered.size()
                    + " consumers (expected: one per client, " + clients.size() + ")");
        }
        List<ClosedLane> lanes = new ArrayList<>();
        for (int i = 0; i < clients.size(); i++) {
            lanes.add(new ClosedLane(clients.get(i), loops.get(i), duration.toNanos(), onAnswered.get(i)));
        }
        lanes.forEach(ClosedLane::start);
        Latencies all = new Latencies();
        for (ClosedLane lane : lanes) {
            all.add(lane.done.get(duration.toSeconds() + DRAIN_LIMIT.toSeconds(), TimeUnit.SECONDS));
        }
        return new Result(all.count() / (duration.toNanos() / 1e9), all);
    }

    static Result openLoop(List<LoadClient> clients, List<EventLoop> loops, double rate, Duration duration)
            throws Exception {
        return openLoop(clients, loops, rate, duration, overrunLimit(duration));
    }

    /**
     * {@link #openLoop(List, List, double, Duration)} with {@code overrun} in place of
     * {@link #overrunLimit}: for tests whose point is not that limit, so that a slow machine
     * does not reach it.
     */
    static Result openLoop(
            List<LoadClient> clients, List<EventLoop> loops, double rate, Duration duration, Duration overrun)
            throws Exception {
        List<OpenLane> lanes = new ArrayList<>();
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20); // every lane starts together
        for (int i = 0; i < clients.size(); i++) {
            lanes.add(new OpenLane(
                    clients.get(i),
                    loops.get(i),
                    new RatePacer(start, rate / clients.size(), duration.toNanos()),
                    overrun.toNanos()));
        }
        lanes.forEach(OpenLane::start);
        Latencies all = new Latencies();
        for (OpenLane lane : lanes) {
            all.add(lane.done.get(duration.toSeconds() + overrun.toSeconds() + 10, TimeUnit.SECONDS));
        }
        return new Result(all.count() / (duration.toNanos() / 1e9), all);
    }

    /**
     * How long an open-loop run may go on after its last intended start: a second, or half its
     * duration when that is shorter. A target that cannot keep up at the offered rate builds a
     * queue that would take minutes to drain; what is still unanswered by then counts as
     * failed, so every run is bounded in time (and a full bench in about 13 minutes).
     */
    static Duration overrunLimit(Duration duration) {
        Duration half = duration.dividedBy(2);
        return half.compareTo(Duration.ofSeconds(1)) > 0 ? Duration.ofSeconds(1) : half;
    }

    /** One client's closed loop; all state is touched on its event loop only. */
    private static final class ClosedLane {
        final LoadClient client;
        final EventLoop loop;
        final long durationNanos;
        final LongConsumer onAnswered;
        final Latencies latencies = new Latencies();
        final CompletableFuture<Latencies> done = new CompletableFuture<>();
        long deadline;
        int inFlight;

        ClosedLane(LoadClient client, EventLoop loop, long durationNanos, LongConsumer onAnswered) {
            this.client = client;
            this.loop = loop;
            this.durationNanos = durationNanos;
            this.onAnswered = onAnswered;
        }

        void start() {
            loop.execute(() -> {
                deadline = System.nanoTime() + durationNanos;
                for (int i = 0; i < client.slots(); i++) {
                    if (!send()) {
                        break;
                    }
                }
                if (inFlight == 0) {
                    done.completeExceptionally(new IllegalStateException("no connection could send a request"));
                }
            });
        }

        boolean send() {
            long sent = System.nanoTime();
            boolean accepted = client.trySend(ok -> {
                inFlight--;
                long now = System.nanoTime();
                if (now <= deadline) {
                    if (ok) {
                        latencies.record(sent, now);
                        onAnswered.accept(now);
                    } else {
                        latencies.error();
                    }
                }
                if (now < deadline) {
                    send();
                }
                if (inFlight == 0) {
                    done.complete(latencies);
                }
            });
            if (accepted) {
                inFlight++;
            }
            return accepted;
        }
    }

    /** One client's share of an open-loop run; all state is touched on its event loop only. */
    private static final class OpenLane {
        final LoadClient client;
        final EventLoop loop;
        final RatePacer pacer;
        final Latencies latencies = new Latencies();
        final CompletableFuture<Latencies> done = new CompletableFuture<>();
        /** Intended starts of requests that are due but found no free slot yet. */
        final ArrayDeque<Long> waiting = new ArrayDeque<>();

        long scheduled;
        long finished;
        ScheduledFuture<?> ticker;
        ScheduledFuture<?> limit;

        final long overrunNanos;

        OpenLane(LoadClient client, EventLoop loop, RatePacer pacer, long overrunNanos) {
            this.client = client;
            this.loop = loop;
            this.pacer = pacer;
            this.overrunNanos = overrunNanos;
        }

        void start() {
            loop.execute(() -> {
                ticker = loop.scheduleAtFixedRate(this::tick, 0, TICK_NANOS, TimeUnit.NANOSECONDS);
                long untilLimit = pacer.lastStart() + overrunNanos - System.nanoTime();
                limit = loop.schedule(this::giveUp, untilLimit, TimeUnit.NANOSECONDS);
            });
        }

        private void tick() {
            long due = pacer.dueBy(System.nanoTime());
            while (scheduled < due) {
                waiting.add(pacer.intendedStart(scheduled++));
            }
            dispatchWaiting();
            if (scheduled == pacer.count()) {
                ticker.cancel(false);
            }
        }

        private void dispatchWaiting() {
            while (!waiting.isEmpty()) {
                long intended = waiting.peek();
                if (!client.trySend(ok -> completed(intended, ok))) {
                    return;
                }
                waiting.poll();
            }
        }

        private void completed(long intended, boolean ok) {
            if (done.isDone()) {
                return;
            }
            if (ok) {
                latencies.record(intended, System.nanoTime());
            } else {
                latencies.error();
            }
            finished++;
            dispatchWaiting();
            if (finished == pacer.count()) {
                limit.cancel(false);
                done.complete(latencies);
            }
        }

        /** The target fell so far behind that the run would not end: what is left counts as failed. */
        private void giveUp() {
            ticker.cancel(false);
            for (long i = finished; i < pacer.count(); i++) {
                latencies.error();
            }
            done.complete(latencies);
        }
    }
}
