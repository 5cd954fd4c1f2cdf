package dev.ferry.gateway;

import dev.ferry.routing.ContainerInfo;

/**
 * A ready container as its function's pool sees it: its connections and how many of its input
 * slots this gateway uses. Guarded by the owning {@link FunctionPool}'s monitor.
 */
final class ContainerSlots {

    final ContainerInfo info;
    final ContainerConnections connections;
    /** This gateway's calls on the container. */
    int inFlight;
    /**
     * The slots this gateway may use: the container's maxInputs, or fewer for a while after it
     * refused a call because other gateways' calls hold the rest.
     */
    int limit;
    /** Counts refusals, so that a hold's expiry ends only the latest hold. */
    long holds;

    ContainerSlots(ContainerInfo info, ContainerConnections connections) {
        this.info = info;
        this.connections = connections;
        this.limit = info.maxInputs();
    }

    boolean hasFreeSlot() {
        return inFlight < limit;
    }
}
