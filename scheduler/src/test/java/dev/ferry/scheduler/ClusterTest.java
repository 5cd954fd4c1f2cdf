package dev.ferry.scheduler;

import static dev.ferry.scheduler.Nodes.cpu;
import static dev.ferry.scheduler.Nodes.gpu;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClusterTest {

    private final Cluster cluster = Cluster.create();

    @Test
    void keepsFreeCapacityOnAllocateAndRelease() {
        cluster.putNode(gpu("a", 16, 65_536, Map.of(), "H100", 4));

        cluster.allocate(new Allocation("c1", "f", "a", 0.1, 1024, List.of(1, 3)));
        cluster.allocate(new Allocation("c2", "f", "a", 0.2, 2048, List.of()));

        assertThat(cluster.free("a")).contains(new Cluster.Free(15.7, 62_464, List.of(0, 2)));
        assertThat(cluster.allocationsOn("a"))
                .extracting(Allocation::containerId)
                .containsExactly("c1", "c2");
        assertThat(cluster.containersOf("f", "a")).isEqualTo(2);

        assertThat(cluster.release("c1")).map(Allocation::containerId).contains("c1");
        assertThat(cluster.release("c1")).isEmpty();
        assertThat(cluster.free("a")).contains(new Cluster.Free(15.8, 63_488, List.of(0, 1, 2, 3)));
        assertThat(cluster.allocations()).extracting(Allocation::containerId).containsExactly("c2");
        assertThat(cluster.containersOf("f", "a")).isEqualTo(1);
    }

    @Test
    void countsFractionalCpusExactly() {
        cluster.putNode(cpu("a", 1.6, 65_536));
        for (int i = 0; i < 16; i++) {
            cluster.allocate(new Allocation("c" + i, "f", "a", 0.1, 1, List.of()));
        }
        assertThat(cluster.free("a").orElseThrow().cpus()).isEqualTo(0.0);
    }

    @Test
    void neverPutsTwoContainersOnOneGpu() {
        cluster.putNode(gpu("a", "H100", 2));
        cluster.allocate(new Allocation("c1", "f", "a", 1, 1024, List.of(1)));

        assertThatThrownBy(() -> cluster.allocate(new Allocation("c2", "f", "a", 1, 1024, List.of(0, 1))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("container c2: gpu 1 on worker a is already held by container c1");
        assertThat(cluster.free("a").orElseThrow().gpus()).containsExactly(0);
        assertThat(cluster.allocations()).hasSize(1);
    }

    @Test
    void refusesOvercommitNamingWhatIsFree() {
        cluster.putNode(cpu("a", 4, 4096));
        cluster.allocate(new Allocation("c1", "f", "a", 3, 1024, List.of()));

        assertThatThrownBy(() -> cluster.allocate(new Allocation("c2", "f", "a", 2, 1024, List.of())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("container c2 needs 2.0 CPUs and 1024 MiB, but worker a has 1.0 CPUs and 3072 MiB free");
        assertThatThrownBy(() -> cluster.allocate(new Allocation("c2", "f", "a", 1, 4096, List.of())))
                .hasMessageContaining("has 1.0 CPUs and 3072 MiB free");
        assertThat(cluster.free("a").orElseThrow().cpus()).isEqualTo(1.0);
    }

    @Test
    void refusesUnknownWorkersGpusAndContainersPlacedTwice() {
        cluster.putNode(gpu("a", "H100", 2));
        cluster.allocate(new Allocation("c1", "f", "a", 1, 1024, List.of()));

        assertThatThrownBy(() -> cluster.allocate(new Allocation("c2", "f", "b", 1, 1024, List.of())))
                .hasMessage("container c2: no worker b");
        assertThatThrownBy(() -> cluster.allocate(new Allocation("c2", "f", "a", 1, 1024, List.of(2))))
                .hasMessage("container c2: worker a has no gpu 2");
        assertThatThrownBy(() -> cluster.allocate(new Allocation("c1", "f", "a", 1, 1024, List.of())))
                .hasMessage("container c1 is already placed on worker a");
        assertThatThrownBy(() -> new Allocation("c3", "f", "a", 1, 1024, List.of(0, 0)))
                .hasMessage("container c3: gpus [0, 0] name gpu 0 twice (expected: each index once)");
    }

    @Test
    void removingAWorkerReturnsTheContainersItHad() {
        cluster.putNode(gpu("a", "H100", 2));
        cluster.putNode(cpu("b", 4, 4096));
        cluster.allocate(new Allocation("c1", "f", "a", 1, 1024, List.of(0)));
        cluster.allocate(new Allocation("c2", "g", "b", 1, 1024, List.of()));
        cluster.allocate(new Allocation("c3", "f", "a", 1, 1024, List.of(1)));

        List<Allocation> lost = cluster.removeNode("a");

        assertThat(lost).extracting(Allocation::containerId).containsExactly("c1", "c3");
        assertThat(cluster.allocations()).extracting(Allocation::containerId).containsExactly("c2");
        assertThat(cluster.nodes()).extracting(Node::id).containsExactly("b");
        assertThat(cluster.free("a")).isEmpty();
        assertThat(cluster.containersOf("f", "a")).isZero();
        assertThat(cluster.removeNode("a")).isEmpty();

        // The worker comes back empty: its GPUs are free again.
        cluster.putNode(gpu("a", "H100", 2));
        assertThat(cluster.free("a").orElseThrow().gpus()).containsExactly(0, 1);
        cluster.allocate(new Allocation("c4", "f", "a", 1, 1024, List.of(0, 1)));
    }

    @Test
    void aWorkerThatReportsLessKeepsItsContainers() {
        cluster.putNode(gpu("a", 8, 8192, Map.of(), "H100", 4));
        cluster.allocate(new Allocation("c1", "f", "a", 6, 4096, List.of(3)));

        cluster.putNode(gpu("a", 4, 8192, Map.of(), "H100", 2));

        assertThat(cluster.allocationsOn("a"))
                .extracting(Allocation::containerId)
                .containsExactly("c1");
        assertThat(cluster.free("a")).contains(new Cluster.Free(-2.0, 4096, List.of(0, 1)));
        assertThat(Scheduler.create().place(Demand.of("g", 1, 1), cluster)).isInstanceOf(Decision.Unschedulable.class);
        cluster.release("c1");
        assertThat(cluster.free("a")).contains(new Cluster.Free(4.0, 8192, List.of(0, 1)));
    }

    @Test
    void listsWorkersById() {
        cluster.putNode(cpu("c", 1, 1));
        cluster.putNode(cpu("a", 1, 1));
        cluster.putNode(cpu("b", 1, 1));
        assertThat(cluster.nodes()).extracting(Node::id).containsExactly("a", "b", "c");
        assertThat(cluster.node("b")).contains(cpu("b", 1, 1));
    }

    @Test
    void valueTypesCheckTheirArguments() {
        assertThatThrownBy(() -> Node.of("a", -1, 1)).hasMessage("cpus: -1.0 (expected: a finite number >= 0)");
        assertThatThrownBy(() -> Node.of(" ", 1, 1)).hasMessage("id: \" \" (expected: not blank)");
        assertThatThrownBy(() ->
                        new Node("a", 1, 1, List.of(new Gpu(0, "", "H100", 1), new Gpu(0, "", "H100", 1)), Map.of()))
                .hasMessage("node a: gpu index 0 is listed twice (expected: each index once)");
        assertThatThrownBy(() -> Demand.of("f", Double.NaN, 1)).hasMessage("cpu: NaN (expected: a finite number >= 0)");
        assertThatThrownBy(() -> new Demand("f", 1, 1, List.of(), List.of("zone")))
                .hasMessage("label: \"zone\" (expected: key=value, e.g. zone=eu)");
        assertThatThrownBy(() -> new Gpu(-1, "", "H100", 1)).hasMessage("index: -1 (expected: >= 0)");
    }
}
