package dev.ferry.controller;

import dev.ferry.request.protocol.FunctionSettings;
import dev.ferry.routing.ContainerInfo;
import dev.ferry.routing.ContainerState;
import dev.ferry.routing.DeployedFunction;
import dev.ferry.routing.WorkerGpu;
import dev.ferry.routing.WorkerInfo;
import dev.ferry.scheduler.Allocation;
import dev.ferry.scheduler.Cluster;
import dev.ferry.scheduler.Demand;
import dev.ferry.scheduler.Gpu;
import dev.ferry.scheduler.HeartbeatPolicy;
import dev.ferry.scheduler.Node;
import java.time.Instant;
import java.util.List;

/**
 * The store's workers and containers as the {@link dev.ferry.scheduler.Scheduler} sees them,
 * and a function's settings as the demand of one more container.
 */
final class ClusterView {

    /** CPU cores a function reserves per container when it does not say: Modal's default. */
    static final double DEFAULT_CPU = 0.125;

    /** Memory a function reserves per container when it does not say, in MiB: Modal's default. */
    static final long DEFAULT_MEMORY_MIB = 128;

    private static final System.Logger logger = System.getLogger(ClusterView.class.getName());

    private ClusterView() {}

    /** The live workers (by {@code heartbeats} at {@code now}) with what their placed containers hold. */
    static Cluster of(
            List<WorkerInfo> workers, List<ContainerInfo> containers, Instant now, HeartbeatPolicy heartbeats) {
        Cluster cluster = Cluster.create();
        for (WorkerInfo w : workers) {
            if (!heartbeats.lost(w.heartbeat(), now)) {
                cluster.putNode(node(w));
            }
        }
        for (ContainerInfo c : containers) {
            if (c.unplaced()
                    || c.state() == ContainerState.FAILED
                    || cluster.node(c.worker()).isEmpty()) {
                continue;
            }
            try {
                cluster.allocate(new Allocation(
                        c.id(),
                        c.function().toString(),
                        c.worker(),
                        c.resources().cpu(),
                        c.resources().memoryMib(),
                        c.resources().gpus()));
            } catch (IllegalArgumentException e) {
                // Two records claim one GPU or more than the worker has: only a worker that shrank
                // or stale records do that. Place around what fits; the worker refuses doubles.
                logger.log(
                        System.Logger.Level.WARNING,
                        "container " + c.id() + " on " + c.worker() + ": " + e.getMessage());
            }
        }
        return cluster;
    }

    static Node node(WorkerInfo w) {
        List<Gpu> gpus = w.gpus().stream()
                .map((WorkerGpu g) -> new Gpu(g.index(), g.uuid(), g.model(), g.memoryMib()))
                .toList();
        return new Node(w.id(), w.cpus(), w.memoryBytes() / (1024 * 1024), gpus, w.labels());
    }

    /** What one more container of {@code function} needs. */
    static Demand demand(DeployedFunction function) {
        FunctionSettings s = function.settings();
        return new Demand(
                function.id().toString(),
                s.cpu() > 0 ? s.cpu() : DEFAULT_CPU,
                s.memoryMib() > 0 ? s.memoryMib() : DEFAULT_MEMORY_MIB,
                s.gpuRequests(),
                s.workerLabels());
    }
}
