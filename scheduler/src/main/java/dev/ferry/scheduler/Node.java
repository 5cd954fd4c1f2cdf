package dev.ferry.scheduler;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A worker's capacity, as it reports it: what the scheduler may hand out on it.
 *
 * @param id the worker's id, unique in the cluster
 * @param cpus CPUs containers may use, {@code >= 0}; fractions are kept to a thousandth
 * @param memoryMib memory containers may use, MiB, {@code >= 0}
 * @param gpus its GPUs, each index once
 * @param labels its labels, e.g. {@code zone=eu}, which a {@link Demand} may require
 */
public record Node(String id, double cpus, long memoryMib, List<Gpu> gpus, Map<String, String> labels) {

    public Node {
        Checks.name("id", id);
        Checks.cpus("cpus", cpus);
        Checks.memory("memoryMib", memoryMib);
        gpus = List.copyOf(gpus);
        labels = Map.copyOf(labels);
        Set<Integer> seen = new HashSet<>();
        for (Gpu gpu : gpus) {
            if (!seen.add(gpu.index())) {
                throw new IllegalArgumentException(
                        "node " + id + ": gpu index " + gpu.index() + " is listed twice (expected: each index once)");
            }
        }
    }

    /** A node without GPUs or labels. */
    public static Node of(String id, double cpus, long memoryMib) {
        return new Node(id, cpus, memoryMib, List.of(), Map.of());
    }
}
