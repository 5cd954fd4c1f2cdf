package dev.ferry.scheduler;

import static dev.ferry.scheduler.Nodes.cpu;
import static dev.ferry.scheduler.Nodes.gpu;
import static dev.ferry.scheduler.Nodes.gpuDemand;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.request.protocol.GpuRequest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UnschedulableReasonTest {

    private final Cluster cluster = Cluster.create();

    @Test
    void anEmptyCluster() {
        assertThat(reason(Demand.of("f", 1, 1024))).isEqualTo("no worker has joined the cluster");
    }

    @Test
    void missingLabels() {
        cluster.putNode(new Node("a", 4, 4096, List.of(), Map.of("zone", "us")));
        cluster.putNode(new Node("b", 4, 4096, List.of(), Map.of("disk", "ssd")));

        assertThat(reason(new Demand("f", 1, 1024, List.of(), List.of("zone=eu"))))
                .isEqualTo("no worker has labels zone=eu");
        assertThat(reason(new Demand("f", 1, 1024, List.of(), List.of("zone=us", "disk=ssd"))))
                .isEqualTo("no worker has labels zone=us, disk=ssd");
    }

    @Test
    void tooLittleCpuOrMemoryNamesTheLargestFree() {
        cluster.putNode(cpu("a", 2, 8192));
        cluster.putNode(cpu("b", 3.5, 2048));

        assertThat(reason(Demand.of("f", 4, 8192)))
                .isEqualTo("no worker has 4.0 CPUs and 8192 MiB free (largest free: 3.5 CPUs on b, 8192 MiB on a)");
        assertThat(reason(Demand.of("f", 0.25, 16_384)))
                .isEqualTo("no worker has 0.25 CPUs and 16384 MiB free (largest free: 3.5 CPUs on b, 8192 MiB on a)");
        assertThat(reason(Demand.of("f", 0, 16_384)))
                .isEqualTo("no worker has 16384 MiB free (largest free: 3.5 CPUs on b, 8192 MiB on a)");
        assertThat(reason(Demand.of("f", 8, 0)))
                .isEqualTo("no worker has 8.0 CPUs free (largest free: 3.5 CPUs on b, 8192 MiB on a)");
    }

    @Test
    void oneWorkerWithTheMostOfBothIsNamedOnce() {
        cluster.putNode(cpu("a", 2, 8192));
        cluster.putNode(cpu("b", 1, 1024));
        cluster.allocate(new Allocation("x", "g", "a", 0.5, 512, List.of()));

        assertThat(reason(Demand.of("f", 4, 8192)))
                .isEqualTo("no worker has 4.0 CPUs and 8192 MiB free (largest free: 1.5 CPUs and 7680 MiB on a)");
    }

    @Test
    void tooLittleCpuAmongLabelledWorkers() {
        cluster.putNode(new Node("a", 16, 65_536, List.of(), Map.of("zone", "us")));
        cluster.putNode(new Node("b", 2, 4096, List.of(), Map.of("zone", "eu")));

        assertThat(reason(new Demand("f", 4, 1024, List.of(), List.of("zone=eu"))))
                .isEqualTo(
                        "no worker with labels zone=eu has 4.0 CPUs and 1024 MiB free (largest free: 2.0 CPUs and 4096 MiB on b)");
    }

    @Test
    void noWorkerHasTheGpu() {
        cluster.putNode(cpu("a", 16, 65_536));
        cluster.putNode(gpu("b", "H100", 1));

        assertThat(reason(gpuDemand("f", "H100:2"))).isEqualTo("no worker has gpu H100:2");
        assertThat(reason(gpuDemand("f", "H100:2", "A100-80GB:2")))
                .isEqualTo("no worker has gpu H100:2 or A100-80GB:2");
        assertThat(reason(gpuDemand("f", "H100:2", "L40S:2", "A100-80GB:2")))
                .isEqualTo("no worker has gpu H100:2, L40S:2 or A100-80GB:2");
        assertThat(reason(gpuDemand("f", "any:2"))).isEqualTo("no worker has gpu any:2");
    }

    @Test
    void noLabelledWorkerHasTheGpu() {
        cluster.putNode(gpu("a", 64, 65_536, Map.of("zone", "us"), "H100", 8));
        cluster.putNode(gpu("b", 64, 65_536, Map.of("zone", "eu"), "L4", 8));

        Demand demand = new Demand("f", 1, 1024, GpuRequest.parseAll(List.of("H100")), List.of("zone=eu"));
        assertThat(reason(demand)).isEqualTo("no worker with labels zone=eu has gpu H100");
    }

    @Test
    void everyGpuIsInUse() {
        cluster.putNode(gpu("a", "H100", 2));
        cluster.putNode(gpu("b", "H100", 2));
        cluster.allocate(new Allocation("x", "g", "a", 1, 1024, List.of(0, 1)));
        cluster.allocate(new Allocation("y", "g", "b", 1, 1024, List.of(0, 1)));

        assertThat(reason(gpuDemand("f", "H100:2")))
                .isEqualTo("no worker has a free gpu H100:2 (2 workers have H100, all in use)");
        assertThat(reason(gpuDemand("f", "any")))
                .isEqualTo("no worker has a free gpu any (2 workers have GPUs, all in use)");
    }

    @Test
    void tooFewGpusFreeOnAnyOneWorker() {
        cluster.putNode(gpu("a", "H100", 2));
        cluster.putNode(gpu("b", "A100-80GB", 8));
        cluster.allocate(new Allocation("x", "g", "a", 1, 1024, List.of(1)));
        cluster.allocate(new Allocation("y", "g", "b", 1, 1024, List.of(0, 1, 2, 3, 4, 5, 6)));

        assertThat(reason(gpuDemand("f", "H100:2")))
                .isEqualTo("no worker has a free gpu H100:2 (1 worker has H100, at most 1 free)");
        assertThat(reason(gpuDemand("f", "H100:2", "A100:2", "H200")))
                .isEqualTo("no worker has a free gpu H100:2, A100:2 or H200 (1 worker has H100, at most 1 free;"
                        + " 1 worker has A100, at most 1 free; none has H200)");
    }

    @Test
    void theGpusAreFreeButNotTheCpuBesideThem() {
        cluster.putNode(cpu("cpu", 64, 262_144));
        cluster.putNode(gpu("a", 8, 65_536, Map.of(), "H100", 8));
        cluster.putNode(gpu("b", 4, 131_072, Map.of("zone", "eu"), "H100", 8));
        cluster.allocate(new Allocation("x", "g", "a", 0, 0, List.of(0, 1, 2, 3, 4, 5, 6)));

        Demand demand = new Demand("f", 16, 8192, GpuRequest.parseAll(List.of("H100:2")), List.of());
        assertThat(reason(demand))
                .isEqualTo("no worker with a free gpu H100:2 has 16.0 CPUs and 8192 MiB free"
                        + " (largest free: 4.0 CPUs and 131072 MiB on b)");
        Demand eu = new Demand("f", 16, 8192, GpuRequest.parseAll(List.of("H100", "A100")), List.of("zone=eu"));
        assertThat(reason(eu))
                .isEqualTo("no worker with labels zone=eu and a free gpu H100 or A100 has 16.0 CPUs and"
                        + " 8192 MiB free (largest free: 4.0 CPUs and 131072 MiB on b)");
    }

    private String reason(Demand demand) {
        Decision decision = Scheduler.create().place(demand, cluster);
        assertThat(decision).isInstanceOf(Decision.Unschedulable.class);
        return ((Decision.Unschedulable) decision).reason();
    }
}
