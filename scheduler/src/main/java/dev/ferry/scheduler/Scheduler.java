package dev.ferry.scheduler;

import dev.ferry.request.protocol.GpuRequest;
import java.util.List;
import java.util.Optional;

/**
 * Decides which worker a new container goes to.
 *
 * <h2>Which workers may take it</h2>
 * A worker may take a container of a {@link Demand} when it has every one of the demand's
 * labels, and its free CPU and memory cover the demand's, and, when the demand asks for GPUs,
 * it has that many free GPUs of one model the request accepts. A container never spans
 * models: {@code A100:2} gets two 40 GB or two 80 GB boards, not one of each.
 *
 * <p>GPU requests are a fallback list: the first request that some worker can serve now
 * wins, even when a later one would fit better.
 *
 * <h2>Which of them it goes to</h2>
 * Workers are compared by these keys, each breaking the ties of the one before:
 * <ul>
 *   <li><b>GPU containers</b>: (1) fewest free GPUs of the model in question, i.e. best fit
 *       on GPUs; (2) fewest containers of the same function; (3) least free CPU, then (4)
 *       least free memory; (5) worker id.
 *   <li><b>CPU-only containers</b>: (0) workers without GPUs first; on a worker with GPUs
 *       only when none without fits, and then the one with fewest free GPUs first; (1)
 *       fewest containers of the same function; (2) least free CPU, then (3) least free
 *       memory; (4) worker id.
 * </ul>
 *
 * <p>Why GPU packing comes before spreading: GPUs are the scarce, whole-unit resource. A
 * one-GPU container put on an empty eight-GPU worker because that worker has fewer replicas
 * of its function takes that worker away from every eight-GPU job until it stops; packing
 * keeps whole workers whole, so two eight-GPU workers serve seven one-GPU containers and an
 * eight-GPU job. Losing a worker then takes more replicas of one function at once, which
 * the autoscaler replaces; an eight-GPU job that never fits is not replaced by anything.
 * Spreading still decides among workers whose GPUs fit equally well.
 *
 * <p>Why spreading comes before packing for CPU-only containers: they are small next to a
 * worker, so leftovers rarely strand a later container, while the loss of one worker should
 * take as few replicas of a function with it as possible. They keep off GPU workers because
 * the CPU and memory there are what GPU containers need; when they must go there, they go
 * where the GPUs are most used already.
 *
 * <p>Ties on every key go to the lowest worker id, so a decision depends only on the
 * cluster's state, never on the order workers joined in or on hashing.
 *
 * <h2>Why not</h2>
 * When no worker may take the container the decision is {@link Decision.Unschedulable}, with
 * one of these reasons, short and safe to show the function's owner (labels as the demand
 * lists them; a GPU list as {@code H100:2, L40S:2 or A100-80GB:2}):
 * <ul>
 *   <li>{@code no worker has joined the cluster}
 *   <li>{@code no worker has labels zone=eu, tier=gpu}: no worker has all of them
 *   <li>{@code no worker has gpu H100:2 or A100-80GB:2}: none has that many GPUs of such a
 *       model at all
 *   <li>{@code no worker has a free gpu H100:2 (2 workers have H100, all in use)}: some have
 *       them, none has enough free; per request, {@code at most 1 free} instead of
 *       {@code all in use}, or {@code none has A100-80GB:2}
 *   <li>{@code no worker has 4.0 CPUs and 8192 MiB free (largest free: 2.0 CPUs on w1, 4096 MiB on w2)}
 *       ({@code ... 2.0 CPUs and 4096 MiB on w1} when one worker has the most of both)
 *   <li>{@code no worker with a free gpu H100:2 has 4.0 CPUs and 8192 MiB free (largest free: ...)}:
 *       the GPUs are there, the CPU or memory beside them is not
 * </ul>
 * With labels, {@code no worker} reads {@code no worker with labels zone=eu} and
 * {@code no worker with a free gpu H100} reads {@code no worker with labels zone=eu and a free gpu H100}.
 * A demand of no CPU (or no memory) leaves that part out.
 *
 * <p>Stateless and thread-safe itself, but it reads a {@link Cluster}, which is not: place and
 * change a cluster from one thread at a time. {@link #place} does not block and does not
 * change what the cluster holds. It costs one pass over the workers that could take the container (GPU
 * containers: only workers with an accepted model) and allocates only the decision.
 */
public final class Scheduler {

    private static final Scheduler INSTANCE = new Scheduler();

