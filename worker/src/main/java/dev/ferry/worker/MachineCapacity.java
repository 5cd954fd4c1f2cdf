package dev.ferry.worker;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.util.List;

/**
 * What a machine offers containers: CPU cores, memory and GPUs. A worker reports it to the
 * scheduler.
 *
 * @param cpuCores the cores this JVM may use (its cgroup's or affinity's limit, where set)
 * @param memoryMib the machine's memory in MiB (its cgroup's limit, where set)
 * @param gpus the machine's GPUs
 */
public record MachineCapacity(int cpuCores, long memoryMib, List<GpuDevice> gpus) {

    public MachineCapacity {
        gpus = List.copyOf(gpus);
        if (cpuCores < 1) {
            throw new IllegalArgumentException("cpuCores: " + cpuCores + " (expected: > 0)");
        }
        if (memoryMib < 0) {
            throw new IllegalArgumentException("memoryMib: " + memoryMib + " (expected: >= 0)");
        }
    }

    /**
     * This machine's cores ({@link Runtime#availableProcessors()}) and memory (the operating
     * system's total, as the JVM sees it: a container's limit where it has one), with the GPUs
     * {@code detector} finds.
     *
     * @throws IllegalStateException as {@link GpuDetector#detect()}
     */
    public static MachineCapacity detect(GpuDetector detector) {
        return new MachineCapacity(Runtime.getRuntime().availableProcessors(), totalMemoryMib(), detector.detect());
    }

    /** This machine's memory, MiB, as {@link #detect} reads it; 0 where the JVM cannot tell. */
    public static long totalMemoryMib() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        long bytes = os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getTotalMemorySize() : 0;
        return bytes / (1024 * 1024);
    }
}
