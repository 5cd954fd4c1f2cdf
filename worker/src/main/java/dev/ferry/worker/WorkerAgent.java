package dev.ferry.worker;

import dev.ferry.request.protocol.FunctionSettings;
import dev.ferry.routing.AppJars;
import dev.ferry.routing.ContainerInfo;
import dev.ferry.routing.ContainerState;
import dev.ferry.routing.DeployedFunction;
import dev.ferry.routing.RoutingListener;
import dev.ferry.routing.RoutingStore;
import dev.ferry.routing.StoreUnavailableException;
import dev.ferry.routing.WorkerGpu;
import dev.ferry.routing.WorkerInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The worker role: connects one {@link Worker} to the store. It registers the worker and
 * heartbeats, starts the containers the controller placed on it ({@link ContainerState#PENDING}
 * records with its id), stops those the controller marks {@link ContainerState#STOPPING}, and
 * writes every state its containers go through, so gateways learn where to send calls.
 *
 * <p>The worker is the authority on what runs on it: after every resync of the store (a
 * reconnect, or a Redis that lost its data) it writes its record and its containers again,
 * and removes records of containers it does not run (left by an earlier process of the same
 * worker). All store writes and container commands run on the agent's own thread, never on
 * the store's feed thread or the worker's threads.
 */
final class WorkerAgent implements RoutingListener, ContainerListener, AutoCloseable {

    private static final System.Logger logger = System.getLogger(WorkerAgent.class.getName());

    /** How often the worker says it is alive. */
    static final Duration HEARTBEAT = Duration.ofSeconds(1);

    /** The environment variable that tells a container which worker runs it. */
    static final String WORKER_ID_ENV = "FERRY_WORKER_ID";

    /** The memory limit of a container whose function declares none, in MiB. */
    static final long DEFAULT_MEMORY_LIMIT_MIB = 1024;

    /** The most processes and threads a container may have: room for virtual-thread carriers and Netty, not a fork bomb. */
    static final int PIDS_LIMIT = 4096;

    private final RoutingStore store;
    private final Worker worker;
    private final WorkerInfo self;
    private final AppJars jars;
    private final SecretOpener secrets;
    private final Clock clock;
    private final ScheduledExecutorService thread;
    /** What this agent last wrote of each container it launched; the source for rewrites. */
    private final Map<String, ContainerInfo> mine = new ConcurrentHashMap<>();
    /**
     * How long each running container's calls may still take when it is told to stop: its
     * function's timeout, so a scale-down drains a long stream or WebSocket instead of cutting it.
     */
    private final Map<String, Duration> drains = new ConcurrentHashMap<>();
    /** Containers the controller asked to stop: one stopped before it was ready did not fail. Agent thread only. */
    private final Set<String> stopAsked = new HashSet<>();

    private boolean storeDown;
    /** Records to write again, and jars to write back after a data loss; agent thread only. */
    private boolean rewritePending;

    private boolean jarsPending;

    WorkerAgent(RoutingStore store, Worker worker, WorkerInfo self, AppJars jars, SecretOpener secrets, Clock clock) {
        this.store = store;
        this.worker = worker;
        this.self = self;
        this.jars = jars;
        this.secrets = secrets;
        this.clock = clock;
        this.thread = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("ferry-worker-" + self.id()).daemon().factory());
    }

    String id() {
        return self.id();
    }

    /**
     * Registers the worker and starts following the store.
     *
     * @throws StoreUnavailableException when the store cannot be reached
     */
    void start() {
        store.putWorker(self.withHeartbeat(clock.instant()));
        worker.addListener(this);
        store.subscribe(this);
        thread.execute(this::reconcile);
        thread.scheduleWithFixedDelay(this::tick, HEARTBEAT.toMillis(), HEARTBEAT.toMillis(), TimeUnit.MILLISECONDS);
    }

    // ---- what the store says ----

    @Override
    public void containerUpdated(ContainerInfo container) {
        if (!container.worker().equals(self.id())) {
            return;
        }
        switch (container.state()) {
            case PENDING -> thread.execute(() -> launch(container));
            case STOPPING ->
                thread.execute(() -> worker.container(container.id()).ifPresent(c -> {
                    stopAsked.add(container.id());
                    c.stop(drains.getOrDefault(container.id(), Duration.ZERO));
                }));
            case STARTING, READY -> {
                if (!mine.containsKey(container.id())) {
                    thread.execute(() -> forgetIfNotRunning(container.id())); // from an earlier process of this worker
                }
            }
            case FAILED -> {}
        }
    }

    @Override
    public void containerRemoved(ContainerInfo container) {
        if (container.worker().equals(self.id())) {
            thread.execute(() -> {
                ContainerInfo current = mine.get(container.id());
                if (current != null && worker.container(container.id()).isPresent()) {
                    write(current); // it still runs here: the record was removed by mistake or lost
                }
            });
        }
    }

    @Override
    public void resynced(boolean dataLost) {
        thread.execute(() -> {
            jarsPending |= dataLost;
            rewritePending = true;
            rewrite();
        });
    }

    // ---- what the worker says ----

    @Override
    public void stateChanged(Container container, dev.ferry.worker.ContainerState state) {
        thread.execute(() -> {
            ContainerInfo placed = mine.get(container.id());
            if (placed == null) {
                return;
            }
            switch (state) {
                case STARTING -> write(started(placed, container, ContainerState.STARTING));
                case READY -> write(started(placed, container, ContainerState.READY));
                case STOPPING -> write(started(placed, container, ContainerState.STOPPING));
                case EXITED -> {
                    mine.remove(container.id());
                    drains.remove(container.id());
                    stopAsked.remove(container.id());
                    container.exit().filter(ContainerExit::failed).ifPresent(exit -> {
                        // Not asked to stop: say why, at once, so gateways tell the calls it broke
                        // and the controller replaces it.
                        logger.log(
                                System.Logger.Level.WARNING,
                                "container " + container.id() + " of " + placed.function() + " " + exit.reason());
                        write(started(placed, container, ContainerState.FAILED).withReason(exit.reason()));
                    });
                    remove(container.id());
                }
            }
        });
    }

    // ---- on the agent's thread ----

    private void launch(ContainerInfo placed) {
        if (mine.containsKey(placed.id()) || worker.container(placed.id()).isPresent()) {
            return;
        }
        Optional<DeployedFunction> function = store.currentFunction(placed.versionKey());
        if (function.isEmpty()) {
            fail(placed, "app " + placed.app() + " " + placed.version() + " is no longer deployed");
            return;
        }
        ContainerSpec spec;
        try {
            Map<String, String> environment = new LinkedHashMap<>();
            environment.put(WORKER_ID_ENV, self.id());
            // Opened here, at each start, and held by no one after: the values reach the
            // container's environment only (a pool member's through its assignment).
            environment.putAll(secrets.environment(function.get().settings().secrets(), store::secret));
            spec = ContainerSpec.of(
                            placed.function(),
                            function.get().className(),
                            jars.localJar(function.get()),
                            limits(function.get().settings()),
                            gpuUuids(placed),
                            environment)
                    .withNetwork(
                            ContainerNetwork.parse(function.get().settings().network()));
        } catch (IOException | StoreUnavailableException | IllegalArgumentException e) {
            fail(placed, e.getMessage());
            return;
        }
        mine.put(placed.id(), placed);
        drains.put(placed.id(), function.get().settings().timeout());
        logger.log(System.Logger.Level.DEBUG, () -> "starting " + placed.id() + " (" + placed.function() + ")");
        try {
            worker.start(placed.id(), spec).whenComplete((container, error) -> {
                if (error != null) {
                    thread.execute(() -> {
                        if (stopAsked.contains(placed.id())) {
                            return; // stopped on purpose before it was ready (a scale-down): its exit removes the
                            // record
                        }
                        // Once: its EXITED change may have been handled first, and written FAILED.
                        drains.remove(placed.id());
                        if (mine.remove(placed.id()) != null) {
                            fail(
                                    placed,
                                    error.getCause() != null ? error.getCause().getMessage() : error.getMessage());
                        }
                    });
                }
            });
        } catch (IllegalArgumentException e) {
            mine.remove(placed.id());
            drains.remove(placed.id());
            fail(placed, e.getMessage());
        }
    }

    /**
     * What a container is held to: the function's CPU and memory (a {@code runc} worker enforces
     * them). Undeclared memory gets {@link #DEFAULT_MEMORY_LIMIT_MIB}, not the scheduler's small
     * reservation, since a JVM needs room; undeclared CPU gets no quota.
     */
    static ContainerLimits limits(FunctionSettings settings) {
        return ContainerLimits.of(
                settings.cpu(), settings.memoryMib() > 0 ? settings.memoryMib() : DEFAULT_MEMORY_LIMIT_MIB, PIDS_LIMIT);
    }

    /** The UUIDs of the GPUs the controller gave {@code placed}, by their indices on this worker. */
    private List<String> gpuUuids(ContainerInfo placed) {
        List<String> uuids = new ArrayList<>();
        for (int index : placed.resources().gpus()) {
            uuids.add(self.gpus().stream()
                    .filter(g -> g.index() == index)
                    .findFirst()
                    .orElseThrow(() -> new IllegalArgumentException(
                            "GPU " + index + " was assigned, but worker " + self.id() + " has GPUs "
                                    + self.gpus().stream().map(WorkerGpu::index).toList()))
                    .uuid());
        }
        return uuids;
    }

    /** Writes FAILED, so gateways answer the requests waiting for it, then removes the record. */
    private void fail(ContainerInfo placed, String reason) {
        logger.log(
                System.Logger.Level.ERROR,
                "container " + placed.id() + " for " + placed.function() + " failed to start: " + reason);
        write(placed.withState(ContainerState.FAILED).withReason(reason));
        remove(placed.id());
    }

    private void forgetIfNotRunning(String id) {
        if (!mine.containsKey(id) && worker.container(id).isEmpty()) {
            remove(id);
        }
    }

    /** Removes records of this worker's containers that do not run here; launches pending ones. */
    private void reconcile() {
        for (ContainerInfo c : store.containers()) {
            if (!c.worker().equals(self.id())) {
                continue;
            }
            if (c.state() == ContainerState.PENDING) {
                launch(c);
            } else if (c.state() != ContainerState.FAILED) {
                forgetIfNotRunning(c.id());
            }
        }
    }

    /** Each heartbeat interval: the heartbeat, or a rewrite that has not gone through yet. */
    private void tick() {
        if (rewritePending) {
            rewrite();
        } else {
            heartbeat();
        }
    }

    /**
     * Writes this worker's record and its containers' again, and the jars it has after a data
     * loss; reconciles. What fails is tried again at the next tick: Lettuce reconnects its
     * connections one by one, so the first writes after a resync may find one still down.
     */
    private void rewrite() {
        rewritePending = false; // failed writes and removals below set it again
        if (jarsPending) {
            jarsPending = !writeBackJars();
        }
        boolean done = !jarsPending & heartbeat();
        for (ContainerInfo c : mine.values()) {
            done &= write(c);
        }
        reconcile();
        rewritePending |= !done;
    }

    /** After the store lost its data: the jars this worker has, in case no controller has them. */
    private boolean writeBackJars() {
        boolean done = true;
        for (Map.Entry<String, Path> jar : jars.known().entrySet()) {
            try {
                store.putJar(jar.getKey(), Files.readAllBytes(jar.getValue()));
            } catch (IOException e) {
                logger.log(System.Logger.Level.ERROR, "cannot read " + jar.getValue() + " to write it back: " + e);
            } catch (StoreUnavailableException e) {
                storeUnavailable(e);
                done = false;
            }
        }
        return done;
    }

    /** The worker's pool now, for the controller's placement and {@code ferry ls}. */
    private dev.ferry.routing.WorkerPool pool() {
        PoolStatus p = worker.pool();
        return new dev.ferry.routing.WorkerPool(p.size(), p.idle(), p.starting());
    }

    private boolean heartbeat() {
        try {
            store.putWorker(self.withHeartbeat(clock.instant()).withPool(pool()));
            if (storeDown) {
                storeDown = false;
                logger.log(System.Logger.Level.INFO, "worker " + self.id() + " reaches " + store.describe() + " again");
            }
            return true;
        } catch (StoreUnavailableException e) {
            storeUnavailable(e);
            return false;
        }
    }

    private boolean write(ContainerInfo info) {
        if (mine.containsKey(info.id())) {
            mine.put(info.id(), info);
        }
        try {
            store.putContainer(info);
            return true;
        } catch (StoreUnavailableException e) {
            storeUnavailable(e);
            rewritePending = true; // written again at the next tick that reaches the store
            return false;
        }
    }

    private void remove(String id) {
        try {
            store.removeContainer(id);
        } catch (StoreUnavailableException e) {
            storeUnavailable(e);
            rewritePending = true; // the rewrite's reconcile removes it
        }
    }

    private void storeUnavailable(StoreUnavailableException e) {
        if (!storeDown) {
            storeDown = true;
            logger.log(System.Logger.Level.WARNING, e.getMessage() + "; containers go on running");
        }
    }

    private ContainerInfo started(ContainerInfo placed, Container container, ContainerState state) {
        return new ContainerInfo(
                placed.id(),
                placed.function(),
                placed.version(),
                self.id(),
                container.address().getHostString(),
                container.port(),
                state,
                placed.maxInputs(),
                container.startedAt(),
                placed.resources(),
                "",
                container.localSocket(),
                container.secret());
    }

    /**
     * Stops every container (gracefully, as {@link Worker#close()} does), writes their removal
     * and the worker's, then stops following the store.
     */
    @Override
    public void close() {
        worker.close();
        store.unsubscribe(this);
        thread.shutdown();
        try {
            if (!thread.awaitTermination(5, TimeUnit.SECONDS)) {
                thread.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            store.removeWorker(self.id());
        } catch (StoreUnavailableException e) {
            // the controller removes it when its heartbeat is overdue
        }
    }
}
