package dev.ferry.gateway;

import dev.ferry.routing.ContainerInfo;
import io.grpc.ManagedChannel;

/**
 * A ready container as its function's pool sees it: its channel and how many of its input
 * slots are taken. Guarded by the owning {@link FunctionPool}'s monitor.
 */
final class ContainerSlots {

    final ContainerInfo info;
    final ManagedChannel channel;
    int inFlight;

    ContainerSlots(ContainerInfo info, ManagedChannel channel) {
        this.info = info;
        this.channel = channel;
    }

    boolean hasFreeSlot() {
        return inFlight < info.maxInputs();
    }
}
