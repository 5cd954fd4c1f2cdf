package dev.ferry.routing;

/** Where a container is in its life. A container that exited is removed, not kept in a state. */
public enum ContainerState {
    /** The process is starting; it takes no calls yet. */
    STARTING,
    /** It takes calls. */
    READY,
    /** It finishes the calls it has and takes no new ones. */
    STOPPING
}
