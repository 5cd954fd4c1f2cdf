package dev.ferry.routing;

/**
 * Hears changes to a {@link RoutingStore}. Callbacks come in the order the changes were made,
 * on the thread that made them; they must not block.
 */
public interface RoutingListener {

    /** An app was deployed or redeployed. */
    default void appDeployed(AppDeployment deployment) {}

    /** A container was added or changed state. */
    default void containerUpdated(ContainerInfo container) {}

    /** A container is gone (stopped or exited). */
    default void containerRemoved(ContainerInfo container) {}
}
