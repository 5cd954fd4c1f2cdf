package dev.ferry.autoscaler;

import dev.ferry.request.protocol.VersionKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Replays calls, not a concurrency shape: calls arrive at a steady rate for a while, each runs
 * for a service time in a slot of a ready container ({@code maxInputs} slots each) or waits,
 * first come first served, at the gateway. Containers become ready {@code coldStart} after the
 * decision that started them; stopping is immediate. The autoscaler sees what a controller
 * would, every {@link #TICK}: calls in flight + queued, the queue, and the containers with
 * their phase and calls. So a backlog builds up during a cold start exactly as in front of a
 * real gateway. A decision that names a busy container to stop fails the simulation.
 */
final class QueueSimulation {

    static final Instant T0 = Simulation.T0;
    /** The controller's tick. */
    static final Duration TICK = Duration.ofMillis(250);

    private static final VersionKey KEY = VersionKey.parse("examples--slow@v1");

    private static final class Container {
        final String id;
        final Instant startedAt;
        final Instant readyAt;
        final List<Instant> calls = new ArrayList<>(); // when each call in flight ends

        Container(String id, Instant startedAt, Instant readyAt) {
            this.id = id;
            this.startedAt = startedAt;
            this.readyAt = readyAt;
        }
    }

    /** A call waiting at the gateway: when it arrived, how long it runs once it has a slot. */
    private record Call(Instant arrived, Duration service) {}

    private final Autoscaler autoscaler = Autoscaler.create();
    private final AutoscalerSettings settings;
    private final Duration coldStart;
    private final List<Container> pool = new ArrayList<>();
    private final ArrayDeque<Call> queue = new ArrayDeque<>();
    private int nextId;
    private Instant now = T0;
    private double due; // calls due so far, fractional

    /** Containers (starting + ready) after each tick's decision. */
    final List<Integer> counts = new ArrayList<>();

    final List<Decision> decisions = new ArrayList<>();
    /** Calls answered, and when the last was. */
    int answered;

    Instant lastAnswer = T0;
    /** The longest any call waited in the queue. */
    Duration longestWait = Duration.ZERO;

    QueueSimulation(AutoscalerSettings settings, Duration coldStart) {
        this.settings = settings;
        this.coldStart = coldStart;
    }

    /**
     * Runs for {@code duration}, {@code perSecond} calls arriving each second (evenly spread),
     * each lasting {@code service} once it has a slot.
     */
    QueueSimulation calls(Duration duration, double perSecond, Duration service) {
        Instant end = now.plus(duration);
        while (now.isBefore(end)) {
            due += perSecond * TICK.toMillis() / 1000.0;
            step(service);
        }
        return this;
    }

    /** Runs for {@code duration} with no new calls. */
    QueueSimulation quiet(Duration duration) {
        return calls(duration, 0, Duration.ZERO);
    }

    private void step(Duration service) {
        for (; due >= 1; due--) {
            queue.addLast(new Call(now, service));
        }
        for (Container c : pool) {
            for (Iterator<Instant> it = c.calls.iterator(); it.hasNext(); ) {
                Instant end = it.next();
                if (!end.isAfter(now)) {
                    it.remove();
                    answered++;
                    lastAnswer = end.isAfter(lastAnswer) ? end : lastAnswer;
                }
            }
        }
        // Least loaded ready container first, as the gateway spreads calls.
        while (!queue.isEmpty()) {
            Container free = pool.stream()
                    .filter(c -> !c.readyAt.isAfter(now) && c.calls.size() < settings.maxInputs())
                    .min((a, b) -> Integer.compare(a.calls.size(), b.calls.size()))
                    .orElse(null);
            if (free == null) {
                break;
            }
            Call call = queue.removeFirst();
            Duration waited = Duration.between(call.arrived(), now);
            longestWait = waited.compareTo(longestWait) > 0 ? waited : longestWait;
            free.calls.add(now.plus(call.service()));
        }

        List<ContainerLoad> loads = new ArrayList<>();
        int inFlight = 0;
        for (Container c : pool) {
            inFlight += c.calls.size();
            loads.add(
                    c.readyAt.isAfter(now)
                            ? ContainerLoad.starting(c.id, c.startedAt)
                            : ContainerLoad.ready(c.id, c.calls.size(), c.startedAt));
        }
        Decision d =
                autoscaler.decide(KEY, settings, new Observation(now, inFlight + queue.size(), loads, queue.size()));
        for (String id : d.toStop()) {
            Container c = pool.stream().filter(x -> x.id.equals(id)).findFirst().orElseThrow();
            if (!c.calls.isEmpty()) {
                throw new AssertionError(now + ": stopped busy " + id + " for " + d);
            }
            pool.remove(c);
        }
        for (int i = 0; i < d.toStart(); i++) {
            pool.add(new Container("c" + nextId++, now, now.plus(coldStart)));
        }
        counts.add(pool.size());
        decisions.add(d);
        now = now.plus(TICK);
    }

    /** The most containers (starting + ready) at once. */
    int most() {
        return counts.stream().max(Integer::compare).orElse(0);
    }

    /** Containers after the decision at {@code t} since the start. */
    int countAt(Duration t) {
        return counts.get((int) (t.toMillis() / TICK.toMillis()));
    }

    /** The decision at {@code t} since the start. */
    Decision decisionAt(Duration t) {
        return decisions.get((int) (t.toMillis() / TICK.toMillis()));
    }

    /** Calls waiting now. */
    int queued() {
        return queue.size();
    }
}
