package dev.ferry.routing;

import java.util.Objects;

/**
 * One GPU a worker offers.
 *
 * @param index its index as {@code nvidia-smi} numbers it
 * @param uuid its UUID, {@code GPU-…}: what a container is given in CUDA_VISIBLE_DEVICES,
 *     which stays right whatever order CUDA enumerates devices in
 * @param model its model as {@link dev.ferry.request.protocol.GpuRequest#modelOf} names it, e.g. "H100"
 * @param memoryMib its memory
 */
public record WorkerGpu(int index, String uuid, String model, long memoryMib) {

    public WorkerGpu {
        Objects.requireNonNull(uuid, "uuid");
        Objects.requireNonNull(model, "model");
        if (index < 0 || memoryMib < 0) {
            throw new IllegalArgumentException(
                    "gpu " + index + " " + uuid + ": memory " + memoryMib + " (expected: none negative)");
        }
    }
}
