package dev.ferry.routing;

import java.util.List;

/**
 * What the scheduler set aside for one container on its worker.
 *
 * @param cpu CPU cores
 * @param memoryMib memory in MiB
 * @param gpus the indices (as {@code nvidia-smi} numbers them) of the worker's GPUs it holds
 */
public record ContainerResources(double cpu, long memoryMib, List<Integer> gpus) {

    /** Nothing set aside: containers placed before resources were tracked, and tests. */
    public static final ContainerResources NONE = new ContainerResources(0, 0, List.of());

    public ContainerResources {
        gpus = List.copyOf(gpus);
        if (!(cpu >= 0) || Double.isInfinite(cpu) || memoryMib < 0) { // NaN too; JSON's 1e400 reads as infinity
            throw new IllegalArgumentException(
                    "resources: cpu " + cpu + ", memory " + memoryMib + " MiB (expected: none negative, cpu finite)");
        }
    }
}
