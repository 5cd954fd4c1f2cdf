package dev.ferry.routing;

import dev.ferry.request.protocol.FunctionId;

/**
 * Hears changes to a {@link RoutingStore}'s in-process copy. Callbacks come in the order
 * the changes were applied, one at a time; they must not block (and must not write to the
 * store from the callback thread of a Redis store: hand the write to another thread).
 */
public interface RoutingListener {

    /** An app was deployed or redeployed (or restored after the store lost its data). */
    default void appDeployed(AppDeployment deployment) {}

    /** {@code host} now routes to function {@code function}. */
    default void routeUpdated(String host, FunctionId function) {}

    /** {@code host} no longer has a route of its own. */
    default void routeRemoved(String host) {}

    /** A container was added or changed state. */
    default void containerUpdated(ContainerInfo container) {}

    /** A container is gone (stopped or exited). */
    default void containerRemoved(ContainerInfo container) {}

    /** A worker registered or reported. */
    default void workerUpdated(WorkerInfo worker) {}

    /** A worker is gone. */
    default void workerRemoved(WorkerInfo worker) {}

    /** A gateway reported demand. */
    default void demandSampled(DemandSample sample) {}

    /**
     * The copy was rebuilt from the shared store, after a (re)connect or after changes were
     * missed; the individual callbacks for what changed came before this one. {@code dataLost}
     * is true when the store came back without the data it had (a Redis restarted empty):
     * whoever owns records (workers their containers, the controller its apps) writes them
     * again. The in-memory store never calls this.
     */
    default void resynced(boolean dataLost) {}
}
