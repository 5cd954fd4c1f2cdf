package dev.ferry.gateway;

import dev.ferry.request.protocol.FunctionId;
import dev.ferry.request.protocol.VersionKey;
import dev.ferry.routing.ContainerInfo;
import dev.ferry.routing.ContainerState;
import dev.ferry.routing.DeployedFunction;
import dev.ferry.routing.FunctionLookup;
import dev.ferry.routing.RoutingListener;
import io.netty.channel.EventLoopGroup;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The gateway's live view of containers: one {@link FunctionPool} per function version and
 * long-lived connections per ready container ({@link ContainerConnections}), kept in step
 * with the routing store. Thread-safe.
 */
final class FunctionPools implements RoutingListener {

    private static final System.Logger logger = System.getLogger(FunctionPools.class.getName());

    /** How long a removed container's exit reason stays known, for calls that broke on it. */
    private static final java.time.Duration FORGET_EXITS_AFTER = java.time.Duration.ofSeconds(10);

    private final EventLoopGroup eventLoops;
    private final Clock clock;
    private final FunctionPool.Timer timer;
    private final Map<VersionKey, FunctionPool> pools = new ConcurrentHashMap<>();
    private final Map<String, ContainerConnections> connections = new ConcurrentHashMap<>();
    /** The version each function's new requests go to, once chosen ({@link #poolFor}). */
    private final Map<FunctionId, VersionKey> serving = new ConcurrentHashMap<>();

    /**
     * Connections opened while their container starts (its address is known from STARTING), taken
     * over at READY: a pool member's port is open already, so its first call finds the
     * connection made. Those that found the port closed are replaced at READY.
     */
    private final Map<String, ContainerConnections> connecting = new ConcurrentHashMap<>();

    /**
     * A function only the gateway itself calls, at a host of its own, with its own pool (out of
     * {@link #demand()}: no controller hears of it): its warm-up ({@link SelfWarmUp}). Null but
     * while one runs.
     */
    private volatile PrivateFunction privateFunction;

    /** {@code function} at {@code host}, served from {@code pool}. */
    record PrivateFunction(String host, DeployedFunction function, FunctionPool pool) {}

