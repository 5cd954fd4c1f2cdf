package dev.ferry.scheduler;

import static dev.ferry.scheduler.Nodes.cpu;
import static dev.ferry.scheduler.Nodes.gpu;
import static dev.ferry.scheduler.Nodes.gpuDemand;
import static dev.ferry.scheduler.Nodes.placeAndAllocate;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.request.protocol.GpuRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SchedulerTest {

    private final Scheduler scheduler = Scheduler.create();
    private final Cluster cluster = Cluster.create();

    @Test
    void placesOnAWorkerThatFitsAndLeavesTheClusterAlone() {
        cluster.putNode(cpu("small", 1, 1024));
        cluster.putNode(cpu("big", 8, 16_384));

        Decision decision = scheduler.place(Demand.of("f", 2, 4096), cluster);

        assertThat(decision).isEqualTo(new Decision.Placed("big", List.of(), Optional.empty()));
        assertThat(cluster.allocations()).isEmpty();
        assertThat(cluster.free("big").orElseThrow().cpus()).isEqualTo(8.0);
    }

    @Test
    void packsByLeastLeftoverCpuThenMemoryThenId() {
        cluster.putNode(cpu("a", 8, 8192));
        cluster.putNode(cpu("b", 4, 8192));
        cluster.putNode(cpu("c", 4, 4096));
        cluster.putNode(cpu("d", 4, 4096));

        assertThat(place(Demand.of("f", 1, 1024))).isEqualTo("c");
        assertThat(place(Demand.of("f", 1, 8192))).isEqualTo("b");
    }

    @Test
    void spreadsOneFunctionsContainersAcrossWorkersBeforePacking() {
        cluster.putNode(cpu("a", 16, 65_536));
        cluster.putNode(cpu("b", 16, 65_536));
        cluster.putNode(cpu("c", 16, 65_536));

        List<String> nodes = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            nodes.add(
                    placeAndAllocate(cluster, "f-" + i, Demand.of("f", 1, 1024)).node());
        }

        assertThat(nodes).containsExactly("a", "b", "c", "a", "b", "c");
        // Another function packs onto the tightest worker with none of its own; all are equal, so by id.
        assertThat(placeAndAllocate(cluster, "g-0", Demand.of("g", 4, 1024)).node())
                .isEqualTo("a");
        assertThat(placeAndAllocate(cluster, "g-1", Demand.of("g", 1, 1024)).node())
                .isEqualTo("b");
        assertThat(cluster.containersOf("f", "a")).isEqualTo(2);
    }

    @Test
    void spreadingGivesWayWhereOnlyOneWorkerFits() {
        cluster.putNode(cpu("a", 16, 65_536));
        cluster.putNode(cpu("b", 1, 65_536));
        placeAndAllocate(cluster, "f-0", Demand.of("f", 2, 1024));

        assertThat(place(Demand.of("f", 2, 1024))).isEqualTo("a");
    }

    @Test
    void cpuOnlyContainersKeepOffGpuWorkersWhileACpuWorkerFits() {
        cluster.putNode(gpu("a-gpu", "H100", 8));
        cluster.putNode(cpu("z-cpu", 2, 4096));

        assertThat(placeAndAllocate(cluster, "c1", Demand.of("f", 2, 1024)).node())
                .isEqualTo("z-cpu");
        assertThat(placeAndAllocate(cluster, "c2", Demand.of("f", 2, 1024)).node())
                .isEqualTo("a-gpu");
    }

    @Test
    void cpuOnlyContainersOnGpuWorkersGoWhereTheGpusAreMostUsed() {
        cluster.putNode(gpu("a", "H100", 8));
        cluster.putNode(gpu("b", "H100", 8));
        cluster.allocate(new Allocation("busy", "train", "b", 0, 0, List.of(0, 1, 2)));

        assertThat(place(Demand.of("f", 1, 1024))).isEqualTo("b");
    }

    @Test
    void gpuContainersGetFreeGpusOfTheRequestedModel() {
        cluster.putNode(gpu("a", "A100-80GB", 4));
        cluster.putNode(gpu("b", "H100", 4));
        cluster.allocate(new Allocation("x", "other", "b", 1, 1024, List.of(0)));

        Decision decision = scheduler.place(gpuDemand("f", "H100:2"), cluster);

        assertThat(decision)
                .isEqualTo(new Decision.Placed("b", List.of(1, 2), Optional.of(GpuRequest.parse("H100:2"))));
    }

    @Test
    void oneGpuContainersPackOntoTheFullestWorker() {
        cluster.putNode(gpu("a", "H100", 8));
        cluster.putNode(gpu("b", "H100", 8));
        cluster.putNode(gpu("c", "H100", 8));
        cluster.allocate(new Allocation("x", "other", "c", 1, 1024, List.of(0, 1, 2, 3, 4)));
        cluster.allocate(new Allocation("y", "other", "b", 1, 1024, List.of(0, 1)));

        assertThat(place(gpuDemand("f", "H100"))).isEqualTo("c");
        assertThat(scheduler.place(gpuDemand("f", "H100:4"), cluster))
                .isInstanceOfSatisfying(
                        Decision.Placed.class,
                        placed -> assertThat(placed)
                                .isEqualTo(new Decision.Placed(
                                        "b", List.of(2, 3, 4, 5), Optional.of(GpuRequest.parse("H100:4")))));
    }

    @Test
    void sevenOneGpuContainersLeaveAWholeWorkerForAnEightGpuJob() {
        cluster.putNode(gpu("a", "H100", 8));
        cluster.putNode(gpu("b", "H100", 8));

        for (int i = 0; i < 7; i++) {
            assertThat(placeAndAllocate(cluster, "small-" + i, gpuDemand("small", "H100"))
                            .node())
                    .isEqualTo("a");
        }
        Decision.Placed big = placeAndAllocate(cluster, "big", gpuDemand("big", "H100:8"));

        assertThat(big.node()).isEqualTo("b");
        assertThat(big.gpus()).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
        assertThat(placeAndAllocate(cluster, "small-7", gpuDemand("small", "H100"))
                        .node())
                .isEqualTo("a");
        assertThat(cluster.free("a").orElseThrow().gpus()).isEmpty();
    }

    @Test
    void spreadsGpuContainersAmongWorkersThatFitEquallyWell() {
        cluster.putNode(gpu("a", "H100", 4));
        cluster.putNode(gpu("b", "H100", 4));
        cluster.allocate(new Allocation("x", "f", "a", 1, 1024, List.of(0)));
        cluster.allocate(new Allocation("y", "g", "b", 1, 1024, List.of(0)));

        assertThat(place(gpuDemand("f", "H100"))).isEqualTo("b");
        assertThat(place(gpuDemand("g", "H100"))).isEqualTo("a");
    }

    @Test
    void triesFallbacksInOrderAndTheFirstThatFitsNowWins() {
        cluster.putNode(gpu("a100", "A100-80GB", 8));
        cluster.putNode(gpu("h100", "H100", 2));
        Demand demand = gpuDemand("f", "H100:2", "A100-80GB:2");

        assertThat(scheduler.place(demand, cluster))
                .isEqualTo(new Decision.Placed("h100", List.of(0, 1), Optional.of(GpuRequest.parse("H100:2"))));
        cluster.allocate(new Allocation("x", "other", "h100", 1, 1024, List.of(1)));
        assertThat(scheduler.place(demand, cluster))
                .isEqualTo(new Decision.Placed("a100", List.of(0, 1), Optional.of(GpuRequest.parse("A100-80GB:2"))));
    }

    @Test
    void aFallbackListIsAnOrderNotABestFit() {
        cluster.putNode(gpu("a", "A100-80GB", 1));
        cluster.putNode(gpu("b", "H100", 8));

        Decision.Placed placed = (Decision.Placed) scheduler.place(gpuDemand("f", "H100", "A100-80GB"), cluster);

        assertThat(placed.node()).isEqualTo("b");
        assertThat(placed.gpu()).contains(GpuRequest.parse("H100"));
    }

    @Test
    void oneContainersGpusAreOfOneModel() {
        List<Gpu> gpus = List.of(
                new Gpu(0, "u0", "A100-40GB", 40_960),
                new Gpu(1, "u1", "A100-80GB", 81_920),
                new Gpu(2, "u2", "A100-80GB", 81_920));
        cluster.putNode(new Node("mixed", 32, 65_536, gpus, Map.of()));

        assertThat(scheduler.place(gpuDemand("f", "A100:2"), cluster))
                .isEqualTo(new Decision.Placed("mixed", List.of(1, 2), Optional.of(GpuRequest.parse("A100:2"))));
        assertThat(scheduler.place(gpuDemand("f", "any"), cluster))
                .isEqualTo(new Decision.Placed("mixed", List.of(0), Optional.of(GpuRequest.parse("any"))));
        assertThat(scheduler.place(gpuDemand("f", "any:3"), cluster)).isInstanceOf(Decision.Unschedulable.class);
    }

    @Test
    void gpuContainersNeedCpuAndMemoryBesideTheGpus() {
        cluster.putNode(gpu("a", 4, 8192, Map.of(), "H100", 8));
        cluster.putNode(gpu("b", 64, 65_536, Map.of(), "H100", 8));
        cluster.allocate(new Allocation("x", "other", "a", 0, 0, List.of(0)));

        Demand demand = new Demand("f", 8, 4096, List.of(GpuRequest.parse("H100")), List.of());
        assertThat(place(demand)).isEqualTo("b");
    }

    @Test
    void honoursLabels() {
        cluster.putNode(new Node("a", 16, 65_536, List.of(), Map.of("zone", "us")));
        cluster.putNode(new Node("b", 4, 8192, List.of(), Map.of("zone", "eu", "disk", "ssd")));
        cluster.putNode(new Node("c", 8, 8192, List.of(), Map.of("zone", "eu")));

        assertThat(place(new Demand("f", 1, 1024, List.of(), List.of("zone=eu"))))
                .isEqualTo("b");
        assertThat(place(new Demand("f", 1, 1024, List.of(), List.of("zone=eu", "disk=ssd"))))
                .isEqualTo("b");
        assertThat(place(new Demand("f", 6, 1024, List.of(), List.of("zone=eu"))))
                .isEqualTo("c");
        assertThat(place(new Demand("f", 1, 1024, List.of(), List.of("zone=us"))))
                .isEqualTo("a");
    }

    @Test
    void seesWorkersThatJoinLeaveAndChange() {
        cluster.putNode(cpu("a", 4, 4096));
        assertThat(place(Demand.of("f", 8, 1024))).isNull();

        cluster.putNode(cpu("a", 8, 4096));
        assertThat(place(Demand.of("f", 8, 1024))).isEqualTo("a");

        cluster.putNode(new Node("b", 16, 4096, List.of(), Map.of("zone", "eu")));
        Demand eu = new Demand("f", 8, 1024, List.of(), List.of("zone=eu"));
        assertThat(place(eu)).isEqualTo("b");
        cluster.removeNode("b");
        assertThat(place(eu)).isNull();
        cluster.putNode(gpu("c", "L4", 1));
        assertThat(place(gpuDemand("f", "L4"))).isEqualTo("c");
    }

    @Test
    void everyPlacementCanBeAllocatedAndNothingFitsWhenItSaysSo() {
        // A seeded random walk of places, releases and worker churn, checked against a brute force over the free
        // capacity.
        java.util.Random random = new java.util.Random(42);
        List<String> models = List.of("H100", "A100-80GB", "A100-40GB");
        for (int n = 0; n < 12; n++) {
            if (n % 3 == 0) {
                cluster.putNode(cpu("cpu-" + n, 4 + random.nextInt(12), 4096L * (1 + random.nextInt(8))));
            } else {
                cluster.putNode(gpu(
                        "gpu-" + n,
                        8 + random.nextInt(32),
                        65_536,
                        Map.of(),
                        models.get(random.nextInt(models.size())),
                        1 + random.nextInt(8)));
            }
        }
        List<String> requests = List.of("H100", "A100", "A100-80GB:2", "any:4", "H100:8", "any");
        int placed = 0;
        for (int i = 0; i < 2000; i++) {
            if (i % 250 == 249) {
                // Worker churn: one is lost and comes back empty, another reports new capacity.
                List<Node> nodes = cluster.nodes();
                Node lost = nodes.get(random.nextInt(nodes.size()));
                cluster.removeNode(lost.id());
                cluster.putNode(lost);
                Node changed = nodes.get(random.nextInt(nodes.size()));
                cluster.putNode(new Node(
                        changed.id(),
                        Math.max(1, changed.cpus() + random.nextInt(-2, 3)),
                        changed.memoryMib(),
                        changed.gpus(),
                        changed.labels()));
                continue;
            }
            if (!cluster.allocations().isEmpty() && random.nextInt(3) == 0) {
                List<Allocation> all = cluster.allocations();
                cluster.release(all.get(random.nextInt(all.size())).containerId());
                continue;
            }
            List<GpuRequest> gpu = random.nextBoolean()
                    ? List.of()
                    : GpuRequest.parseAll(List.of(requests.get(random.nextInt(requests.size()))));
            Demand demand = new Demand(
                    "f" + random.nextInt(4),
                    0.25 * (1 + random.nextInt(8)),
                    256L * (1 + random.nextInt(16)),
                    gpu,
                    List.of());
            Decision decision = scheduler.place(demand, cluster);
            if (decision instanceof Decision.Placed p) {
                cluster.allocate(Allocation.of("c" + i, demand, p));
                placed++;
            } else {
                assertThat(anyFits(demand)).as("%s: %s", demand, decision).isFalse();
            }
        }
        assertThat(placed).isGreaterThan(500);
    }

    private boolean anyFits(Demand demand) {
        for (Node node : cluster.nodes()) {
            Cluster.Free free = cluster.free(node.id()).orElseThrow();
            if (free.cpus() < demand.cpu() || free.memoryMib() < demand.memoryMib()) {
                continue;
            }
            if (demand.gpu().isEmpty()) {
                return true;
            }
            for (GpuRequest request : demand.gpu()) {
                for (Gpu gpu : node.gpus()) {
                    long sameModelFree = node.gpus().stream()
                            .filter(g ->
                                    g.model().equals(gpu.model()) && free.gpus().contains(g.index()))
                            .count();
                    if (request.accepts(gpu.model()) && sameModelFree >= request.count()) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /** The worker a demand goes to, or null when it is unschedulable. */
    private String place(Demand demand) {
        return scheduler.place(demand, cluster) instanceof Decision.Placed placed ? placed.node() : null;
    }
}