    private Scheduler() {}

    /** The scheduler. */
    public static Scheduler create() {
        return INSTANCE;
    }

    /**
     * Decides where a new container of {@code demand} goes, without changing {@code cluster}:
     * the caller starts the container and {@linkplain Cluster#allocate allocates} it, e.g.
     * with {@link Allocation#of}, before the next decision.
     */
    public Decision place(Demand demand, Cluster cluster) {
        long cpu = Checks.millis(demand.cpu());
        long memory = demand.memoryMib();
        boolean[] labels = cluster.labelMatch(demand.labels());
        Cluster.FunctionSpread spread = cluster.spreadOf(demand.function());
        if (demand.gpu().isEmpty()) {
            int position = bestWithoutGpus(cluster, cpu, memory, labels, spread);
            if (position >= 0) {
                return new Decision.Placed(cluster.cpuNodes()[position].id(), List.of(), Optional.empty());
            }
            NodeState best = bestAmongGpuNodes(cluster.gpuNodes(), cpu, memory, labels, spread);
            if (best != null) {
                return new Decision.Placed(best.id(), List.of(), Optional.empty());
            }
        } else {
            for (GpuRequest request : demand.gpu()) {
                GpuPool pool = bestPool(cluster.pools(request.type()), request.count(), cpu, memory, labels, spread);
                if (pool != null) {
                    return new Decision.Placed(
                            pool.node.id(), pool.node.pickFree(pool, request.count()), Optional.of(request));
                }
            }
        }
        return new Decision.Unschedulable(UnschedulableReason.of(demand, cluster));
    }

    private static boolean fits(NodeState node, long cpu, long memory, boolean[] labels) {
        return node.freeMillis >= cpu && node.freeMemoryMib >= memory && (labels == null || labels[node.slot]);
    }

    /** Whether {@code node} is a tighter fit than {@code best} on free CPU, then free memory. */
    private static boolean tighter(NodeState node, NodeState best) {
        return node.freeMillis < best.freeMillis
                || node.freeMillis == best.freeMillis && node.freeMemoryMib < best.freeMemoryMib;
    }

    // Each scan visits workers by id and takes a worker only when strictly better: ties go to the lowest id.

    /** The position of the best worker without GPUs in the cluster's flat arrays, or -1 when none fits. */
    private static int bestWithoutGpus(
            Cluster cluster, long cpu, long memory, boolean[] labels, Cluster.FunctionSpread spread) {
        int[] slots = cluster.cpuSlots();
        long[] freeMillis = cluster.cpuFreeMillis();
        long[] freeMemory = cluster.cpuFreeMemory();
        int best = -1;
        int bestCount = 0;
        for (int i = 0; i < slots.length; i++) {
            if (freeMillis[i] < cpu || freeMemory[i] < memory || labels != null && !labels[slots[i]]) {
                continue;
            }
            int count = spread.count(slots[i]);
            if (best < 0
                    || count < bestCount
                    || count == bestCount
                            && (freeMillis[i] < freeMillis[best]
                                    || freeMillis[i] == freeMillis[best] && freeMemory[i] < freeMemory[best])) {
                best = i;
                bestCount = count;
            }
        }
        return best;
    }

    private static NodeState bestAmongGpuNodes(
            NodeState[] nodes, long cpu, long memory, boolean[] labels, Cluster.FunctionSpread spread) {
        NodeState best = null;
        int bestCount = 0;
        for (NodeState node : nodes) {
            if (!fits(node, cpu, memory, labels)) {
                continue;
            }
            int count = spread.count(node.slot);
            if (best == null
                    || node.freeGpus < best.freeGpus
                    || node.freeGpus == best.freeGpus
                            && (count < bestCount || count == bestCount && tighter(node, best))) {
                best = node;
                bestCount = count;
            }
        }
        return best;
    }

    private static GpuPool bestPool(
            GpuPool[] pools, int gpus, long cpu, long memory, boolean[] labels, Cluster.FunctionSpread spread) {
        GpuPool best = null;
        int bestCount = 0;
        for (GpuPool pool : pools) {
            if (pool.free < gpus || !fits(pool.node, cpu, memory, labels)) {
                continue;
            }
            int count = spread.count(pool.node.slot);
            if (best == null
                    || pool.free < best.free
                    || pool.free == best.free
                            && (count < bestCount || count == bestCount && tighter(pool.node, best.node))) {
                best = pool;
                bestCount = count;
            }
        }
        return best;
    }
}
