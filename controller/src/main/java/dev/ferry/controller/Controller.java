package dev.ferry.controller;

import dev.ferry.autoscaler.AutoscalerSettings;
import dev.ferry.routing.AppJars;
import dev.ferry.routing.AppDeployment;
import dev.ferry.routing.ContainerInfo;
import dev.ferry.routing.ContainerResources;
import dev.ferry.routing.ContainerState;
import dev.ferry.routing.DemandSample;
import dev.ferry.routing.DeployedFunction;
import dev.ferry.routing.RoutingListener;
import dev.ferry.routing.RoutingStore;
import dev.ferry.routing.StoreUnavailableException;
import dev.ferry.routing.WorkerInfo;
import dev.ferry.scheduler.Allocation;
import dev.ferry.scheduler.Cluster;
import dev.ferry.scheduler.CrashBackoff;
import dev.ferry.scheduler.Decision;
import dev.ferry.scheduler.Demand;
import dev.ferry.scheduler.HeartbeatPolicy;
import dev.ferry.scheduler.Scheduler;
import dev.ferry.routing.ContainerIds;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The controller role. Only the holder of the store's leader lease acts; a second controller
 * is a hot standby that takes over when the lease lapses. Acting means:
 * <ul>
 *   <li>autoscale: every tick, and the moment a gateway reports a request waiting, ask the
 *       {@link dev.ferry.autoscaler.Autoscaler} how many containers each current function
 *       version wants, from the demand all gateways report (see {@link Autoscaling}). New
 *       containers are written unplaced and placed by the {@link Scheduler} where their CPU,
 *       memory, GPUs and labels fit (a {@link ContainerState#PENDING} record the worker picks
 *       up); one that fits nowhere keeps the reason in its record. Idle containers it names are
 *       marked {@link ContainerState#STOPPING}: their worker drains and stops them. The
 *       decision is published for {@code ferry ls};</li>
 *   <li>heal: replace the containers of a worker whose heartbeats stopped, and a container
 *       that died serving, backing off exponentially when a version keeps failing;</li>
 *   <li>retire the containers of a version a redeploy replaced, once idle;</li>
 *   <li>forget workers whose heartbeat is overdue, with their containers;</li>
 *   <li>after the store lost its data, write the apps and routes it knew again.</li>
 * </ul>
 * Everything the controller knows is in the store, so a restarted or standby controller
 * carries on with the containers that run (crash back-off and the autoscaler's history are
 * what it forgets; the autoscaler then scales down nothing for a scaledown window).
 * All work runs on the controller's own thread; the
 * clock is injected.
 */
final class Controller implements RoutingListener, AutoCloseable {

    private static final System.Logger logger = System.getLogger(Controller.class.getName());

    /** A placed container its worker has not started by then is forgotten. Worker start-up is far quicker. */
    static final Duration PENDING_TIMEOUT = Duration.ofSeconds(30);

    private final RoutingStore store;
    private final String id;
    private final Clock clock;
    private final ControllerTimings timings;
    private final AppJars jars;
    private final ScheduledExecutorService thread;
    private final Scheduler scheduler = Scheduler.create();
    /** Failures per function version; controller thread only. */
    private final CrashBackoff crashes = CrashBackoff.create();
    /** Containers seen ready: one of these that fails died serving, and is replaced. */
    private final Set<String> serving = ConcurrentHashMap.newKeySet();
    /** The autoscaler's history and published decisions; controller thread only. */
    private final Autoscaling autoscaling = new Autoscaling();
    private volatile boolean leader;
    /** What the last tick found: held, refused, or null before the first and while the store is down. */
    private Boolean lastAnswer;
    /** A restore after a data loss that has not gone through yet; controller thread only. */
    private boolean restorePending;
    private Instant leaderSince;
    private boolean storeDown;
    private final Set<String> warned = new HashSet<>();

    Controller(RoutingStore store, String id, Clock clock, ControllerTimings timings, AppJars jars) {
        this.store = store;
        this.jars = jars;
        this.id = id;
        this.clock = clock;
        this.timings = timings;
        this.thread = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("ferry-controller-" + id).daemon().factory());
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
            thread.submit(() -> { }).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("controller thread did not catch up", e);
        }
    }

    String id() {
        return id;
    }

    /** Whether this controller held the lease at its last tick. */
    boolean leader() {
        return leader;
    }

    /** A request waits at a gateway: decide for its version now, not at the next tick (a cold start waits on this). */
    @Override
    public void demandSampled(DemandSample sample) {
        if (sample.queued() > 0 && leader) {
            thread.execute(() -> {
                Instant now = clock.instant();
                FunctionLoad load = FunctionLoad.aggregate(store.demand(), now, timings.sampleFreshness()).stream()
                        .filter(l -> l.function().equals(sample.function()) && l.version().equals(sample.version()))
                        .findFirst().orElse(null);
                currentFunction(sample.function(), sample.version()).ifPresent(f -> autoscale(f, load,
                        store.containers().stream().filter(c -> c.function().equals(f.id()) && c.version().equals(f.version()))
                                .toList(), now, false));
            });
        }
    }

    @Override
    public void containerUpdated(ContainerInfo container) {
        switch (container.state()) {
            case READY -> {
                serving.add(container.id());
                thread.execute(() -> {
                    crashes.ready(container.function() + '@' + container.version(), clock.instant());
                    if (leader) {
                        placeUnplaced(clock.instant()); // its start slot is free: the next one starts now
                    }
                });
            }
            case FAILED -> thread.execute(() -> containerFailed(container));
            default -> { }
        }
    }

    @Override
    public void containerRemoved(ContainerInfo container) {
        // After a FAILED update, containerFailed (queued before this) has read the flag already.
        thread.execute(() -> serving.remove(container.id()));
    }

    @Override
    public void appDeployed(AppDeployment deployment) {
        // Keep a copy of every deployed jar: if the store loses its data after the deploying
        // controller is gone, this one can still write the jar back.
        thread.execute(() -> deployment.functions().forEach(f -> {
            try {
                jars.localJar(f);
            } catch (IOException | StoreUnavailableException e) {
                warnOnce("jar:" + f.jarDigest(), "ferry: cannot keep a copy of the jar of " + f.id() + " " + f.version()
                        + ": " + e.getMessage());
            }
        }));
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
        System.err.println("ferry: " + store.describe() + " lost its data; restoring " + store.apps().size() + " apps and "
                + store.routes().size() + " routes");
        restorePending = true;
        restoreIfPending();
    }

    /**
     * Restores until every write went through: Lettuce reconnects its connections one by one,
     * so the first writes after a data loss may still find one of them down.
     */
    private void restoreIfPending() {
        if (restorePending && restore()) {
            restorePending = false;
            System.err.println("ferry: restored the apps, jars and routes in " + store.describe());
        }
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
        restoreIfPending();
        Instant now = clock.instant();
        boolean held;
        try {
            held = store.acquireLeadership(id, timings.lease());
            if (storeDown) {
                storeDown = false;
                logger.log(System.Logger.Level.INFO, "controller " + id + " reaches " + store.describe() + " again");
            }
        } catch (StoreUnavailableException e) {
            if (!storeDown) {
                storeDown = true;
                logger.log(System.Logger.Level.WARNING, e.getMessage() + "; controller " + id + " pauses");
            }
            held = false; // without the store no one can act; the lease lapses on its own
            lastAnswer = null;
        }
        if (held != leader) {
            leader = held;
            leaderSince = now;
            autoscaling.restart(); // what it saw as a standby, or before it lost the lease, is no history to act on
        }
        if (!storeDown && !Boolean.valueOf(held).equals(lastAnswer)) {
            lastAnswer = held;
            System.err.println("ferry: controller " + id + (held ? " is the leader" : " is a standby"));
        }
        if (!held) {
            return;
        }
        for (ContainerInfo c : store.containers()) {
            if (c.state() == ContainerState.READY) {
                crashes.healthy(c.function() + '@' + c.version(), now); // a version that stays up starts its count over
            }
        }
        List<FunctionLoad> loads = FunctionLoad.aggregate(store.demand(), now, timings.sampleFreshness());
        Map<String, FunctionLoad> loadByVersion = new HashMap<>();
        loads.forEach(l -> loadByVersion.put(l.function() + '@' + l.version(), l));
        // A new leader scales up at once but stops nothing until gateways have reported what they carry.
        boolean settling = Duration.between(leaderSince, now).compareTo(timings.settle()) < 0;
        Map<String, List<ContainerInfo>> containersByVersion = new HashMap<>();
        for (ContainerInfo c : store.containers()) {
            containersByVersion.computeIfAbsent(c.function() + '@' + c.version(), k -> new ArrayList<>()).add(c);
        }
        for (AppDeployment app : store.apps()) {
            for (DeployedFunction f : app.functions()) {
                String key = f.id() + '@' + f.version();
                autoscale(f, loadByVersion.get(key), containersByVersion.getOrDefault(key, List.of()), now, settling);
            }
        }
        if (settling) {
            placeUnplaced(now);
            return;
        }
        forgetDeadWorkers(now);
        placeUnplaced(now);
        retireReplacedVersions(loadByVersion);
    }

    /**
     * Asks the autoscaler about function version {@code f}, whose containers are {@code mine},
     * and carries out its decision: new
     * containers are written unplaced and placed at once where they fit; the idle containers
     * it names are stopped (drained by their worker), unless {@code settling}. Publishes the
     * decision for {@code ferry ls}.
     */
    private void autoscale(DeployedFunction f, FunctionLoad load, List<ContainerInfo> mine, Instant now, boolean settling) {
        if (!leader) {
            return;
        }
        AutoscalerSettings settings;
        try {
            settings = Autoscaling.settings(f.settings(), store.scaleOverride(f.id(), f.version()));
            warned.remove("override:" + f.id() + '@' + f.version());
        } catch (IllegalArgumentException e) {
            warnOnce("override:" + f.id() + '@' + f.version(), "ferry: ignoring the scale override of " + f.id() + " "
                    + f.version() + ": " + e.getMessage());
            settings = AutoscalerSettings.from(f.settings());
        }
        var decision = autoscaling.decide(f.id() + '@' + f.version(), settings, Autoscaling.observe(now, load, mine));
        for (int i = 0; i < decision.toStart(); i++) {
            ContainerInfo wanted = ContainerInfo.unplaced(ContainerIds.next(), f, "waiting for placement", now);
            write(() -> store.putContainer(wanted));
        }
        if (decision.toStart() > 0) {
            placeUnplaced(now);
        }
        if (!settling) {
            for (String id : decision.toStop()) {
                mine.stream().filter(c -> c.id().equals(id)).findFirst().ifPresent(this::stop);
            }
        }
        autoscaling.toPublish(f.id(), f.version(), decision, now).ifPresent(status -> write(() -> store.putScaleStatus(status)));
    }

    /** Stops {@code c}: removes an unplaced record (nothing runs), else marks it stopping for its worker to drain. */
    private void stop(ContainerInfo c) {
        write(c.unplaced() ? () -> store.removeContainer(c.id()) : () -> store.putContainer(c.withState(ContainerState.STOPPING)));
    }

    /**
     * Stops the idle containers of versions a redeploy replaced, and forgets the scaling state
     * (history, override, published decision) of replaced versions with no container left.
     */
    private void retireReplacedVersions(Map<String, FunctionLoad> loads) {
        Map<String, AppDeployment> apps = new HashMap<>();
        store.apps().forEach(a -> apps.put(a.app(), a));
        List<ContainerInfo> containers = store.containers();
        Autoscaling.replacedToStop(containers, loads, apps).forEach(this::stop);
        Set<String> withContainers = new HashSet<>();
        containers.forEach(c -> withContainers.add(c.function() + '@' + c.version()));
        for (var status : store.scaleStatuses()) {
            if (!Autoscaling.isCurrent(status.function(), status.version(), apps) && !withContainers.contains(status.key())) {
                autoscaling.forget(status.function(), status.version());
                write(() -> store.removeScaleStatus(status.function(), status.version()));
            }
        }
        for (var override : store.scaleOverrides()) {
            if (!Autoscaling.isCurrent(override.function(), override.version(), apps) && !withContainers.contains(override.key())) {
                write(() -> store.removeScaleOverride(override.function(), override.version()));
            }
        }
    }

    /**
     * Places every unplaced container that may start: not held back by a crash back-off, and
     * fitting some live worker. One that does not fit keeps the scheduler's reason in its record,
     * where gateways and {@code ferry ls} show it.
     */
    private void placeUnplaced(Instant now) {
        List<ContainerInfo> unplaced = store.containers().stream().filter(ContainerInfo::unplaced)
                .sorted(Comparator.comparing(ContainerInfo::startedAt).thenComparing(ContainerInfo::id)).toList();
        // A version warned of once is warned again only after none of its containers waited for room.
        Set<String> waiting = new HashSet<>();
        unplaced.forEach(c -> waiting.add("unschedulable:" + c.function() + '@' + c.version()));
        warned.removeIf(w -> w.startsWith("unschedulable:") && !waiting.contains(w));
        if (unplaced.isEmpty()) {
            return;
        }
        List<ContainerInfo> containers = store.containers();
        Cluster cluster = ClusterView.of(store.workers(), containers, now, timings.heartbeats());
        // Workers with a start slot free: the same view, less those starting all they may at once.
        Cluster open = ClusterView.of(store.workers(), containers, now, timings.heartbeats());
        Map<String, Integer> starting = new HashMap<>();
        for (ContainerInfo c : containers) {
            if (!c.unplaced() && (c.state() == ContainerState.PENDING || c.state() == ContainerState.STARTING)) {
                starting.merge(c.worker(), 1, Integer::sum);
            }
        }
        for (var node : cluster.nodes()) {
            if (starting.getOrDefault(node.id(), 0) >= startSlots(node)) {
                open.removeNode(node.id());
            }
        }
        for (ContainerInfo c : unplaced) {
            Optional<DeployedFunction> function = currentFunction(c.function(), c.version());
            if (function.isEmpty()) {
                write(() -> store.removeContainer(c.id())); // its version was replaced before it could start
                continue;
            }
            String key = c.function() + '@' + c.version();
            if (!crashes.mayStart(key, now)) {
                long wait = Math.max(1, Duration.between(now, crashes.readyAt(key).orElse(now)).toSeconds());
                String reason = (crashes.inCrashLoop(key) ? "crash loop" : "restarting after a crash") + ": "
                        + crashes.lastReason(key).orElse("exited") + "; next start in " + wait + " s";
                setReason(c, reason);
                continue;
            }
            Demand demand = ClusterView.demand(function.get());
            switch (scheduler.place(demand, open)) {
                case Decision.Placed placed -> {
                    ContainerResources resources = new ContainerResources(demand.cpu(), demand.memoryMib(), placed.gpus());
                    Allocation allocation = new Allocation(c.id(), c.function(), placed.node(), demand.cpu(), demand.memoryMib(),
                            placed.gpus());
                    cluster.allocate(allocation);
                    open.allocate(allocation);
                    int startingThere = starting.merge(placed.node(), 1, Integer::sum);
                    if (startingThere >= startSlots(cluster.node(placed.node()).orElseThrow())) {
                        open.removeNode(placed.node());
                    }
                    write(() -> store.putContainer(c.placedOn(placed.node(), resources, now)));
                }
                case Decision.Unschedulable busy -> {
                    switch (scheduler.place(demand, cluster)) {
                        case Decision.Placed later -> {
                            // It fits, on workers busy starting others: placed as soon as one is ready.
                            // Its room is held in this pass, so the ones after it see what is left.
                            cluster.allocate(new Allocation(c.id(), c.function(), later.node(), demand.cpu(), demand.memoryMib(),
                                    later.gpus()));
                            setReason(c, "waiting for a start slot: the workers it fits on are starting all they may at once");
                        }
                        case Decision.Unschedulable no -> {
                            warnOnce("unschedulable:" + key, "ferry: cannot place a container of " + c.function() + " "
                                    + c.version() + ": " + no.reason());
                            setReason(c, no.reason());
                        }
                    }
                }
            }
        }
    }

    /**
     * How many containers a worker starts at once: one per core, at least two. A JVM's start is
     * CPU-bound; sixteen at once on two cores make every one of them late, while started in
     * turns the first ones serve seconds sooner.
     */
    static int startSlots(dev.ferry.scheduler.Node worker) {
        return Math.max(2, (int) Math.floor(worker.cpus()));
    }

    private void setReason(ContainerInfo c, String reason) {
        if (!c.reason().equals(reason)) {
            write(() -> store.putContainer(c.withReason(reason)));
        }
    }

    /** The function {@code functionId} if {@code version} is its app's current version. */
    private Optional<DeployedFunction> currentFunction(String functionId, String version) {
        int sep = functionId.indexOf("--");
        return store.app(functionId.substring(0, sep))
                .filter(app -> app.version().equals(version))
                .flatMap(app -> app.function(functionId.substring(sep + 2)));
    }

    /**
     * A container died or could not start. Its version backs off before the next start (so a
     * crash loop does not burn a worker), and a container that was serving is replaced: it
     * held capacity the function was using.
     */
    private void containerFailed(ContainerInfo c) {
        if (!leader) {
            return;
        }
        Instant now = clock.instant();
        String key = c.function() + '@' + c.version();
        boolean wasServing = serving.remove(c.id());
        crashes.crashed(key, now, c.reason().isEmpty() ? "exited" : c.reason());
        System.err.println("ferry: container " + c.id() + " of " + c.function() + " " + c.version() + " on worker " + c.worker()
                + (wasServing ? " died: " : " failed to start: ") + (c.reason().isEmpty() ? "no reason given" : c.reason())
                + (crashes.inCrashLoop(key) ? "; crash loop, next start in "
                        + Math.max(1, Duration.between(now, crashes.readyAt(key).orElse(now)).toSeconds()) + " s" : ""));
        if (wasServing) {
            replace(c, "replacing " + c.id() + ", which died: " + c.reason(), now);
            placeUnplaced(now);
        }
    }

    /** Writes an unplaced replacement for {@code lost}, if its version is still current. */
    private void replace(ContainerInfo lost, String reason, Instant now) {
        currentFunction(lost.function(), lost.version()).ifPresent(f -> {
            ContainerInfo replacement = ContainerInfo.unplaced(ContainerIds.next(), f, reason, now);
            write(() -> store.putContainer(replacement));
        });
    }

    /**
     * Declares workers lost whose heartbeats stopped ({@link ControllerTimings#heartbeats()}): their
     * containers leave routing at once and are replaced on other workers. Also forgets
     * placements no worker took up.
     */
    private void forgetDeadWorkers(Instant now) {
        Set<String> live = new HashSet<>();
        for (WorkerInfo w : store.workers()) {
            if (timings.heartbeats().lost(w.heartbeat(), now)) {
                System.err.println("ferry: worker " + w.id() + " is lost: no heartbeat since " + w.heartbeat()
                        + "; replacing its containers elsewhere");
                write(() -> store.removeWorker(w.id()));
            } else {
                live.add(w.id());
            }
        }
        for (ContainerInfo c : store.containers()) {
            if (c.unplaced()) {
                continue;
            }
            if (!live.contains(c.worker())) {
                write(() -> store.removeContainer(c.id()));
                serving.remove(c.id());
                if (c.state() != ContainerState.STOPPING && c.state() != ContainerState.FAILED) {
                    replace(c, "replacing " + c.id() + " from lost worker " + c.worker(), now);
                }
            } else if (c.state() == ContainerState.PENDING && c.startedAt().isBefore(now.minus(PENDING_TIMEOUT))) {
                // Its worker never took it up (it missed the record): place again on the next demand.
                System.err.println("ferry: worker " + c.worker() + " did not start container " + c.id() + " of " + c.function()
                        + " within " + PENDING_TIMEOUT.toSeconds() + " s; forgetting it");
                write(() -> store.removeContainer(c.id()));
            }
        }
    }

    /** After the store lost its data: the apps, their jars and the routes this process knew, written again. */
    /** Writes back the apps, jars and routes this controller knows; true when every write went through. */
    private boolean restore() {
        List<AppDeployment> apps = store.apps();
        Map<String, String> routes = store.routes();
        boolean done = true;
        for (AppDeployment app : apps) {
            for (DeployedFunction f : app.functions()) {
                Optional<Path> jar = jars.localCopy(f);
                if (jar.isEmpty()) {
                    warnOnce("no-jar:" + f.jarDigest(), "ferry: no copy of the jar of " + f.id() + " " + f.version() + " ("
                            + f.jarDigest() + ") here to write back; workers that have it write it back, others cannot start it");
                    continue;
                }
                done &= write(() -> {
                    try {
                        store.putJar(f.jarDigest(), Files.readAllBytes(jar.get()));
                    } catch (IOException e) {
                        System.err.println("ferry: cannot read " + jar.get() + " to write it back: " + e);
                    }
                });
            }
            done &= write(() -> store.deploy(app));
        }
        for (Map.Entry<String, String> route : routes.entrySet()) {
            done &= write(() -> store.putRoute(route.getKey(), route.getValue()));
        }
        return done;
    }

    /** Runs a store write; false, with a warning (once per outage), when the store could not take it. */
    private boolean write(Runnable write) {
        try {
            write.run();
            warned.remove("store");
            return true;
        } catch (StoreUnavailableException e) {
            warnOnce("store", "ferry: " + e.getMessage());
            return false;
        }
    }

    private void warnOnce(String what, String message) {
        if (warned.add(what)) {
            System.err.println(message);
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
        if (leader) {
            try {
                store.releaseLeadership(id);
            } catch (StoreUnavailableException e) {
                // the lease lapses on its own
            }
        }
    }
}