    FunctionPools(EventLoopGroup eventLoops, Clock clock) {
        this.eventLoops = eventLoops;
        this.clock = clock;
        this.timer = (delay, task) -> eventLoops.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    FunctionPool pool(VersionKey key) {
        PrivateFunction own = privateFunction;
        if (own != null && own.function().versionKey().equals(key)) {
            return own.pool();
        }
        return pools.computeIfAbsent(key, k -> new FunctionPool(k, clock, timer));
    }

    /**
     * The pool a new request for {@code key}, its function's current version, goes to. After a
     * redeploy that is the replaced version's pool while it has ready containers and the new
     * version has none ready, or some still starting (those the controller started beside the
     * old ones, see Autoscaling in the controller): the new version takes the traffic once all
     * of them are up, so no request waits for a cold start and the old containers drain only
     * after the switch. From then on the new version serves for good (requests waiting in the
     * old pools move to it); a version without an older one ready serves at once. A map lookup
     * once the version serves; the switch itself takes this object's monitor.
     */
    FunctionPool poolFor(VersionKey key) {
        PrivateFunction own = privateFunction;
        if (own != null && own.function().versionKey().equals(key)) {
            return own.pool();
        }
        if (key.equals(serving.get(key.function()))) {
            return pool(key);
        }
        return rollOver(key);
    }

    private synchronized FunctionPool rollOver(VersionKey key) {
        FunctionPool next = pool(key);
        if (key.equals(serving.get(key.function()))) {
            return next;
        }
        FunctionPool older = null;
        List<FunctionPool> others = new ArrayList<>();
        for (Map.Entry<VersionKey, FunctionPool> e : pools.entrySet()) {
            if (!e.getKey().function().equals(key.function()) || e.getKey().equals(key)) {
                continue;
            }
            FunctionPool other = e.getValue();
            others.add(other);
            if (!other.handedOver()
                    && other.readyContainers() > 0
                    && (older == null || other.readyContainers() > older.readyContainers())) {
                older = other;
            }
        }
        if (older != null && !next.rolledOut()) {
            return older;
        }
        logger.log(
                System.Logger.Level.DEBUG,
                () -> key.function() + " " + key.version() + " takes its function's traffic"
                        + (others.isEmpty() ? "" : " from the versions it replaced"));
        serving.put(key.function(), key);
        others.forEach(other -> other.handOver(next));
        return next;
    }

    /** The private function at {@code host} (the Host header as sent), or null: the usual case. */
    FunctionLookup privateLookup(String host) {
        PrivateFunction own = privateFunction;
        return own != null && own.host().equals(host) ? new FunctionLookup.Found(own.function()) : null;
    }

    /** Serves {@code function} at {@code host} from a pool of its own until {@link #endPrivate}; returns that pool. */
    FunctionPool startPrivate(String host, DeployedFunction function) {
        FunctionPool pool = new FunctionPool(function.versionKey(), clock, timer);
        privateFunction = new PrivateFunction(host, function, pool);
        return pool;
    }

    /** Stops serving the private function. */
    void endPrivate() {
        privateFunction = null;
    }

    void rejectWaiting(VersionKey key, String reason) {
        FunctionPool pool = pools.get(key);
        if (pool != null) {
            pool.rejectWaiting(reason);
        }
    }

    List<FunctionDemand> demand() {
        List<FunctionDemand> all = new ArrayList<>();
        pools.values().forEach(p -> all.add(p.demand()));
        return all;
    }

    @Override
    public void containerUpdated(ContainerInfo container) {
        FunctionPool pool = pool(container.versionKey());
        pool.placement(
                container.id(),
                container.unplaced() ? container.reason() : "",
                !container.unplaced()
                        && (container.state() == ContainerState.PENDING
                                || container.state() == ContainerState.STARTING));
        if (container.state() == ContainerState.STARTING && container.port() > 0) {
            connecting.computeIfAbsent(container.id(), id -> new ContainerConnections(container, eventLoops));
        } else if (container.state() == ContainerState.READY) {
            logger.log(
                    System.Logger.Level.DEBUG,
                    () -> "container " + container.id() + " of " + container.function() + " is ready; "
                            + pool.demand().queued() + " calls wait");
            pool.addContainer(
                    container, connections.computeIfAbsent(container.id(), id -> readyConnections(container)));
        } else if (container.state() == ContainerState.STOPPING) {
            pool.removeContainer(container.id());
        } else if (container.state() == ContainerState.FAILED) {
            stopConnecting(container.id());
            boolean wasReady = connections.containsKey(container.id());
            pool.removeContainer(container.id());
            pool.exited(container.id(), container.reason());
            if (!wasReady && pool.demand().readyContainers() == 0) {
                // It never started, and nothing else serves: the requests waiting for it would
                // only time out. (One that died after serving is replaced; its waiters wait.)
                pool.rejectWaiting("container for " + container.function() + " failed to start on worker "
                        + container.worker() + (container.reason().isEmpty() ? "" : ": " + container.reason()));
            }
        }
    }

    @Override
    public void containerRemoved(ContainerInfo container) {
        FunctionPool pool = pool(container.versionKey());
        pool.removeContainer(container.id());
        pool.gone(container.id());
        // Calls that broke on it may ask why a little later; keep the answer for them a while.
        eventLoops.schedule(
                () -> pool.forgetExit(container.id()), FORGET_EXITS_AFTER.toMillis(), TimeUnit.MILLISECONDS);
        stopConnecting(container.id());
        ContainerConnections removed = connections.remove(container.id());
        if (removed != null) {
            removed.shutdown(); // calls in flight end on their own: the process is gone
        }
    }

    /** The connections of a container that just got ready: those opened while it started, if they can serve it. */
    private ContainerConnections readyConnections(ContainerInfo container) {
        ContainerConnections early = connecting.remove(container.id());
        if (early != null && early.usableFor(container)) {
            return early;
        }
        if (early != null) {
            early.shutdown();
        }
        return new ContainerConnections(container, eventLoops);
    }

    private void stopConnecting(String containerId) {
        ContainerConnections early = connecting.remove(containerId);
        if (early != null) {
            early.shutdown();
        }
    }

    void close() {
        connections.values().forEach(ContainerConnections::close);
        connections.clear();
        connecting.values().forEach(ContainerConnections::close);
        connecting.clear();
    }
}
