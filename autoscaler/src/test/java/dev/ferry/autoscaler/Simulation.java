package dev.ferry.autoscaler;

import dev.ferry.request.protocol.VersionKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntUnaryOperator;

/**
 * Replays a demand shape (concurrency per second) against a simulated pool and records, per
 * second, the containers (starting + ready) after each decision. Containers become ready
 * {@link #STARTUP} after they start; stopping is immediate. The router packs inputs: oldest
 * ready containers first, up to {@code targetInputs} each, then up to {@code maxInputs}; the
 * rest queue. A decision that names a busy container to stop fails the simulation.
 */
final class Simulation {

    static final Instant T0 = Instant.parse("2026-01-01T12:00:00Z");
    static final Duration STARTUP = Duration.ofSeconds(1);
    static final VersionKey KEY = VersionKey.parse("shop--checkout@v3");

    private static final class Container {
        final String id;
        final Instant startedAt;

        Container(String id, Instant startedAt) {
            this.id = id;
            this.startedAt = startedAt;
        }
    }

    private Autoscaler autoscaler = Autoscaler.create();
    private AutoscalerSettings settings;
    private final List<Container> pool = new ArrayList<>();
    private int nextId;
    private int second;
    final List<Integer> counts = new ArrayList<>();
    final List<Integer> demand = new ArrayList<>();
    final List<Decision> decisions = new ArrayList<>();

    Simulation(AutoscalerSettings settings) {
        this.settings = settings;
    }

    /** Adds {@code n} containers that are ready already (started long before). */
    Simulation withReady(int n) {
        for (int i = 0; i < n; i++) {
            pool.add(new Container("c" + nextId++, T0.minusSeconds(3600 - i)));
        }
        return this;
    }

    /** Replaces the autoscaler with a fresh one, as after a restart of the controller. */
    void restartAutoscaler() {
        autoscaler = Autoscaler.create();
    }

    void settings(AutoscalerSettings settings) {
        this.settings = settings;
    }

    /** Runs {@code seconds} more seconds, concurrency given by second since this run began. */
    Simulation run(int seconds, IntUnaryOperator concurrency) {
        for (int i = 0; i < seconds; i++) {
            step(concurrency.applyAsInt(i));
        }
        return this;
    }

    /** Runs {@code seconds} more seconds at a steady concurrency. */
    Simulation run(int seconds, int concurrency) {
        return run(seconds, i -> concurrency);
    }

    Decision step(int concurrency) {
        Instant now = T0.plusSeconds(second++);
        List<ContainerLoad> loads = new ArrayList<>();
        int left = concurrency;
        List<Container> ready = pool.stream()
                .filter(c -> !c.startedAt.plus(STARTUP).isAfter(now))
                .toList();
        int[] inFlight = new int[ready.size()];
        for (int pass = 0; pass < 2; pass++) {
            int cap = pass == 0 ? settings.targetInputs() : settings.maxInputs();
            for (int i = 0; i < ready.size() && left > 0; i++) {
                int add = Math.min(cap - inFlight[i], left);
                inFlight[i] += add;
                left -= add;
            }
        }
        for (Container c : pool) {
            int i = ready.indexOf(c);
            loads.add(
                    i >= 0
                            ? ContainerLoad.ready(c.id, inFlight[i], c.startedAt)
                            : ContainerLoad.starting(c.id, c.startedAt));
        }
        Decision d = autoscaler.decide(KEY, settings, new Observation(now, concurrency, loads));
        for (String id : d.toStop()) {
            ContainerLoad load =
                    loads.stream().filter(l -> l.id().equals(id)).findFirst().orElseThrow();
            if (load.inFlight() > 0) {
                throw new AssertionError("second " + (second - 1) + ": stopped busy " + load + " for " + d);
            }
            pool.removeIf(c -> c.id.equals(id));
        }
        for (int i = 0; i < d.toStart(); i++) {
            pool.add(new Container("c" + nextId++, now));
        }
        counts.add(pool.size());
        demand.add(concurrency);
        decisions.add(d);
        return d;
    }

    /** The container count recorded at second {@code t} of the whole simulation. */
    int countAt(int t) {
        return counts.get(t);
    }

    int seconds() {
        return second;
    }
}
