package dev.ferry.perf.placement;

import dev.ferry.request.protocol.GpuRequest;
import dev.ferry.scheduler.Allocation;
import dev.ferry.scheduler.Cluster;
import dev.ferry.scheduler.Decision;
import dev.ferry.scheduler.Demand;
import dev.ferry.scheduler.Gpu;
import dev.ferry.scheduler.Node;
import dev.ferry.scheduler.Scheduler;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The cluster and the stream of containers {@link PlacementBenchmark} places: 1,000 workers
 * (900 CPU workers of 16 CPUs and 64 GiB, 100 GPU workers of 96 CPUs, 1 TiB and eight GPUs,
 * 60 with H100 and 40 with A100-80GB; half the workers in {@code zone=eu}, half in
 * {@code zone=us}) and 10,000 containers of 30 functions in a seeded random order.
 *
 * <p>95.5% are CPU-only: 24 functions of 0.25 to 2 CPUs and 256 MiB to 4 GiB, one in eight
 * of them pinned to {@code zone=eu}; they fill about 60% of the CPU workers. 4.5% ask for
 * GPUs: one GPU (70%: H100; A100-80GB or H100; any), two (25%: H100:2 or A100-80GB:2) or
 * eight (5%: H100:8), about 720 of the 800 GPUs but more H100s than the 480 there are, so
 * the last H100 jobs meet a full, fragmented cluster and some are unschedulable (21 of them),
 * as on a busy day; unschedulable decisions, which explain themselves, are measured too.
 */
final class PlacementWorkload {

    static final int CPU_WORKERS = 900;
    static final int GPU_WORKERS = 100;
    static final int CONTAINERS = 10_000;

    private PlacementWorkload() {}

    static List<Node> workers() {
        List<Node> nodes = new ArrayList<>(CPU_WORKERS + GPU_WORKERS);
        for (int i = 0; i < CPU_WORKERS; i++) {
            nodes.add(new Node(String.format("cpu-%03d", i), 16, 65_536, List.of(), zone(i)));
        }
        for (int i = 0; i < GPU_WORKERS; i++) {
            String model = i < 60 ? "H100" : "A100-80GB";
            List<Gpu> gpus = new ArrayList<>(8);
            for (int g = 0; g < 8; g++) {
                gpus.add(new Gpu(g, "GPU-" + i + "-" + g, model, 81_920));
            }
            nodes.add(new Node(String.format("gpu-%03d", i), 96, 1_048_576, gpus, zone(i)));
        }
        return nodes;
    }

    private static Map<String, String> zone(int i) {
        return Map.of("zone", i % 2 == 0 ? "eu" : "us");
    }

    static Demand[] demands() {
        double[] cpus = {0.25, 0.5, 1, 2};
        long[] memories = {256, 512, 1024, 2048, 4096};
        List<Demand> cpuFunctions = new ArrayList<>();
        for (int f = 0; f < 24; f++) {
            List<String> labels = f % 8 == 7 ? List.of("zone=eu") : List.of();
            cpuFunctions.add(
                    new Demand("web-" + f, cpus[f % cpus.length], memories[f % memories.length], List.of(), labels));
        }
        Demand[] oneGpu = {
            gpu("llm-h100", 8, 65_536, "H100"),
            gpu("embed", 4, 32_768, "A100-80GB", "H100"),
            gpu("diffusion", 8, 65_536, "any"),
        };
        Demand twoGpus = gpu("llm-70b", 16, 131_072, "H100:2", "A100-80GB:2");
        Demand eightGpus = gpu("train", 64, 524_288, "H100:8");

        SplittableRandom random = new SplittableRandom(2025);
        Demand[] demands = new Demand[CONTAINERS];
        for (int i = 0; i < CONTAINERS; i++) {
            if (random.nextInt(1000) >= 45) {
                demands[i] = cpuFunctions.get(random.nextInt(cpuFunctions.size()));
            } else {
                int kind = random.nextInt(100);
                demands[i] = kind < 70 ? oneGpu[random.nextInt(oneGpu.length)] : kind < 95 ? twoGpus : eightGpus;
            }
        }
        return demands;
    }

    private static Demand gpu(String function, double cpu, long memoryMib, String... gpus) {
        return new Demand(function, cpu, memoryMib, GpuRequest.parseAll(List.of(gpus)), List.of());
    }

    static Cluster freshCluster(List<Node> workers) {
        Cluster cluster = Cluster.create();
        workers.forEach(cluster::putNode);
        cluster.nodes(); // builds the scheduler's views now, outside the measurement
        return cluster;
    }

    /** Places and allocates every demand in order; returns how many were placed. */
    static int placeAll(Scheduler scheduler, Cluster cluster, Demand[] demands, String[] containerIds) {
        int placed = 0;
        for (int i = 0; i < demands.length; i++) {
            if (scheduler.place(demands[i], cluster) instanceof Decision.Placed p) {
                cluster.allocate(Allocation.of(containerIds[i], demands[i], p));
                placed++;
            }
        }
        return placed;
    }

    static String[] containerIds() {
        String[] ids = new String[CONTAINERS];
        for (int i = 0; i < CONTAINERS; i++) {
            ids[i] = "c-" + i;
        }
        return ids;
    }
}
