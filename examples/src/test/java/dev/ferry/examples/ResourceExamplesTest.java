package dev.ferry.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.function.runtime.FerryFunction;
import dev.ferry.function.runtime.TestJars;
import dev.ferry.worker.Container;
import dev.ferry.worker.ContainerExit;
import dev.ferry.worker.ContainerLimits;
import dev.ferry.worker.ContainerSpec;
import dev.ferry.worker.ContainerState;
import dev.ferry.worker.FakeNvidiaSmi;
import dev.ferry.worker.Sandbox;
import dev.ferry.worker.Worker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** gpu-info and hog in real containers, called as the gateway calls them. */
class ResourceExamplesTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private final List<Worker> workers = new ArrayList<>();
    private Path jar;

    @BeforeEach
    void packExamples() throws Exception {
        jar = TestJars.jar(dir.resolve("examples.jar"), "examples", GpuInfo.class, Hog.class, Sse.class);
    }

    @AfterEach
    void closeWorkers() {
        workers.forEach(Worker::close);
    }

    @Test
    void gpuInfoAnswersWithItsGpusWorkerAndContainer() throws Exception {
        String gpu = FakeNvidiaSmi.uuid("NVIDIA H100 80GB HBM3", 1);
        Container container = start(
                worker(Sandbox.process()),
                spec("gpu-info", GpuInfo.class)
                        .withGpus(List.of(gpu))
                        .withEnvironment(Map.of("FERRY_WORKER_ID", "gpu-worker-7")));

        ExampleCall.Answer answer = ExampleCall.get(container, "examples--gpu-info", "ms=20", WAIT);

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.body())
                .isEqualTo("{\"worker\": \"gpu-worker-7\", \"container\": \"" + container.id()
                        + "\", \"cuda_visible_devices\": \"" + gpu + "\", \"nvidia_visible_devices\": \"" + gpu
                        + "\", \"held_ms\": 20}\n");
    }

    @Test
    void gpuInfoWithoutGpusSeesNone() throws Exception {
        Container container = start(worker(Sandbox.process()), spec("gpu-info", GpuInfo.class));

        ExampleCall.Answer answer = ExampleCall.get(container, "examples--gpu-info", "", WAIT);

        assertThat(answer.body())
                .contains("\"worker\": null")
                .contains("\"cuda_visible_devices\": \"\"")
                .contains("\"nvidia_visible_devices\": \"void\"")
                .contains("\"held_ms\": 0");
        assertThat(ExampleCall.get(container, "examples--gpu-info", "ms=-1", WAIT)
                        .status())
                .isEqualTo(400);
        assertThat(GpuInfo.quoted("a\"b\\c\n")).isEqualTo("\"a\\\"b\\\\c\\u000a\"");
    }

    @Test
    void hogKeepsWhatItIsToldToAndFreesTheRest() throws Exception {
        Container container = start(worker(Sandbox.process()), spec("hog", Hog.class));

        assertThat(hog(container, "mib=8&keep=1"))
                .startsWith("holding 8 MiB: 8 taken now, 0 kept from earlier calls, in ");
        assertThat(hog(container, "mib=4&keep=1")).startsWith("holding 12 MiB: 4 taken now, 8 kept from earlier calls");
        assertThat(hog(container, "mib=2")).startsWith("holding 14 MiB: 2 taken now, 12 kept from earlier calls");
        assertThat(hog(container, "mib=0")).startsWith("holding 0 MiB: 0 taken now, 0 kept from earlier calls");
        assertThat(ExampleCall.get(container, "examples--hog", "mib=100000", WAIT)
                        .status())
                .isEqualTo(400);
    }

    @Test
    void hogOverItsDeclaredMemoryIsKilledAndReportedOutOfMemoryUnderRunc() throws Exception {
        int declared = Hog.class.getAnnotation(FerryFunction.class).memoryMib();
        Worker worker = worker(Sandbox.runc(dir.resolve("runc-state")));
        CompletableFuture<ContainerExit> exit = new CompletableFuture<>();
        worker.addListener((c, state) -> {
            if (state == ContainerState.EXITED) {
                exit.complete(c.exit().orElseThrow());
            }
        });
        Container container = start(worker, spec("hog", Hog.class).withLimits(ContainerLimits.of(0, declared, 0)));

        assertThat(hog(container, "mib=64&keep=1"))
                .startsWith("holding 64 MiB: 64 taken now, 0 kept from earlier calls, in /dev/shm");
        assertThatThrownBy(() -> ExampleCall.get(container, "examples--hog", "mib=" + 2 * declared, WAIT))
                .isInstanceOf(Exception.class);

        assertThat(exit.get(WAIT.toSeconds(), TimeUnit.SECONDS)).satisfies(e -> {
            assertThat(e.reason()).isEqualTo("out of memory (limit 256 MiB)");
            assertThat(e.outOfMemory()).isTrue();
        });
    }

    private static String hog(Container container, String query) throws Exception {
        ExampleCall.Answer answer = ExampleCall.get(container, "examples--hog", query, WAIT);
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        return answer.body();
    }

    private Worker worker(Sandbox sandbox) {
        Worker worker = Worker.builder()
                .runtimeClasspath(TestJars.runtimeClasspath(ResourceExamplesTest.class, GpuInfo.class))
                .startTimeout(WAIT)
                .sandbox(sandbox)
                .build();
        workers.add(worker);
        return worker;
    }

    private ContainerSpec spec(String name, Class<?> type) {
        return ContainerSpec.of("examples--" + name, type.getName(), jar);
    }

    private static Container start(Worker worker, ContainerSpec spec) throws Exception {
        return worker.start(spec).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }
}
