package dev.ferry.autoscaler;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What the controller saw of one function version at one instant.
 *
 * @param at when; a key's observations come in order (equal instants are allowed)
 * @param concurrency inputs in flight plus queued, summed over all gateways, &ge; 0
 * @param containers the version's containers, draining ones included; ids distinct
 * @param queued of {@code concurrency}, the requests waiting at gateways for a free input
 *     slot: capacity is short now, whatever the averages say
 */
public record Observation(Instant at, int concurrency, List<ContainerLoad> containers, int queued) {

    public Observation {
        Objects.requireNonNull(at, "at");
        if (concurrency < 0) {
            throw new IllegalArgumentException("concurrency: " + concurrency + " (expected: >= 0)");
        }
        if (queued < 0 || queued > concurrency) {
            throw new IllegalArgumentException(
                    "queued: " + queued + " (expected: 0.." + concurrency + ", part of the concurrency)");
        }
        containers = List.copyOf(containers);
        Set<String> ids = new HashSet<>();
        for (ContainerLoad c : containers) {
            if (!ids.add(c.id())) {
                throw new IllegalArgumentException("containers: " + c.id() + " twice (expected: distinct ids)");
            }
        }
    }

    /** An observation with nothing queued. */
    public Observation(Instant at, int concurrency, List<ContainerLoad> containers) {
        this(at, concurrency, containers, 0);
    }

    /** Starting plus ready containers. */
    int current() {
        return (int) containers.stream().filter(ContainerLoad::counts).count();
    }

    /** Ready containers. */
    int ready() {
        return (int) containers.stream()
                .filter(c -> c.phase() == ContainerLoad.Phase.READY)
                .count();
    }
}
