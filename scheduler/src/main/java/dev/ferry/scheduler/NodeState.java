package dev.ferry.scheduler;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The bookkeeping of one worker in a {@link Cluster}: what is free on it now, kept up to date
 * on every allocate and release so that placing never sums allocations.
 */
final class NodeState {

    /** Where this node's counters live in the cluster's per-function arrays. */
    final int slot;

    final Map<String, Allocation> allocations = new LinkedHashMap<>();
    /** Its position in the cluster's views of workers without GPUs; -1 when it has GPUs. */
    int cpuPosition = -1;

    Node node;
    long freeMillis;
    long freeMemoryMib;
    int freeGpus;
    /** The node's GPUs by ascending index. */
    Gpu[] gpus;
    /** The container holding each GPU, by position in {@link #gpus}; null while free. */
    String[] owners;
    /** The pool of each GPU, by position in {@link #gpus}. */
    GpuPool[] poolOf;
    /** One pool per model, by model name. */
    GpuPool[] pools;

    NodeState(Node node, int slot) {
        this.slot = slot;
        reset(node);
    }

    /** Takes {@code node}'s capacity and lays the allocations already here over it again. */
    void reset(Node node) {
        this.node = node;
        gpus = node.gpus().toArray(Gpu[]::new);
        Arrays.sort(gpus, Comparator.comparingInt(Gpu::index));
        owners = new String[gpus.length];
        poolOf = new GpuPool[gpus.length];
        Map<String, List<Integer>> byModel = new TreeMap<>();
        for (int i = 0; i < gpus.length; i++) {
            byModel.computeIfAbsent(gpus[i].model(), m -> new ArrayList<>()).add(i);
        }
        pools = new GpuPool[byModel.size()];
        int p = 0;
        for (var entry : byModel.entrySet()) {
            GpuPool pool = new GpuPool(this, entry.getKey(), entry.getValue().size());
            pools[p++] = pool;
            entry.getValue().forEach(i -> poolOf[i] = pool);
        }
        freeMillis = Checks.millis(node.cpus());
        freeMemoryMib = node.memoryMib();
        freeGpus = gpus.length;
        for (Allocation allocation : allocations.values()) {
            take(allocation);
        }
    }

    /** The position of GPU {@code index} in {@link #gpus}, or -1 when this node has none. */
    int position(int index) {
        int low = 0;
        int high = gpus.length - 1;
        while (low <= high) {
            int mid = (low + high) >>> 1;
            int at = gpus[mid].index();
            if (at < index) {
                low = mid + 1;
            } else if (at > index) {
                high = mid - 1;
            } else {
                return mid;
            }
        }
        return -1;
    }

    /** Counts {@code allocation} as held here; {@link Cluster#allocate} has checked that it fits. */
    void take(Allocation allocation) {
        freeMillis -= Checks.millis(allocation.cpu());
        freeMemoryMib -= allocation.memoryMib();
        for (int index : allocation.gpus()) {
            int at = position(index);
            if (at >= 0) {
                owners[at] = allocation.containerId();
                poolOf[at].free--;
                freeGpus--;
            }
        }
    }

    void give(Allocation allocation) {
        freeMillis += Checks.millis(allocation.cpu());
        freeMemoryMib += allocation.memoryMib();
        for (int index : allocation.gpus()) {
            int at = position(index);
            if (at >= 0 && allocation.containerId().equals(owners[at])) {
                owners[at] = null;
                poolOf[at].free++;
                freeGpus++;
            }
        }
    }

    /** The lowest {@code count} free GPU indices of {@code pool}, which has that many free. */
    List<Integer> pickFree(GpuPool pool, int count) {
        Integer[] picked = new Integer[count];
        int n = 0;
        for (int i = 0; i < gpus.length && n < count; i++) {
            if (owners[i] == null && poolOf[i] == pool) {
                picked[n++] = gpus[i].index();
            }
        }
        return List.of(picked);
    }

    List<Integer> freeGpuIndices() {
        List<Integer> free = new ArrayList<>(freeGpus);
        for (int i = 0; i < gpus.length; i++) {
            if (owners[i] == null) {
                free.add(gpus[i].index());
            }
        }
        return free;
    }

    String id() {
        return node.id();
    }
}
