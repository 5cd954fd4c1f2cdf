package dev.ferry.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.routing.RoutingStore;
import dev.ferry.routing.WorkerInfo;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The worker role's builder: each option checked at build, named with its value; defaults; nothing runs before start. */
class WorkerRoleTest {

    @TempDir
    Path home;

    private final RoutingStore store = RoutingStore.inMemory();

    @AfterEach
    void closeStore() {
        store.close();
    }

    /** The required options, and one fake GPU: the default detector asks this machine's nvidia-smi. */
    private WorkerRole.Builder required() throws Exception {
        Path nvidiaSmi = FakeNvidiaSmi.write(home, "NVIDIA H100 80GB HBM3", 1);
        return WorkerRole.builder()
                .store(store)
                .id("worker-test")
                .home(home)
                .gpus(GpuDetector.of(List.of(nvidiaSmi.toString()), GpuDetector.DEFAULT_TIMEOUT));
    }

    @Test
    void theAotCacheIsNamedAfterTheRuntimesJarsInTheDirectoryGiven() throws Exception {
        Path jar = java.nio.file.Files.writeString(home.resolve("ferry.jar"), "a build");
        Path shared = home.resolve("shared-aot");

        Path cache = WorkerRole.aotCache(shared, jar.toString()).orElseThrow();
        Path archive = WorkerRole.classDataArchive(home, jar.toString()).orElseThrow();

        assertThat(cache.getParent()).isEqualTo(shared);
        assertThat(cache.getFileName().toString())
                .isEqualTo(archive.getFileName().toString().replace(".jsa", ".aot"));
        assertThat(WorkerRole.aotCache(shared, home.toString())).isEmpty(); // a directory on the class path
    }

    @Test
    void buildNamesTheOptionThatCannotWork() throws Exception {
        assertThatThrownBy(() -> WorkerRole.builder().id("w").home(home).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("store: null (expected: ");
        assertThatThrownBy(() ->
                        WorkerRole.builder().store(store).id(" ").home(home).build())
                .hasMessage("id:   (expected: this worker's id, e.g. worker-<hostname>)");
        assertThatThrownBy(() -> WorkerRole.builder().store(store).id("w").build())
                .hasMessage("home: null (expected: the Ferry home directory)");
        assertThatThrownBy(() -> required().runtimeClasspath("").build())
                .hasMessage("runtimeClasspath:  (expected: the class path of container processes)");
        assertThatThrownBy(() -> required().cpus(-1).build())
                .hasMessage("cpus: -1 (expected: >= 0, 0 for all the machine has)");
        assertThatThrownBy(() -> required().memoryMib(-1).build())
                .hasMessage("memoryMib: -1 (expected: >= 0, 0 for all the machine has)");
        assertThatThrownBy(
                        () -> required().containerNetwork(ContainerNetwork.NONE).build())
                .hasMessage("containerNetwork: none with sandbox process (expected: sandbox bwrap or runc, whose"
                        + " containers get a network namespace of their own)");
        assertThatThrownBy(() ->
                        required().containerNetwork(ContainerNetwork.DEFAULT).build())
                .hasMessage("containerNetwork: default (expected: none or host)");
    }

    @Test
    void aBuiltRoleRunsNothingUntilStarted() throws Exception {
        WorkerRole role = required().build();

        assertThatThrownBy(role::worker)
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("worker worker-test: not started (expected: start() first)");
        assertThat(store.workers()).isEmpty();
        assertThat(Thread.getAllStackTraces().keySet())
                .extracting(Thread::getName)
                .doesNotContain("ferry-worker-worker-test");
        role.close();
    }

    @Test
    void byDefaultOffersTheWholeMachineOnLoopbackWithoutLabels() throws Exception {
        try (WorkerRole role = required().build().start()) {
            WorkerInfo info = store.workers().getFirst();

            assertThat(info.id()).isEqualTo("worker-test");
            assertThat(info.host()).isEqualTo("127.0.0.1");
            assertThat(info.cpus()).isEqualTo(Runtime.getRuntime().availableProcessors());
            assertThat(info.memoryBytes()).isPositive();
            assertThat(info.gpus()).hasSize(1);
            assertThat(info.labels()).isEmpty();
            assertThat(role.worker().sandbox()).isEqualTo(Sandbox.process());
            assertThatThrownBy(role::start)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("worker worker-test: started already (expected: one start)");
        }
    }

    @Test
    void offersWhatItIsToldTo() throws Exception {
        try (WorkerRole role = required()
                .cpus(2)
                .memoryMib(512)
                .labels(Map.of("zone", "eu"))
                .build()
                .start()) {
            WorkerInfo info = store.workers().getFirst();

            assertThat(info.cpus()).isEqualTo(2);
            assertThat(info.memoryBytes()).isEqualTo(512L * 1024 * 1024);
            assertThat(info.labels()).isEqualTo(Map.of("zone", "eu"));
        }
    }
}
