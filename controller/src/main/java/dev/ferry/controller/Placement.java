package dev.ferry.controller;

import dev.ferry.request.protocol.VersionKey;
import dev.ferry.routing.ContainerInfo;
import dev.ferry.routing.ContainerResources;
import dev.ferry.routing.ContainerState;
import dev.ferry.routing.DeployedFunction;
import dev.ferry.routing.RoutingStore;
import dev.ferry.routing.WorkerInfo;
import dev.ferry.scheduler.Allocation;
import dev.ferry.scheduler.Cluster;
import dev.ferry.scheduler.CrashBackoff;
import dev.ferry.scheduler.Decision;
import dev.ferry.scheduler.Demand;
import dev.ferry.scheduler.HeartbeatPolicy;
import dev.ferry.scheduler.Node;
import dev.ferry.scheduler.Scheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Places unplaced containers on workers: each one that a crash back-off does not hold back
 * goes where the {@link Scheduler} finds its CPU, memory, GPUs and labels free, on a worker
 * with a start slot open (a {@link ContainerState#PENDING} record its worker picks up). One
 * that fits nowhere keeps the reason in its record, where gateways and {@code ferry ls} show
 * it. The cluster is rebuilt from the store on every pass. Controller thread only.
 *
 * <p>Warm pools: a container without GPUs goes to a worker with an idle pool member when one
 * fits (it starts there in milliseconds, not a JVM's start), counting each worker's idle
 * members down as the pass places containers on it; only where none fits does the scheduler
 * choose among all workers. A worker's idle members also add to its start slots: an
 * assignment costs the machine little, unlike a fresh JVM.
 */
final class Placement {

    private static final System.Logger logger = System.getLogger(Placement.class.getName());

    private final RoutingStore store;
    private final HeartbeatPolicy heartbeats;
    private final CrashBackoff crashes;
    private final StoreWrites writes;
    private final Scheduler scheduler = Scheduler.create();

    Placement(RoutingStore store, HeartbeatPolicy heartbeats, CrashBackoff crashes, StoreWrites writes) {
        this.store = store;
        this.heartbeats = heartbeats;
        this.crashes = crashes;
        this.writes = writes;
    }

    /**
     * Places every unplaced container that may start: not held back by a crash back-off, and
     * fitting some live worker. One that does not fit keeps the scheduler's reason in its record.
     */
    void placeUnplaced(Instant now) {
        List<ContainerInfo> unplaced = store.containers().stream()
                .filter(ContainerInfo::unplaced)
                .sorted(Comparator.comparing(ContainerInfo::startedAt).thenComparing(ContainerInfo::id))
                .toList();
        // A version warned of once is warned again only after none of its containers waited for room.
        Set<String> waiting = new HashSet<>();
        unplaced.forEach(c -> waiting.add("unschedulable:" + c.versionKey()));
        writes.clearIf(w -> w.startsWith("unschedulable:") && !waiting.contains(w));
        if (unplaced.isEmpty()) {
            return;
        }
        List<ContainerInfo> containers = store.containers();
        List<WorkerInfo> workers = store.workers();
        Cluster cluster = ClusterView.of(workers, containers, now, heartbeats);
        // Workers with a start slot free: the same view, less those starting all they may at once.
        Cluster open = ClusterView.of(workers, containers, now, heartbeats);
        // Idle pool members per worker, as of its last heartbeat, counted down as this pass uses them.
        Map<String, Integer> idleMembers = new HashMap<>();
        workers.forEach(w -> idleMembers.put(w.id(), w.pool().idle()));
        Map<String, Integer> slots = new HashMap<>();
        cluster.nodes().forEach(n -> slots.put(n.id(), startSlots(n, idleMembers.getOrDefault(n.id(), 0))));
        // Open workers with an idle pool member: where a container without GPUs goes first.
        Cluster warm = ClusterView.of(workers, containers, now, heartbeats);
        Map<String, Integer> starting = new HashMap<>();
        for (ContainerInfo c : containers) {
            if (!c.unplaced() && (c.state() == ContainerState.PENDING || c.state() == ContainerState.STARTING)) {
                starting.merge(c.worker(), 1, Integer::sum);
            }
        }
        for (var node : cluster.nodes()) {
            if (starting.getOrDefault(node.id(), 0) >= slots.get(node.id())) {
                open.removeNode(node.id());
                warm.removeNode(node.id());
            } else if (idleMembers.getOrDefault(node.id(), 0) == 0) {
                warm.removeNode(node.id());
            }
        }
        for (ContainerInfo c : unplaced) {
            Optional<DeployedFunction> function = store.currentFunction(c.versionKey());
            if (function.isEmpty()) {
                writes.write(() -> store.removeContainer(c.id())); // its version was replaced before it could start
                continue;
            }
            VersionKey key = c.versionKey();
            if (!crashes.mayStart(key, now)) {
                long wait = Math.max(
                        1,
                        Duration.between(now, crashes.readyAt(key).orElse(now)).toSeconds());
                String reason = (crashes.inCrashLoop(key) ? "crash loop" : "restarting after a crash") + ": "
                        + crashes.lastReason(key).orElse("exited") + "; next start in " + wait + " s";
                setReason(c, reason);
                continue;
            }
            Demand demand = ClusterView.demand(function.get());
            Decision decision = demand.gpu().isEmpty() ? scheduler.place(demand, warm) : null;
            if (!(decision instanceof Decision.Placed)) {
                decision = scheduler.place(demand, open);
            }
            switch (decision) {
                case Decision.Placed placed -> {
                    ContainerResources resources =
                            new ContainerResources(demand.cpu(), demand.memoryMib(), placed.gpus());
                    Allocation allocation = new Allocation(
                            c.id(),
                            c.function().toString(),
                            placed.node(),
                            demand.cpu(),
                            demand.memoryMib(),
                            placed.gpus());
                    cluster.allocate(allocation);
                    open.allocate(allocation);
                    int startingThere = starting.merge(placed.node(), 1, Integer::sum);
                    int idleThere = idleMembers.merge(placed.node(), -1, (a, b) -> Math.max(0, a + b));
                    if (startingThere >= slots.get(placed.node())) {
                        open.removeNode(placed.node());
                        warm.removeNode(placed.node());
                    } else if (idleThere == 0) {
                        warm.removeNode(placed.node());
                    } else if (warm.node(placed.node()).isPresent()) {
                        warm.allocate(allocation);
                    }
                    writes.write(() -> store.putContainer(c.placedOn(placed.node(), resources, now)));
                    logger.log(
                            System.Logger.Level.DEBUG,
                            () -> "placed " + c.id() + " (" + c.function() + ") on " + placed.node());
                }
                case Decision.Unschedulable busy -> {
                    switch (scheduler.place(demand, cluster)) {
                        case Decision.Placed later -> {
                            // It fits, on workers busy starting others: placed as soon as one is ready.
                            // Its room is held in this pass, so the ones after it see what is left.
                            cluster.allocate(new Allocation(
                                    c.id(),
                                    c.function().toString(),
                                    later.node(),
                                    demand.cpu(),
                                    demand.memoryMib(),
                                    later.gpus()));
                            setReason(
                                    c,
                                    ContainerInfo.WAITING
                                            + "a start slot: the workers it fits on are starting all they may at once");
                        }
                        case Decision.Unschedulable no -> {
                            writes.warnOnce(
                                    "unschedulable:" + key,
                                    "cannot place a container of " + c.function() + " " + c.version() + ": "
                                            + no.reason());
                            setReason(c, no.reason());
                        }
                    }
                }
            }
        }
    }

    /**
     * How many containers a worker starts at once: one per core, at least two, plus one per
     * idle pool member it has. A fresh JVM's start is CPU-bound; sixteen at once on two cores
     * make every one of them late, while started in turns the first ones serve seconds sooner.
     * A pool member's assignment costs little CPU, so those start beside them.
     */
    static int startSlots(Node worker, int idleMembers) {
        return Math.max(2, (int) Math.floor(worker.cpus())) + Math.max(0, idleMembers);
    }

    private void setReason(ContainerInfo c, String reason) {
        if (!c.reason().equals(reason)) {
            writes.write(() -> store.putContainer(c.withReason(reason)));
        }
    }
}
