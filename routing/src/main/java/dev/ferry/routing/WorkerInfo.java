package dev.ferry.routing;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A worker as the cluster sees it: what it offers and when it last said it is alive.
 *
 * @param id unique worker id
 * @param host the address its containers listen on, as gateways reach them
 * @param cpus CPU cores it offers to containers
 * @param memoryBytes memory it offers to containers
 * @param gpus GPUs it offers to containers
 * @param labels free-form labels for placement ({@code zone=eu}, {@code gpu=h100})
 * @param heartbeat when it last reported
 * @param pool its warm pool, as of the heartbeat
 */
public record WorkerInfo(
        String id,
        String host,
        int cpus,
        long memoryBytes,
        List<WorkerGpu> gpus,
        Map<String, String> labels,
        Instant heartbeat,
        WorkerPool pool) {

    public WorkerInfo {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(pool, "pool");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(heartbeat, "heartbeat");
        labels = Map.copyOf(labels);
        gpus = List.copyOf(gpus);
        if (id.isEmpty()) {
            throw new IllegalArgumentException("worker id: empty (expected: a non-empty id)");
        }
        if (cpus < 0 || memoryBytes < 0) {
            throw new IllegalArgumentException("worker " + id + " capacity: cpus " + cpus + ", memory " + memoryBytes
                    + " (expected: none negative)");
        }
    }

    /** A worker without a warm pool. */
    public WorkerInfo(
            String id,
            String host,
            int cpus,
            long memoryBytes,
            List<WorkerGpu> gpus,
            Map<String, String> labels,
            Instant heartbeat) {
        this(id, host, cpus, memoryBytes, gpus, labels, heartbeat, WorkerPool.NONE);
    }

    /** This worker with a new heartbeat time. */
    public WorkerInfo withHeartbeat(Instant at) {
        return new WorkerInfo(id, host, cpus, memoryBytes, gpus, labels, at, pool);
    }

    /** This worker with its pool as it is now. */
    public WorkerInfo withPool(WorkerPool pool) {
        return new WorkerInfo(id, host, cpus, memoryBytes, gpus, labels, heartbeat, pool);
    }
}
