package dev.ferry.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.worker.CollectingLogSink.Line;
import dev.ferry.worker.ContainerLogSink.Source;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The worker against real container processes running the real function runtime. */
class WorkerTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private final CollectingLogSink sink = new CollectingLogSink();
    private final CollectingListener listener = new CollectingListener();
    private final List<Worker> workers = new ArrayList<>();
    private Path jar;

    @BeforeEach
    void packFunctions() throws Exception {
        jar = TestFunctions.jar(dir, ProbeFunction.class, FakeReadyFunction.class, StubbornFunction.class);
    }

    @AfterEach
    void closeWorkers() {
        workers.forEach(Worker::close);
    }

    @Test
    void startsContainerThatIsReadyAndAcceptsConnections() throws Exception {
        Worker worker = worker(builder());

        Container container = started(worker.start(probe()));

        assertThat(container.state()).isEqualTo(ContainerState.READY);
        assertThat(container.id()).matches("ct-[a-z2-7]{8}");
        assertThat(container.function()).hasToString("test--probe");
        assertThat(container.address().getHostString()).isEqualTo("127.0.0.1");
        assertThat(container.address().getPort()).isEqualTo(container.port());
        assertThat(ProcessHandle.of(container.pid()))
                .hasValueSatisfying(p -> assertThat(p.isAlive()).isTrue());
        assertThat(worker.containers()).containsExactly(container);
        assertThat(worker.container(container.id())).contains(container);
        try (Socket socket = new Socket()) {
            socket.connect(container.address(), 5_000);
            assertThat(socket.isConnected()).isTrue();
        }
        listener.await(container.id(), ContainerState.READY, WAIT);
        assertThat(listener.states(container.id())).containsExactly(ContainerState.STARTING, ContainerState.READY);
    }

    @Test
    void containersListenOnTheContainerHostAndAnswerThere() throws Exception {
        java.net.InetAddress host = java.net.InetAddress.getByName("127.0.0.7");
        Worker worker = worker(builder().containerHost(host));

        Container container = started(worker.start("ct-hostaddr", probe()));

        assertThat(container.id()).isEqualTo("ct-hostaddr");
        assertThat(container.address().getAddress()).isEqualTo(host);
        try (Socket socket = new Socket()) {
            socket.connect(container.address(), 5_000);
            assertThat(socket.isConnected()).isTrue();
        }
        assertThatThrownBy(() -> worker.start("ct-hostaddr", probe()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("(expected: one not in use on this worker)");
        assertThatThrownBy(() -> worker.start("bad id", probe()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("container id: \"bad id\" (expected: ct- and 8");
    }

    @Test
    void readyLineWithWrongTokenDoesNotCount() throws Exception {
        Worker worker = worker(builder().stopGrace(Duration.ZERO));

        CompletableFuture<Container> start = worker.start(spec("fake-ready", FakeReadyFunction.class));
        Container container = listener.awaitFirst(WAIT);
        // Output is judged line by line before it reaches the sink: once the sink has the last
        // line, every fake ready line before it has been judged.
        sink.await(container, Source.STDOUT, FakeReadyFunction.DONE_LINE, WAIT);

        assertThat(start).isNotDone();
        assertThat(container.state()).isEqualTo(ContainerState.STARTING);
        assertThat(sink.lines())
                .filteredOn(line -> line.text().contains("ferry-ready"))
                .hasSize(4);

        container.stop().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThatThrownBy(() -> start.get(WAIT.toSeconds(), TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(ContainerStartException.class)
                .hasMessageContaining("was stopped before it was ready");
    }

    @Test
    void failsStartWithStderrReasonWhenClassIsMissing() {
        Worker worker = worker(builder());

        CompletableFuture<Container> start =
                worker.start(ContainerSpec.of("test--probe", "dev.ferry.worker.NoSuchFunction", jar));

        assertThatThrownBy(() -> start.get(WAIT.toSeconds(), TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(ContainerStartException.class)
                .hasMessageContaining("(test--probe) exited with code 1 before it was ready")
                .hasMessageContaining("dev.ferry.worker.NoSuchFunction")
                .satisfies(
                        e -> assertThat(((ContainerStartException) e).stderr()).isNotEmpty());
        assertThat(worker.containers()).isEmpty();
    }

    @Test
    void failsStartWithStderrReasonWhenJarIsMissing() {
        Worker worker = worker(builder());
        Path missing = dir.resolve("missing.jar");

        CompletableFuture<Container> start = worker.start(TestFunctions.spec("probe", ProbeFunction.class, missing));

        assertThatThrownBy(() -> start.get(WAIT.toSeconds(), TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(ContainerStartException.class)
                .hasMessageContaining("exited with code 1 before it was ready")
                .hasMessageContaining(missing.toString());
    }

    @Test
    void killsContainerThatIsNotReadyWithinStartTimeout() throws Exception {
        Worker worker = worker(builder().startTimeout(Duration.ofMillis(1500)));

        CompletableFuture<Container> start = worker.start(spec("fake-ready", FakeReadyFunction.class));
        Container container = listener.awaitFirst(WAIT);

        assertThatThrownBy(() -> start.get(WAIT.toSeconds(), TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(ContainerStartException.class)
                .hasMessageContaining("(test--fake-ready) was not ready within 1.5s, so it was killed");
        assertThat(container.exited().get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(137);
        listener.await(container.id(), ContainerState.EXITED, WAIT);
        assertThat(listener.states(container.id()))
                .containsExactly(ContainerState.STARTING, ContainerState.STOPPING, ContainerState.EXITED);
        assertThat(isAlive(container.pid())).isFalse();
    }

    @Test
    void stopsGracefullyWithExitCodeZero() throws Exception {
        Worker worker = worker(builder());
        Container container = started(worker.start(probe()));

        int exitCode = container.stop().get(WAIT.toSeconds(), TimeUnit.SECONDS);

        assertThat(exitCode).isZero();
        assertThat(container.exitCode()).hasValue(0);
        assertThat(container.state()).isEqualTo(ContainerState.EXITED);
        sink.await(container, Source.STDOUT, ProbeFunction.STOPPED_LINE, WAIT);
        assertThat(listener.await(container.id(), ContainerState.EXITED, WAIT).exitCode())
                .hasValue(0);
        assertThat(listener.states(container.id()))
                .containsExactly(
                        ContainerState.STARTING, ContainerState.READY, ContainerState.STOPPING, ContainerState.EXITED);
        assertThat(worker.containers()).isEmpty();
        assertThat(isAlive(container.pid())).isFalse();
    }

    @Test
    void killsContainerThatIgnoresSigtermAfterGrace() throws Exception {
        Duration grace = Duration.ofMillis(500);
        Worker worker = worker(builder().stopGrace(grace));
        Container container = started(worker.start(spec("stubborn", StubbornFunction.class)));
        long childPid = childPid(container);

        long stopping = System.nanoTime();
        int exitCode = container.stop().get(WAIT.toSeconds(), TimeUnit.SECONDS);

        assertThat(exitCode).as("exit code; output %s", sink.lines()).isEqualTo(137);
        assertThat(Duration.ofNanos(System.nanoTime() - stopping)).isGreaterThanOrEqualTo(grace);
        listener.await(container.id(), ContainerState.EXITED, WAIT);
        assertThat(listener.states(container.id()))
                .containsExactly(
                        ContainerState.STARTING, ContainerState.READY, ContainerState.STOPPING, ContainerState.EXITED);
        assertThat(isAlive(container.pid())).isFalse();
        awaitDeath(childPid);
    }

    @Test
    void killedContainerIsHeardExited() throws Exception {
        Worker worker = worker(builder());
        Container container = started(worker.start(probe()));

        CompletableFuture<Integer> exited = container.kill();

        CollectingListener.Change change = listener.await(container.id(), ContainerState.EXITED, WAIT);
        assertThat(change.exitCode()).hasValue(137);
        assertThat(exited.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(137);
        assertThat(listener.states(container.id()))
                .containsExactly(ContainerState.STARTING, ContainerState.READY, ContainerState.EXITED);
        assertThat(worker.containers()).isEmpty();
        assertThat(container.stop().get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(137);
    }

    @Test
    void killTakesContainersOwnChildProcessesAlong() throws Exception {
        Worker worker = worker(builder());
        Container container = started(worker.start(spec("stubborn", StubbornFunction.class)));
        long childPid = childPid(container);
        assertThat(isAlive(childPid)).isTrue();

        container.kill().get(WAIT.toSeconds(), TimeUnit.SECONDS);

        awaitDeath(childPid);
    }

    @Test
    void closeLeavesNoChildProcess() throws Exception {
        Worker worker = worker(builder().stopGrace(Duration.ofMillis(500)));
        List<CompletableFuture<Container>> starts = List.of(
                worker.start(probe()), worker.start(probe()), worker.start(spec("stubborn", StubbornFunction.class)));
        List<Container> containers = new ArrayList<>();
        for (CompletableFuture<Container> start : starts) {
            containers.add(started(start));
        }
        CompletableFuture<Container> starting = worker.start(spec("fake-ready", FakeReadyFunction.class));

        worker.close();

        assertThat(starting).isCompletedExceptionally();
        assertThat(worker.containers()).isEmpty();
        for (Container container : listener.containers()) {
            assertThat(container.state()).isEqualTo(ContainerState.EXITED);
            assertThat(isAlive(container.pid())).as("%s alive", container).isFalse();
        }
        assertThat(listener.containers()).hasSize(4).containsAll(containers);
        List<Long> pids = listener.containers().stream().map(Container::pid).toList();
        assertThat(ProcessHandle.current()
                        .children()
                        .filter(ProcessHandle::isAlive)
                        .map(ProcessHandle::pid))
                .doesNotContainAnyElementsOf(pids);
        assertThatThrownBy(() -> worker.start(probe()).get(WAIT.toSeconds(), TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("worker is closed");
    }

    @Test
    void cancellingStartStopsTheContainer() throws Exception {
        Worker worker = worker(builder().stopGrace(Duration.ZERO));
        CompletableFuture<Container> start = worker.start(spec("fake-ready", FakeReadyFunction.class));
        Container container = listener.awaitFirst(WAIT);
        sink.await(container, Source.STDOUT, FakeReadyFunction.DONE_LINE, WAIT);

        start.cancel(false);

        listener.await(container.id(), ContainerState.EXITED, WAIT);
        assertThat(isAlive(container.pid())).isFalse();
    }

    @Test
    void tagsOutputLinesWithContainerId() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ContainerLogSink console = ContainerLogSink.printing(
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        Worker worker = worker(builder().logSink((container, source, line) -> {
            sink.line(container, source, line);
            console.line(container, source, line);
        }));

        Container first = started(worker.start(probe()));
        Container second = started(worker.start(probe()));

        for (Container container : List.of(first, second)) {
            Line starting = sink.await(container, Source.STDOUT, ProbeFunction.STARTING_LINE, WAIT);
            Line warming = sink.await(container, Source.STDERR, ProbeFunction.WARMING_LINE, WAIT);
            assertThat(starting.containerId()).isEqualTo(container.id());
            assertThat(warming.containerId()).isEqualTo(container.id());
        }
        assertThat(first.id()).isNotEqualTo(second.id());
        assertThat(sink.lines()).noneMatch(line -> line.text().startsWith("ferry-ready"));
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("[" + first.id() + "] " + ProbeFunction.STARTING_LINE)
                .contains("[" + second.id() + "] " + ProbeFunction.STARTING_LINE)
                .doesNotContain(ProbeFunction.WARMING_LINE);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("[" + first.id() + "] " + ProbeFunction.WARMING_LINE)
                .contains("[" + second.id() + "] " + ProbeFunction.WARMING_LINE);
    }

    @Test
    void failsStartWhenJavaCannotBeLaunched() throws Exception {
        Path java = Files.createFile(dir.resolve("java"));
        assertThat(java.toFile().setExecutable(true)).isTrue();
        Worker worker = worker(builder().javaExecutable(java));
        Files.delete(java);

        assertThatThrownBy(() -> worker.start(probe()).get(WAIT.toSeconds(), TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(ContainerStartException.class)
                .hasMessageContaining("(test--probe) could not be launched with " + java);
        assertThat(worker.containers()).isEmpty();
    }

    @Test
    void gpuGoesToOneRunningContainerAtATime() throws Exception {
        Worker worker = worker(builder());
        List<String> gpus = FakeNvidiaSmi.devices("NVIDIA H100 80GB HBM3", 2).stream()
                .map(GpuDevice::uuid)
                .toList();
        Container holder = started(worker.start(probe().withGpus(List.of(gpus.get(0)))));

        assertThatThrownBy(() -> worker.start("ct-gpuuser2", probe().withGpus(List.of(gpus.get(1), gpus.get(0)))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("gpus: " + gpus.get(0) + " is held by container " + holder.id()
                        + " (expected: a GPU that no running container of this worker holds)");
        assertThat(worker.gpuHolders()).containsExactly(Map.entry(gpus.get(0), holder.id()));
        Container other = started(worker.start("ct-gpuuser2", probe().withGpus(List.of(gpus.get(1)))));
        assertThat(worker.gpuHolders())
                .containsOnly(Map.entry(gpus.get(0), holder.id()), Map.entry(gpus.get(1), other.id()));

        holder.stop().get(WAIT.toSeconds(), TimeUnit.SECONDS);

        assertThat(worker.gpuHolders()).containsExactly(Map.entry(gpus.get(1), other.id()));
        Container next = started(worker.start(probe().withGpus(List.of(gpus.get(0)))));
        assertThat(worker.gpuHolders()).containsEntry(gpus.get(0), next.id());
    }

    @Test
    void gpuOfAContainerThatListenersHearExitedIsFreeAgain() throws Exception {
        Worker worker = worker(builder());
        String gpu = FakeNvidiaSmi.uuid("NVIDIA L4", 0);
        CompletableFuture<CompletableFuture<Container>> replacement = new CompletableFuture<>();
        worker.addListener((container, state) -> {
            if (state == ContainerState.EXITED && !replacement.isDone()) {
                try {
                    replacement.complete(worker.start(probe().withGpus(List.of(gpu))));
                } catch (RuntimeException e) {
                    replacement.completeExceptionally(e);
                }
            }
        });
        Container first = started(worker.start(probe().withGpus(List.of(gpu))));

        first.kill();

        Container next = started(replacement.get(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertThat(next).isNotSameAs(first);
        assertThat(worker.gpuHolders()).containsExactly(Map.entry(gpu, next.id()));
    }

    @Test
    void gpuMustBeOneOfTheWorkersWhenItKnowsThem() {
        List<GpuDevice> gpus = FakeNvidiaSmi.devices("NVIDIA H100 80GB HBM3", 1);
        Worker worker = worker(builder().gpus(gpus));

        assertThatThrownBy(() -> worker.start("ct-strange2", probe().withGpus(List.of("GPU-strange"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("gpus: GPU-strange (expected: one of this worker's GPUs ["
                        + gpus.get(0).uuid() + "])");
        // the id was given back
        assertThat(worker.start("ct-strange2", probe())).isNotNull();
    }

    private Worker.Builder builder() {
        return Worker.builder()
                .runtimeClasspath(TestFunctions.runtimeClasspath())
                .startTimeout(WAIT)
                .logSink(sink);
    }

    private Worker worker(Worker.Builder builder) {
        Worker worker = builder.build();
        worker.addListener(listener);
        workers.add(worker);
        return worker;
    }

    private ContainerSpec probe() {
        return spec("probe", ProbeFunction.class);
    }

    private ContainerSpec spec(String name, Class<?> type) {
        return TestFunctions.spec(name, type, jar);
    }

    private long childPid(Container container) throws InterruptedException {
        Line line = sink.await(
                l -> l.containerId().equals(container.id()) && l.text().startsWith(StubbornFunction.CHILD_LINE), WAIT);
        return Long.parseLong(line.text().substring(StubbornFunction.CHILD_LINE.length()));
    }

    private static Container started(CompletableFuture<Container> start) throws Exception {
        return start.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    private static boolean isAlive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /** Waits for a process that is not our child (so no zombie lingers) to be gone. */
    private static void awaitDeath(long pid) throws Exception {
        Optional<ProcessHandle> process = ProcessHandle.of(pid);
        if (process.isPresent()) {
            process.get().onExit().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
        assertThat(isAlive(pid)).isFalse();
    }
}
