package dev.ferry.controller;

import dev.ferry.request.protocol.VersionKey;
import dev.ferry.routing.AppDeployment;
import dev.ferry.routing.AppJars;
import dev.ferry.routing.ContainerInfo;
import dev.ferry.routing.DemandSample;
import dev.ferry.routing.DeployedFunction;
import dev.ferry.routing.RoutingListener;
import dev.ferry.routing.RoutingStore;
import dev.ferry.routing.StoreUnavailableException;
import dev.ferry.scheduler.CrashBackoff;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The controller's loop. Only the holder of the store's leader {@link Lease} acts; a second
 * controller is a hot standby that takes over when the lease lapses. Every tick, and the
 * moment a gateway reports a request waiting, the leader:
 * <ul>
 *   <li>autoscales each current function version from the demand all gateways report
 *       ({@link Scaling}, deciding with {@link Autoscaling});</li>
 *   <li>places unplaced containers on workers ({@link Placement});</li>
 *   <li>heals: replaces the containers of a worker whose heartbeats stopped and a container
 *       that died serving, backing off when a version keeps failing ({@link Healing});</li>
 *   <li>retires the containers of a version a redeploy replaced, once idle ({@link Scaling});</li>
 *   <li>after the store lost its data, writes the apps, jars and routes it knew again
 *       ({@link Recovery}).</li>
 * </ul>
 * Everything the controller knows is in the store, so a restarted or standby controller
 * carries on with the containers that run (crash back-off and the autoscaler's history are
 * what it forgets; the autoscaler then scales down nothing for a scaledown window).
 * All work runs on the controller's own thread, the store's changes included; the clock is
 * injected.
 */
final class Controller implements RoutingListener, AutoCloseable {

    private static final System.Logger logger = System.getLogger(Controller.class.getName());

    /**
     * How old a demand sample gets before the leader deletes it: far past the freshness (3 s)
     * a sample counts its calls for, so only samples no live gateway renews go.
     */
    static final Duration DEMAND_EXPIRY = Duration.ofMinutes(1);

    /** How often the leader looks for expired demand samples. */
    static final Duration DEMAND_PRUNE_EVERY = Duration.ofSeconds(10);

    private final RoutingStore store;
    private final String id;
    private final Clock clock;
    private final ControllerTimings timings;
    private final ScheduledExecutorService thread;
    private final Lease lease;
    private final Scaling scaling;
    private final Placement placement;
    private final Healing healing;
    private final Recovery recovery;
    /** Since when this controller holds the lease, or lost it; a data loss starts it over. Controller thread only. */
    private Instant leaderSince;
    /** When the leader last pruned demand samples; null before. Controller thread only. */
    private Instant lastPrune;

