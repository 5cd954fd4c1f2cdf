package dev.ferry.scheduler;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A container placed on a worker, and what it holds there.
 *
 * @param containerId the container's id, unique in the cluster
 * @param function the function it runs: containers of one function are spread across workers
 * @param node the id of its worker
 * @param cpu CPUs it holds, {@code >= 0}
 * @param memoryMib memory it holds, MiB, {@code >= 0}
 * @param gpus the indices of the GPUs it holds on its worker, each once; empty for none
 */
public record Allocation(
        String containerId, String function, String node, double cpu, long memoryMib, List<Integer> gpus) {

    public Allocation {
        Checks.name("containerId", containerId);
        Checks.name("function", function);
        Checks.name("node", node);
        Checks.cpus("cpu", cpu);
        Checks.memory("memoryMib", memoryMib);
        gpus = List.copyOf(gpus);
        Set<Integer> seen = new HashSet<>();
        for (int gpu : gpus) {
            if (!seen.add(gpu)) {
                throw new IllegalArgumentException("container " + containerId + ": gpus " + gpus + " name gpu " + gpu
                        + " twice (expected: each index once)");
            }
        }
    }

    /** The allocation that carries out {@code placed} for a new container of {@code demand}. */
    public static Allocation of(String containerId, Demand demand, Decision.Placed placed) {
        return new Allocation(
                containerId, demand.function(), placed.node(), demand.cpu(), demand.memoryMib(), placed.gpus());
    }
}
