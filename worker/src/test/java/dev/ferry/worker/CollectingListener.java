package dev.ferry.worker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/** A container listener that keeps every change, and lets a test wait for one. */
final class CollectingListener implements ContainerListener {

    /** A change as heard, with the exit code and exit as the container reported them at that moment. */
    record Change(Container container, ContainerState state, OptionalInt exitCode, Optional<ContainerExit> exit) {}

    private final List<Change> changes = new ArrayList<>();

    @Override
    public synchronized void stateChanged(Container container, ContainerState state) {
        changes.add(new Change(container, state, container.exitCode(), container.exit()));
        notifyAll();
    }

    /** The states {@code containerId} went through, in order. */
    synchronized List<ContainerState> states(String containerId) {
        return changes.stream()
                .filter(c -> c.container().id().equals(containerId))
                .map(Change::state)
                .toList();
    }

    /** The containers heard of, in the order they were first heard of. */
    synchronized List<Container> containers() {
        return changes.stream().map(Change::container).distinct().toList();
    }

    /** Waits until {@code containerId} has been heard entering {@code state}. */
    synchronized Change await(String containerId, ContainerState state, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            for (Change change : changes) {
                if (change.container().id().equals(containerId) && change.state() == state) {
                    return change;
                }
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError(
                        containerId + " not heard " + state + " within " + timeout + "; heard " + changes);
            }
            wait(Math.max(1, Duration.ofNanos(left).toMillis()));
        }
    }

    /** Waits until a first container has been heard of (it is STARTING then). */
    synchronized Container awaitFirst(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (changes.isEmpty()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("no container heard of within " + timeout);
            }
            wait(Math.max(1, Duration.ofNanos(left).toMillis()));
        }
        return changes.get(0).container();
    }
}
