package dev.ferry.scheduler;

import dev.ferry.request.protocol.GpuRequest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The workers of a cluster and the containers placed on them, with what is free on each
 * worker kept up to date on every change, so that {@link Scheduler#place} reads it without
 * summing anything.
 *
 * <p>The controller owns one, fills it from the registry (workers first, then their
 * containers) and keeps it in step: {@link #putNode} on a worker's report, {@link #allocate}
 * for every container it places or learns of, {@link #release} when one stops,
 * {@link #removeNode} when a worker is lost.
 *
 * <p>Not thread-safe: one thread, or the caller's lock, at a time. Nothing here does I/O.
 */
public final class Cluster {

    private final Map<String, NodeState> nodes = new HashMap<>();
    private final Map<String, Allocation> allocations = new LinkedHashMap<>();
    private final Map<String, FunctionSpread> functions = new HashMap<>();
    private final ArrayDeque<Integer> freeSlots = new ArrayDeque<>();
    private int slots;

    // What the scheduler scans, rebuilt on its first read after a worker joins, leaves or changes.
    private boolean stale;
    private NodeState[] byId = {};
    private NodeState[] cpuNodes = {};
    // The workers without GPUs again, by id, with their free CPU and memory mirrored into flat
    // arrays: CPU-only placement scans these, and a pass over primitives stays in cache.
    private int[] cpuSlots = {};
    private long[] cpuFreeMillis = {};
    private long[] cpuFreeMemory = {};
    private NodeState[] gpuNodes = {};
    private final Map<String, GpuPool[]> poolsByType = new HashMap<>();
    private final Map<List<String>, boolean[]> labelMatches = new HashMap<>();

    private Cluster() {}

    /** An empty cluster. */
    public static Cluster create() {
        return new Cluster();
    }

    /**
     * What is free on a worker now.
     *
     * @param cpus CPUs not held by its containers; below zero when the worker reported less
     *     than its containers hold
     * @param memoryMib memory not held by its containers, MiB; below zero likewise
     * @param gpus the indices of its GPUs no container holds, ascending
     */
    public record Free(double cpus, long memoryMib, List<Integer> gpus) {
        public Free {
            gpus = List.copyOf(gpus);
        }
    }

    /**
     * Adds a worker, or takes a worker's new report. A worker that reports again keeps its
     * containers: if it now has less than they hold, its free CPU or memory goes below zero
     * and nothing more is placed there until enough are released; GPUs it no longer reports
     * are simply gone from the bookkeeping.
     */
    public void putNode(Node node) {
        Objects.requireNonNull(node, "node");
        NodeState state = nodes.get(node.id());
        if (state == null) {
            int slot = freeSlots.isEmpty() ? slots++ : freeSlots.pop();
            nodes.put(node.id(), new NodeState(node, slot));
        } else if (!state.node.equals(node)) {
            state.reset(node);
        } else {
            return;
        }
        stale = true;
    }

    /**
     * Removes a worker and every container placed on it, as when the worker is lost.
     *
     * @return the containers it had, which no longer run; empty when there is no such worker
     */
    public List<Allocation> removeNode(String id) {
        NodeState state = nodes.get(id);
        if (state == null) {
            return List.of();
        }
        List<Allocation> lost = List.copyOf(state.allocations.values());
        for (Allocation allocation : lost) {
            release(allocation.containerId());
        }
        nodes.remove(id);
        freeSlots.push(state.slot);
        stale = true;
        return lost;
    }

    /**
     * Counts a container as placed: its CPU, memory and GPUs are no longer free on its worker.
     *
     * @throws IllegalArgumentException naming the container, the worker and what is wrong,
     *     when the container is already placed, the worker is unknown, has no such GPU, the
     *     GPU is held by another container, or the CPU or memory free there is too little;
     *     the cluster is then unchanged
     */
    public void allocate(Allocation allocation) {
        Objects.requireNonNull(allocation, "allocation");
        String container = allocation.containerId();
        Allocation existing = allocations.get(container);
        if (existing != null) {
            throw new IllegalArgumentException(
                    "container " + container + " is already placed on worker " + existing.node());
        }
        NodeState state = nodes.get(allocation.node());
        if (state == null) {
            throw new IllegalArgumentException("container " + container + ": no worker " + allocation.node());
        }
        for (int index : allocation.gpus()) {
            int at = state.position(index);
            if (at < 0) {
                throw new IllegalArgumentException(
                        "container " + container + ": worker " + state.id() + " has no gpu " + index);
            }
            if (state.owners[at] != null) {
                throw new IllegalArgumentException("container " + container + ": gpu " + index + " on worker "
                        + state.id() + " is already held by container " + state.owners[at]);
            }
        }
        long millis = Checks.millis(allocation.cpu());
        if (millis > state.freeMillis || allocation.memoryMib() > state.freeMemoryMib) {
            throw new IllegalArgumentException("container " + container + " needs " + Checks.cpus(millis) + " CPUs and "
                    + allocation.memoryMib() + " MiB, but worker " + state.id() + " has "
                    + Checks.cpus(state.freeMillis)
                    + " CPUs and " + state.freeMemoryMib + " MiB free");
        }
        state.take(allocation);
        mirror(state);
        state.allocations.put(container, allocation);
        allocations.put(container, allocation);
        functions
                .computeIfAbsent(allocation.function(), f -> new FunctionSpread())
                .add(state.slot, 1);
    }

    /**
     * Frees what a container held.
     *
     * @return its allocation; empty when it was not placed
     */
    public Optional<Allocation> release(String containerId) {
        Allocation allocation = allocations.remove(containerId);
        if (allocation == null) {
            return Optional.empty();
        }
        NodeState state = nodes.get(allocation.node());
        state.give(allocation);
        mirror(state);
        state.allocations.remove(containerId);
        FunctionSpread spread = functions.get(allocation.function());
        spread.add(state.slot, -1);
        if (spread.total == 0) {
            functions.remove(allocation.function());
        }
        return Optional.of(allocation);
    }

    /** The workers, by id. */
    public List<Node> nodes() {
        refresh();
        List<Node> list = new ArrayList<>(byId.length);
        for (NodeState state : byId) {
            list.add(state.node);
        }
        return list;
    }

    /** The worker {@code id}, as last put. */
    public Optional<Node> node(String id) {
        NodeState state = nodes.get(id);
        return state == null ? Optional.empty() : Optional.of(state.node);
    }

    /** Every placed container, in the order they were allocated. */
    public List<Allocation> allocations() {
        return List.copyOf(allocations.values());
    }

    /** The containers on worker {@code node}, in the order they were allocated; empty for an unknown worker. */
    public List<Allocation> allocationsOn(String node) {
        NodeState state = nodes.get(node);
        return state == null ? List.of() : List.copyOf(state.allocations.values());
    }

    /** The container {@code containerId}'s allocation, if it is placed. */
    public Optional<Allocation> allocation(String containerId) {
        return Optional.ofNullable(allocations.get(containerId));
    }

    /** What is free on worker {@code node} now; empty for an unknown worker. */
    public Optional<Free> free(String node) {
        NodeState state = nodes.get(node);
        if (state == null) {
            return Optional.empty();
        }
        return Optional.of(new Free(state.freeMillis / 1000.0, state.freeMemoryMib, state.freeGpuIndices()));
    }

    /** How many containers of {@code function} are on worker {@code node}. */
    public int containersOf(String function, String node) {
        NodeState state = nodes.get(node);
        return state == null ? 0 : spreadOf(function).count(state.slot);
    }

    // ---- what the scheduler reads

    /** The workers by id, then those without GPUs and those with, both by id. */
    NodeState[] byId() {
        refresh();
        return byId;
    }

    NodeState[] cpuNodes() {
        refresh();
        return cpuNodes;
    }

    /** Slot by position in {@link #cpuNodes}. */
    int[] cpuSlots() {
        refresh();
        return cpuSlots;
    }

    /** Free thousandths of a CPU by position in {@link #cpuNodes}. */
    long[] cpuFreeMillis() {
        refresh();
        return cpuFreeMillis;
    }

    /** Free memory, MiB, by position in {@link #cpuNodes}. */
    long[] cpuFreeMemory() {
        refresh();
        return cpuFreeMemory;
    }

    NodeState[] gpuNodes() {
        refresh();
        return gpuNodes;
    }

    /** The GPU pools whose model a request of {@code type} accepts, by worker id then model. */
    GpuPool[] pools(String type) {
        refresh();
        GpuPool[] pools = poolsByType.get(type);
        if (pools == null) {
            GpuRequest request = new GpuRequest(type, 1);
            List<GpuPool> list = new ArrayList<>();
            for (NodeState state : gpuNodes) {
                for (GpuPool pool : state.pools) {
                    if (request.accepts(pool.model)) {
                        list.add(pool);
                    }
                }
            }
            pools = list.toArray(GpuPool[]::new);
            poolsByType.put(type, pools);
        }
        return pools;
    }

    /** By slot, whether the worker there has all of {@code labels}; null when there are none to have. */
    boolean[] labelMatch(List<String> labels) {
        if (labels.isEmpty()) {
            return null;
        }
        refresh();
        boolean[] match = labelMatches.get(labels);
        if (match == null) {
            match = new boolean[slots];
            for (NodeState state : byId) {
                match[state.slot] = hasAll(state.node, labels);
            }
            labelMatches.put(labels, match);
        }
        return match;
    }

    /** How many containers of {@code function} each slot has. */
    FunctionSpread spreadOf(String function) {
        FunctionSpread spread = functions.get(function);
        return spread == null ? FunctionSpread.NONE : spread;
    }

    int slots() {
        return slots;
    }

    private static boolean hasAll(Node node, List<String> labels) {
        for (String label : labels) {
            int eq = label.indexOf('=');
            if (!label.substring(eq + 1).equals(node.labels().get(label.substring(0, eq)))) {
                return false;
            }
        }
        return true;
    }

    private void refresh() {
        if (!stale) {
            return;
        }
        byId = nodes.values().toArray(NodeState[]::new);
        Arrays.sort(byId, Comparator.comparing(NodeState::id));
        cpuNodes = Arrays.stream(byId).filter(s -> s.gpus.length == 0).toArray(NodeState[]::new);
        gpuNodes = Arrays.stream(byId).filter(s -> s.gpus.length > 0).toArray(NodeState[]::new);
        cpuSlots = new int[cpuNodes.length];
        cpuFreeMillis = new long[cpuNodes.length];
        cpuFreeMemory = new long[cpuNodes.length];
        for (NodeState state : gpuNodes) {
            state.cpuPosition = -1;
        }
        for (int i = 0; i < cpuNodes.length; i++) {
            cpuNodes[i].cpuPosition = i;
            cpuSlots[i] = cpuNodes[i].slot;
        }
        stale = false;
        for (NodeState state : cpuNodes) {
            mirror(state);
        }
        poolsByType.clear();
        labelMatches.clear();
    }

    /** Copies a worker's free CPU and memory into the flat arrays, unless they are to be rebuilt anyway. */
    private void mirror(NodeState state) {
        if (!stale && state.cpuPosition >= 0) {
            cpuFreeMillis[state.cpuPosition] = state.freeMillis;
            cpuFreeMemory[state.cpuPosition] = state.freeMemoryMib;
        }
    }

    /** Containers of one function per slot. */
    static final class FunctionSpread {

        static final FunctionSpread NONE = new FunctionSpread();

        private int[] perSlot = new int[0];
        private int total;

        int count(int slot) {
            return slot < perSlot.length ? perSlot[slot] : 0;
        }

        void add(int slot, int delta) {
            if (slot >= perSlot.length) {
                perSlot = Arrays.copyOf(perSlot, Math.max(slot + 1, perSlot.length * 2));
            }
            perSlot[slot] += delta;
            total += delta;
        }
    }
}
