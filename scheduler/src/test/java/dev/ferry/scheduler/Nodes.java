package dev.ferry.scheduler;

import dev.ferry.request.protocol.GpuRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Workers and demands for tests, written short. */
final class Nodes {

    private Nodes() {}

    static Node cpu(String id, double cpus, long memoryMib) {
        return Node.of(id, cpus, memoryMib);
    }

    static Node gpu(String id, String model, int count) {
        return gpu(id, 64, 512 * 1024, Map.of(), model, count);
    }

    static Node gpu(String id, double cpus, long memoryMib, Map<String, String> labels, String model, int count) {
        List<Gpu> gpus = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            gpus.add(new Gpu(i, "GPU-" + id + "-" + i, model, 81_920));
        }
        return new Node(id, cpus, memoryMib, gpus, labels);
    }

    static Demand gpuDemand(String function, String... gpus) {
        return new Demand(function, 1, 1024, GpuRequest.parseAll(List.of(gpus)), List.of());
    }

    /** Places and allocates one container, which must fit; returns where it went. */
    static Decision.Placed placeAndAllocate(Cluster cluster, String containerId, Demand demand) {
        Decision decision = Scheduler.create().place(demand, cluster);
        if (!(decision instanceof Decision.Placed placed)) {
            throw new AssertionError(containerId + ": " + decision);
        }
        cluster.allocate(Allocation.of(containerId, demand, placed));
        return placed;
    }
}
