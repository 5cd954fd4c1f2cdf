package dev.ferry.gateway;

import dev.ferry.request.protocol.VersionKey;
import dev.ferry.routing.DemandSample;
import dev.ferry.routing.DeployedFunction;
import dev.ferry.routing.RoutingListener;
import dev.ferry.routing.RoutingStore;
import dev.ferry.routing.StoreUnavailableException;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Tells the controller, through the store, what this gateway sees: every function version
 * with calls in flight or waiting is reported each interval (so a long call keeps its
 * container from looking idle, and a dead gateway's samples age out), a version whose numbers
 * changed once more, and a request that has to wait at once, so a cold start does not wait
 * for the next interval.
 *
 * <p>Store writes happen on the reporter's own thread, never on an event loop. When the
 * store is unreachable, requests waiting for a function that has no ready container are
 * answered 503 at once with the reason, since no container can be started for them; warm
 * functions go on serving.
 */
final class DemandReporter implements ScaleUpSignal, RoutingListener, AutoCloseable {

    private static final System.Logger logger = System.getLogger(DemandReporter.class.getName());

    private final RoutingStore store;
    private final String gatewayId;
    private final FunctionPools pools;
    private final Clock clock;
    private final ScheduledExecutorService thread;
    /** Pools with a request waiting that asked for a report now; deduplicates bursts. */
    private final Set<VersionKey> urgent = ConcurrentHashMap.newKeySet();
    /** What was last sent per pool; touched only on the reporter thread. */
    private final Map<VersionKey, FunctionDemand> sent = new HashMap<>();

    private boolean storeDown;

    DemandReporter(RoutingStore store, String gatewayId, Duration interval, FunctionPools pools, Clock clock) {
        this.store = store;
        this.gatewayId = gatewayId;
        this.pools = pools;
        this.clock = clock;
        this.thread = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("ferry-demand-" + gatewayId).daemon().factory());
        thread.scheduleWithFixedDelay(this::reportAll, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void scaleUp(DeployedFunction function) {
        VersionKey key = function.versionKey();
        if (urgent.add(key)) {
            logger.log(System.Logger.Level.DEBUG, () -> "a call to " + key + " waits: reporting demand now");
            thread.execute(() -> {
                urgent.remove(key);
                FunctionDemand d = pools.pool(key).demand();
                send(d, true);
            });
        }
    }

    /**
     * After the store lost its data, every function version is reported again at the next
     * interval, idle ones included: otherwise the controller would know nothing of a version
     * used a minute ago and count its containers idle since they started.
     */
    @Override
    public void resynced(boolean dataLost) {
        if (dataLost) {
            thread.execute(sent::clear);
        }
    }

    private void reportAll() {
        try {
            for (FunctionDemand d : pools.demand()) {
                FunctionDemand last = sent.get(d.versionKey());
                if (d.inFlight() > 0 || d.queued() > 0 || !d.equals(last)) {
                    send(d, false);
                }
            }
        } catch (RuntimeException e) {
            logger.log(System.Logger.Level.WARNING, "demand report failed", e);
        }
    }

    private void send(FunctionDemand d, boolean waiting) {
        try {
            store.recordDemand(new DemandSample(
                    gatewayId,
                    d.function(),
                    d.version(),
                    d.inFlight(),
                    d.queued(),
                    d.lastActive(),
                    clock.instant(),
                    d.busy()));
            sent.put(d.versionKey(), d);
            if (storeDown) {
                storeDown = false;
                logger.log(System.Logger.Level.INFO, "demand reports reach " + store.describe() + " again");
            }
        } catch (StoreUnavailableException e) {
            if (!storeDown) {
                storeDown = true;
                logger.log(
                        System.Logger.Level.WARNING,
                        "cannot report demand: " + e.getMessage() + "; warm functions go on serving");
            }
            if (waiting && d.queued() > 0 && d.readyContainers() == 0) {
                pools.rejectWaiting(
                        d.versionKey(),
                        "no container of " + d.function() + " is ready and none can be started: " + e.getMessage());
            }
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
