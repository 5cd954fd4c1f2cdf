package dev.ferry.cli;

import dev.ferry.routing.AppDeployment;
import dev.ferry.routing.ContainerInfo;
import dev.ferry.routing.ContainerState;
import dev.ferry.routing.DemandSample;
import dev.ferry.routing.DeployedFunction;
import dev.ferry.routing.RoutingListener;
import dev.ferry.routing.RoutingStore;
import dev.ferry.routing.StoreUnavailableException;
import dev.ferry.routing.WorkerInfo;
import dev.ferry.worker.Worker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
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
 *   <li>scale from zero: the moment a gateway reports a request waiting for a function
 *       version with no container, place one on the live worker with the fewest containers
 *       (a {@link ContainerState#PENDING} record the worker picks up);</li>
 *   <li>scale to zero: mark containers idle for their scaledown window, or of a replaced
 *       version once idle, {@link ContainerState#STOPPING}; their worker drains and stops them;</li>
 *   <li>forget workers whose heartbeat is overdue, with their containers;</li>
 *   <li>after the store lost its data, write the apps and routes it knew again.</li>
 * </ul>
 * Everything the controller knows is in the store, so a restarted or standby controller
 * carries on with the containers that run. One container per function version; scaling
 * beyond one is the autoscaler's job. All work runs on the controller's own thread; the
 * clock is injected.
 */
final class Controller implements RoutingListener, AutoCloseable {

    private static final System.Logger logger = System.getLogger(Controller.class.getName());

    /**
     * Timings.
     *
     * @param tick how often the controller renews its lease and reconciles
     * @param lease how long the lease lasts unrenewed: a standby takes over this long after the leader dies
     * @param sampleFreshness how long a gateway's demand sample counts its calls
     * @param workerTimeout how long a worker may miss heartbeats before it is forgotten
     * @param settle how long a new leader waits before stopping containers, so gateways have
     *     reported the calls they carry
     * @param placementBackoff how long after placing a container for a function version no
     *     other is placed for it unless the store shows none (a failed start is not retried faster)
     */
    record Timings(Duration tick, Duration lease, Duration sampleFreshness, Duration workerTimeout, Duration settle,
                   Duration placementBackoff) {
        /** One process with the in-memory store: no other controller, gateways report every tick. */
        static final Timings DEV = new Timings(Duration.ofMillis(250), Duration.ofSeconds(5), Duration.ofSeconds(3),
                Duration.ofSeconds(10), Duration.ZERO, Duration.ofSeconds(2));
        /** A cluster: standbys take over within about 5 s. */
        static final Timings CLUSTER = new Timings(Duration.ofMillis(250), Duration.ofSeconds(5), Duration.ofSeconds(3),
                Duration.ofSeconds(10), Duration.ofSeconds(5), Duration.ofSeconds(2));
    }

    /** A placed container its worker has not started by then is forgotten. Worker start-up is far quicker. */
    static final Duration PENDING_TIMEOUT = Duration.ofSeconds(30);

    private final RoutingStore store;
    private final String id;
    private final Clock clock;
    private final Timings timings;
    private final AppJars jars;
    private final ScheduledExecutorService thread;
    /** When a container was last placed per function version; only on the controller thread. */
    private final Map<String, Instant> placed = new ConcurrentHashMap<>();
    private volatile boolean leader;
    /** What the last tick found: held, refused, or null before the first and while the store is down. */
    private Boolean lastAnswer;
    /** A restore after a data loss that has not gone through yet; controller thread only. */
    private boolean restorePending;
    private Instant leaderSince;
    private boolean storeDown;
    private final Set<String> warned = new HashSet<>();

    Controller(RoutingStore store, String id, Clock clock, Timings timings, AppJars jars) {
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
        store.subscribe(this);
        thread.scheduleWithFixedDelay(this::tickQuietly, 0, timings.tick().toMillis(), TimeUnit.MILLISECONDS);
    }

    String id() {
        return id;
    }

    /** Whether this controller held the lease at its last tick. */
    boolean leader() {
        return leader;
    }

    @Override
    public void demandSampled(DemandSample sample) {
        if (sample.queued() > 0 && leader) {
            thread.execute(() -> scaleUp(sample.function(), sample.version()));
        }
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
        }
        if (!storeDown && !Boolean.valueOf(held).equals(lastAnswer)) {
            lastAnswer = held;
            System.err.println("ferry: controller " + id + (held ? " is the leader" : " is a standby"));
        }
        if (!held) {
            return;
        }
        List<FunctionLoad> loads = FunctionLoad.aggregate(store.demand(), now, timings.sampleFreshness());
        for (FunctionLoad load : loads) {
            if (load.queued() > 0) {
                scaleUp(load.function(), load.version());
            }
        }
        if (Duration.between(leaderSince, now).compareTo(timings.settle()) < 0) {
            return;
        }
        forgetDeadWorkers(now);
        for (String stop : IdleReaper.containersToStop(now, store.containers(), loads, store.apps())) {
            store.containers().stream().filter(c -> c.id().equals(stop)).findFirst()
                    .ifPresent(c -> write(() -> store.putContainer(c.withState(ContainerState.STOPPING))));
        }
    }

    private void scaleUp(String functionId, String version) {
        if (!leader) {
            return;
        }
        int sep = functionId.indexOf("--");
        Optional<DeployedFunction> function = store.app(functionId.substring(0, sep))
                .filter(app -> app.version().equals(version))
                .flatMap(app -> app.function(functionId.substring(sep + 2)));
        if (function.isEmpty()) {
            return; // replaced by a newer version; its requests went to that one
        }
        for (ContainerInfo c : store.containers()) {
            if (c.function().equals(functionId) && c.version().equals(version)
                    && c.state() != ContainerState.STOPPING && c.state() != ContainerState.FAILED) {
                return; // one is placed, starting or ready; requests wait for its slots
            }
        }
        Instant now = clock.instant();
        String key = functionId + '@' + version;
        Instant last = placed.get(key);
        if (last != null && now.isBefore(last.plus(timings.placementBackoff()))) {
            return;
        }
        Optional<WorkerInfo> target = pickWorker(now);
        if (target.isEmpty()) {
            warnOnce("no-worker", "ferry: no live worker to start " + functionId + " on; requests wait for one to register");
            return;
        }
        warned.remove("no-worker");
        placed.put(key, now);
        ContainerInfo pending = ContainerInfo.pending(Worker.newContainerId(), function.get(), target.get().id(), now);
        write(() -> store.putContainer(pending));
    }

    /** The live worker with the fewest containers; ties go to the lowest id. */
    private Optional<WorkerInfo> pickWorker(Instant now) {
        List<ContainerInfo> containers = store.containers();
        return store.workers().stream()
                .filter(w -> !w.heartbeat().isBefore(now.minus(timings.workerTimeout())))
                .min(Comparator.comparingLong((WorkerInfo w) -> containers.stream()
                                .filter(c -> c.worker().equals(w.id())).count())
                        .thenComparing(WorkerInfo::id));
    }

    /** Forgets workers whose heartbeat is overdue, their containers, and placements no worker took up. */
    private void forgetDeadWorkers(Instant now) {
        Set<String> live = new HashSet<>();
        for (WorkerInfo w : store.workers()) {
            if (w.heartbeat().isBefore(now.minus(timings.workerTimeout()))) {
                System.err.println("ferry: worker " + w.id() + " missed its heartbeats since " + w.heartbeat()
                        + "; forgetting it and its containers");
                write(() -> store.removeWorker(w.id()));
            } else {
                live.add(w.id());
            }
        }
        for (ContainerInfo c : store.containers()) {
            if (!live.contains(c.worker())) {
                write(() -> store.removeContainer(c.id()));
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
