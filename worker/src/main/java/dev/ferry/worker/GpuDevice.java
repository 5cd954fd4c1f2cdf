package dev.ferry.worker;

import java.util.Objects;

/**
 * One GPU of a machine, as {@code nvidia-smi} lists it (see {@link GpuDetector}).
 *
 * @param index nvidia-smi's index, from 0
 * @param uuid the GPU's UUID, e.g. {@code GPU-dfa0340b-6fd2-01a8-5b83-9f4e7a7ec0f3}: how
 *     controllers and containers name it ({@link ContainerSpec#gpus()})
 * @param name the product name, e.g. {@code NVIDIA H100 80GB HBM3}
 * @param memoryMib the GPU's memory in MiB
 */
public record GpuDevice(int index, String uuid, String name, long memoryMib) {

    public GpuDevice {
        Objects.requireNonNull(uuid, "uuid");
        Objects.requireNonNull(name, "name");
        if (index < 0) {
            throw new IllegalArgumentException("index: " + index + " (expected: >= 0)");
        }
        if (uuid.isBlank() || uuid.chars().anyMatch(c -> c == ',' || Character.isWhitespace(c))) {
            throw new IllegalArgumentException(
                    "uuid: \"" + uuid + "\" (expected: a GPU UUID, without commas or whitespace)");
        }
        if (name.isBlank()) {
            throw new IllegalArgumentException("name: \"" + name + "\" (expected: a product name)");
        }
        if (memoryMib < 0) {
            throw new IllegalArgumentException("memoryMib: " + memoryMib + " (expected: >= 0)");
        }
    }
}