    Controller(RoutingStore store, String id, Clock clock, ControllerTimings timings, AppJars jars) {
        this.store = store;
        this.id = id;
        this.clock = clock;
        this.timings = timings;
        this.thread = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("ferry-controller-" + id).daemon().factory());
        StoreWrites writes = new StoreWrites();
        CrashBackoff crashes = CrashBackoff.create(); // failures per function version
        this.lease = new Lease(store, id, timings.lease());
        this.scaling = new Scaling(store, writes);
        this.placement = new Placement(store, timings.heartbeats(), crashes, writes);
        this.healing = new Healing(store, timings.heartbeats(), crashes, writes);
        this.recovery = new Recovery(store, jars, writes);
    }

    /** Starts following the store and ticking; the first tick runs at once. */
    void start() {
        listen();
        thread.scheduleWithFixedDelay(this::tickQuietly, 0, timings.tick().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Follows the store without ticking: tests tick by hand. */
    void listen() {
        store.subscribe(this);
    }

    /** Waits until what the store's changes queued on the controller thread has run: for tests. */
    void sync() {
        try {
            thread.submit(() -> {}).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("controller thread did not catch up", e);
        }
    }

    String id() {
        return id;
    }

    /** Whether this controller held the lease at its last tick. */
    boolean leader() {
        return lease.held();
    }

    /** A request waits at a gateway: decide for its version now, not at the next tick (a cold start waits on this). */
    @Override
    public void demandSampled(DemandSample sample) {
        if (sample.queued() > 0 && lease.held()) {
            thread.execute(() -> {
                Instant now = clock.instant();
                FunctionLoad load = FunctionLoad.aggregate(store.demand(), now, timings.sampleFreshness()).stream()
                        .filter(l -> l.versionKey().equals(sample.versionKey()))
                        .findFirst()
                        .orElse(null);
                List<ContainerInfo> all = store.containers();
                store.currentFunction(sample.versionKey())
                        .ifPresent(f -> autoscale(
                                f,
                                load,
                                all.stream()
                                        .filter(c -> c.versionKey().equals(f.versionKey()))
                                        .toList(),
                                all,
                                now,
                                false));
            });
        }
    }

    @Override
    public void containerUpdated(ContainerInfo container) {
        switch (container.state()) {
            case READY -> {
                healing.serving(container);
                thread.execute(() -> {
                    healing.ready(container, clock.instant());
                    if (lease.held()) {
                        placement.placeUnplaced(clock.instant()); // its start slot is free: the next one starts now
                    }
                });
            }
            case FAILED ->
                thread.execute(() -> {
                    if (lease.held()) {
                        Instant now = clock.instant();
                        if (healing.failed(container, now)) {
                            placement.placeUnplaced(now);
                        }
                    }
                });
            default -> {}
        }
    }

    @Override
    public void containerRemoved(ContainerInfo container) {
        // After a FAILED update, its handling (queued before this) has read the flag already.
        thread.execute(() -> healing.removed(container));
    }

    @Override
    public void appDeployed(AppDeployment deployment) {
        thread.execute(() -> recovery.keepJars(deployment));
    }

    @Override
    public void resynced(boolean dataLost) {
        if (dataLost) {
            thread.execute(this::afterDataLoss);
        }
    }

    /** After the store came back empty: settle again and write back what this controller knew. Controller thread. */
    void afterDataLoss() {
        // The demand samples are gone too: settle again, as a new leader does, until gateways
        // have reported what they carry, before stopping anything.
        leaderSince = clock.instant();
        recovery.dataLost();
    }

    private void tickQuietly() {
        try {
            tick();
        } catch (RuntimeException e) {
            logger.log(System.Logger.Level.WARNING, "controller tick failed", e);
        }
    }

    /** Renews the lease and, as the leader, reconciles. Runs on the controller thread. */
    void tick() {
        recovery.retry();
        Instant now = clock.instant();
        boolean was = lease.held();
        boolean held = lease.renew();
        if (held != was) {
            leaderSince = now;
            scaling.restart(); // what it saw as a standby, or before it lost the lease, is no history to act on
        }
        if (!held) {
            return;
        }
        healing.noteHealthy(now);
        List<FunctionLoad> loads = FunctionLoad.aggregate(store.demand(), now, timings.sampleFreshness());
        Map<VersionKey, FunctionLoad> loadByVersion = new HashMap<>();
        loads.forEach(l -> loadByVersion.put(l.versionKey(), l));
        // A new leader scales up at once but stops nothing until gateways have reported what they carry.
        boolean settling = Duration.between(leaderSince, now).compareTo(timings.settle()) < 0;
        Map<VersionKey, List<ContainerInfo>> containersByVersion = new HashMap<>();
        List<ContainerInfo> all = store.containers();
        for (ContainerInfo c : all) {
            containersByVersion
                    .computeIfAbsent(c.versionKey(), k -> new ArrayList<>())
                    .add(c);
        }
        for (AppDeployment app : store.apps()) {
            for (DeployedFunction f : app.functions()) {
                VersionKey key = f.versionKey();
                // While an older version still serves (a rollover), the new one is sized for the
                // function's calls, which the gateways send there until the new one is up.
                FunctionLoad load = Autoscaling.surge(key, all, 0) > 0
                        ? FunctionLoad.ofFunction(key, loads)
                        : loadByVersion.get(key);
                autoscale(f, load, containersByVersion.getOrDefault(key, List.of()), all, now, settling);
            }
        }
        if (settling) {
            placement.placeUnplaced(now);
            return;
        }
        healing.forgetDeadWorkers(now);
        placement.placeUnplaced(now);
        scaling.retireReplacedVersions(loadByVersion);
        pruneDemand(now);
    }

    /**
     * Deletes demand samples older than {@link #DEMAND_EXPIRY}, at most once per
     * {@link #DEMAND_PRUNE_EVERY}: a gateway that died reports no more, and its samples would
     * stay in the store, and be read on every tick, forever. A sample older than the freshness
     * counts for nothing but its last-activity time, which no decision reads.
     */
    private void pruneDemand(Instant now) {
        if (lastPrune != null && now.isBefore(lastPrune.plus(DEMAND_PRUNE_EVERY))) {
            return;
        }
        lastPrune = now;
        try {
            store.pruneDemand(now.minus(DEMAND_EXPIRY));
        } catch (StoreUnavailableException e) {
            // The next prune tries again; samples only wait longer.
        }
    }

    /** Autoscales {@code f} as the leader, and places what it starts at once. */
    private void autoscale(
            DeployedFunction f,
            FunctionLoad load,
            List<ContainerInfo> mine,
            List<ContainerInfo> all,
            Instant now,
            boolean settling) {
        if (lease.held() && scaling.autoscale(f, load, mine, all, now, settling) > 0) {
            placement.placeUnplaced(now);
        }
    }

    /** Stops acting and gives the lease up, so a standby takes over at once. */
    @Override
    public void close() {
        store.unsubscribe(this);
        thread.shutdownNow();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        lease.release();
    }
}
