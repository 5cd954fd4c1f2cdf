package dev.ferry.worker;

/**
 * Hears a {@link Worker}'s containers change state.
 *
 * <p>Calls are made one at a time, never concurrently, and in the order the changes
 * happened, for all containers of a worker; so a listener needs no locking of its own. They
 * run on the worker's threads (among them the ones that read container output), so a
 * listener must return quickly and not block. It may call back into the worker, for example
 * to start a replacement from {@link ContainerState#EXITED}; changes caused by that call are
 * delivered after the current one. A listener that throws is logged and skipped.
 */
@FunctionalInterface
public interface ContainerListener {

    /**
     * {@code container} entered {@code state}. The container's {@link Container#state()}
     * may already be further along by the time this runs; for {@link ContainerState#EXITED},
     * {@link Container#exitCode()} and {@link Container#exit()} are set.
     */
    void stateChanged(Container container, ContainerState state);
}
