package dev.ferry.scheduler;

import java.util.Objects;

/**
 * One GPU of a worker.
 *
 * @param index the device index on its worker, as {@code nvidia-smi} numbers it, {@code >= 0}
 * @param uuid the device's UUID, as reported; may be empty when unknown
 * @param model the model as {@link dev.ferry.request.protocol.GpuRequest#modelOf} names it,
 *     e.g. {@code "H100"}, {@code "A100-80GB"}
 * @param memoryMib the device's total memory, MiB
 */
public record Gpu(int index, String uuid, String model, long memoryMib) {

    public Gpu {
        if (index < 0) {
            throw new IllegalArgumentException("index: " + index + " (expected: >= 0)");
        }
        Objects.requireNonNull(uuid, "uuid");
        Objects.requireNonNull(model, "model");
        if (model.isBlank()) {
            throw new IllegalArgumentException("model: \"" + model + "\" (expected: a model name, e.g. H100)");
        }
        if (memoryMib < 0) {
            throw new IllegalArgumentException("memoryMib: " + memoryMib + " (expected: >= 0)");
        }
    }
}
