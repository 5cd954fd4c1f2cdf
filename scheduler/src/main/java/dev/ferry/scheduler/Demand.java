package dev.ferry.scheduler;

import dev.ferry.request.protocol.GpuRequest;
import java.util.List;

/**
 * What one new container of a function needs.
 *
 * @param function the function; its containers are spread across workers
 * @param cpu CPUs, {@code >= 0}; fractions are kept to a thousandth
 * @param memoryMib memory, MiB, {@code >= 0}
 * @param gpu GPU requests in order of preference: the first one some worker can serve now
 *     wins; empty for no GPU
 * @param labels {@code key=value} labels the worker must all have; empty for any worker
 */
public record Demand(String function, double cpu, long memoryMib, List<GpuRequest> gpu, List<String> labels) {

    public Demand {
        Checks.name("function", function);
        Checks.cpus("cpu", cpu);
        Checks.memory("memoryMib", memoryMib);
        gpu = List.copyOf(gpu);
        labels = List.copyOf(labels);
        for (String label : labels) {
            int eq = label.indexOf('=');
            if (eq < 1) {
                throw new IllegalArgumentException("label: \"" + label + "\" (expected: key=value, e.g. zone=eu)");
            }
        }
    }

    /** A demand for CPU and memory only, on any worker. */
    public static Demand of(String function, double cpu, long memoryMib) {
        return new Demand(function, cpu, memoryMib, List.of(), List.of());
    }
}
