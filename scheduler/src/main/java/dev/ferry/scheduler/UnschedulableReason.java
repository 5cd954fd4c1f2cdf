package dev.ferry.scheduler;

import dev.ferry.request.protocol.GpuRequest;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Why no worker may take a demand's container, in the words {@link Scheduler}'s javadoc
 * lists. Runs only when placing failed, so it may take its time: it checks each condition in
 * the order that names the first one the cluster lacks.
 */
final class UnschedulableReason {

    private UnschedulableReason() {}

    static String of(Demand demand, Cluster cluster) {
        NodeState[] all = cluster.byId();
        if (all.length == 0) {
            return "no worker has joined the cluster";
        }
        boolean[] labels = cluster.labelMatch(demand.labels());
        List<NodeState> eligible = new ArrayList<>();
        for (NodeState node : all) {
            if (labels == null || labels[node.slot]) {
                eligible.add(node);
            }
        }
        String labelText = String.join(", ", demand.labels());
        if (eligible.isEmpty()) {
            return "no worker has labels " + labelText;
        }
        String noWorker = labels == null ? "no worker" : "no worker with labels " + labelText;
        long cpu = Checks.millis(demand.cpu());
        long memory = demand.memoryMib();
        if (demand.gpu().isEmpty()) {
            return noWorker + " has " + resources(cpu, memory) + " (" + largestFree(eligible) + ")";
        }

        String requests = alternatives(demand.gpu());
        boolean anyCapable = false;
        Set<NodeState> withFree = new LinkedHashSet<>();
        List<String> details = new ArrayList<>();
        for (GpuRequest request : demand.gpu()) {
            int capable = 0;
            int mostFree = 0;
            for (NodeState node : eligible) {
                boolean has = false;
                for (GpuPool pool : node.pools) {
                    if (request.accepts(pool.model) && pool.total >= request.count()) {
                        has = true;
                        mostFree = Math.max(mostFree, pool.free);
                        if (pool.free >= request.count()) {
                            withFree.add(node);
                        }
                    }
                }
                capable += has ? 1 : 0;
            }
            anyCapable |= capable > 0;
            details.add(
                    capable == 0
                            ? "none has " + request
                            : capable
                                    + (capable == 1 ? " worker has " : " workers have ")
                                    + typeName(request)
                                    + (mostFree == 0 ? ", all in use" : ", at most " + mostFree + " free"));
        }
        if (!anyCapable) {
            return noWorker + " has gpu " + requests;
        }
        if (withFree.isEmpty()) {
            return noWorker + " has a free gpu " + requests + " (" + String.join("; ", details) + ")";
        }
        String noWorkerWithGpu = labels == null
                ? "no worker with a free gpu " + requests
                : "no worker with labels " + labelText + " and a free gpu " + requests;
        return noWorkerWithGpu + " has " + resources(cpu, memory) + " (" + largestFree(withFree) + ")";
    }

    private static String resources(long cpu, long memory) {
        if (cpu == 0 && memory > 0) {
            return memory + " MiB free";
        }
        if (memory == 0 && cpu > 0) {
            return Checks.cpus(cpu) + " CPUs free";
        }
        return Checks.cpus(cpu) + " CPUs and " + memory + " MiB free";
    }

    /** The most free CPU and the most free memory, and where: one worker when it has the most of both. */
    private static String largestFree(Iterable<NodeState> nodes) {
        NodeState mostCpu = null;
        NodeState mostMemory = null;
        for (NodeState node : nodes) {
            if (mostCpu == null || node.freeMillis > mostCpu.freeMillis) {
                mostCpu = node;
            }
            if (mostMemory == null || node.freeMemoryMib > mostMemory.freeMemoryMib) {
                mostMemory = node;
            }
        }
        String cpus = Checks.cpus(Math.max(0, mostCpu.freeMillis)) + " CPUs";
        String memory = Math.max(0, mostMemory.freeMemoryMib) + " MiB";
        if (mostCpu.freeMemoryMib == mostMemory.freeMemoryMib) {
            return "largest free: " + cpus + " and " + memory + " on " + mostCpu.id();
        }
        return "largest free: " + cpus + " on " + mostCpu.id() + ", " + memory + " on " + mostMemory.id();
    }

    private static String typeName(GpuRequest request) {
        return request.type().equals("ANY") ? "GPUs" : request.type();
    }

    /** {@code H100:2}, {@code H100:2 or A100-80GB:2}, {@code H100:2, L40S:2 or A100-80GB:2}. */
    private static String alternatives(List<GpuRequest> requests) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < requests.size(); i++) {
            if (i > 0) {
                text.append(i == requests.size() - 1 ? " or " : ", ");
            }
            text.append(requests.get(i));
        }
        return text.toString();
    }
}
