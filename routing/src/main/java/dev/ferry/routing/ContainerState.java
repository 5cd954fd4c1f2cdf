package dev.ferry.routing;

/** Where a container is in its life. A container that exited is removed, not kept in a state. */
public enum ContainerState {
    /** The controller placed it on a worker; the worker has not started its process yet. */
    PENDING,
    /** The process is starting; it takes no calls yet. */
    STARTING,
    /** It takes calls. */
    READY,
    /** It finishes the calls it has and takes no new ones; its worker stops it. */
    STOPPING,
    /**
     * Its process could not start. Gateways fail the requests waiting for it; its worker
     * removes the record right after writing this state.
     */
    FAILED
}
