package dev.ferry.gateway;

import dev.ferry.routing.ContainerInfo;

/**
 * A ready container as its function's pool sees it: its channels and how many of its input
 * slots are taken. Guarded by the owning {@link FunctionPool}'s monitor.
 */
final class ContainerSlots {

    final ContainerInfo info;
    final ContainerChannels channels;
    int inFlight;

    ContainerSlots(ContainerInfo info, ContainerChannels channels) {
        this.info = info;
        this.channels = channels;
    }

    boolean hasFreeSlot() {
        return inFlight < info.maxInputs();
    }
}
