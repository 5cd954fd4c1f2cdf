package dev.ferry.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.worker.ContainerLogSink.Source;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
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
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every sandbox against real containers: the lifecycle the worker promises (ready, stop, kill,
 * start timeout, close) holds in each, exits say why, and bwrap and runc isolate and limit
 * what they claim to. Needs bwrap and runc on the PATH and root, as a worker using them does.
 */
class SandboxTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private final CollectingLogSink sink = new CollectingLogSink();
    private final CollectingListener listener = new CollectingListener();
    private final List<Worker> workers = new ArrayList<>();
    private Path jar;

    @BeforeEach
    void packFunctions() throws Exception {
        jar = TestFunctions.jar(
                dir,
                ProbeFunction.class,
                FakeReadyFunction.class,
                StubbornFunction.class,
                SandboxProbeFunction.class,
                MemoryHogFunction.class,
                ExitingFunction.class);
    }

    @AfterEach
    void closeWorkers() {
        workers.forEach(Worker::close);
        // Whatever a test did, no process of any container it started may outlive its worker.
        long deadline = System.nanoTime() + WAIT.toNanos();
        for (Container container : listener.containers()) {
            while (processesOf(container.id()).findAny().isPresent()) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("processes of " + container.id() + " outlived their worker: "
                            + processesOf(container.id())
                                    .map(p -> p.pid() + " " + p.info().command().orElse("?"))
                                    .toList());
                }
                java.util.concurrent.locks.LockSupport.parkNanos(
                        Duration.ofMillis(10).toNanos());
            }
        }
    }

    static Stream<String> sandboxes() {
        return Sandbox.NAMES.stream();
    }

    @ParameterizedTest
    @MethodSource("sandboxes")
    void startsAndStopsGracefullyWithReason(String sandbox) throws Exception {
        Worker worker = worker(builder(sandbox));

        Container container = started(worker.start(probe()));

        assertThat(worker.sandbox().name()).isEqualTo(sandbox);
        try (Socket socket = new Socket()) {
            socket.connect(container.address(), 5_000);
        }
        assertThat(container.exit()).isEmpty();
        assertThat(container.stop().get(WAIT.toSeconds(), TimeUnit.SECONDS)).isZero();
        sink.await(container, Source.STDOUT, ProbeFunction.STOPPED_LINE, WAIT);
        assertThat(container.exit()).hasValueSatisfying(exit -> {
            assertThat(exit.reason()).isEqualTo("stopped");
            assertThat(exit.requested()).isTrue();
            assertThat(exit.exitCode()).isZero();
            assertThat(exit.signal()).isZero();
            assertThat(exit.outOfMemory()).isFalse();
            assertThat(exit.failed()).isFalse();
        });
        assertThat(listener.states(container.id()))
                .containsExactly(
                        ContainerState.STARTING, ContainerState.READY, ContainerState.STOPPING, ContainerState.EXITED);
        assertThat(isAlive(container.pid())).isFalse();
        assertNothingLeft(sandbox, container);
    }

    @ParameterizedTest
    @MethodSource("sandboxes")
    void killsContainerThatIgnoresSigtermAfterGraceWithItsChildren(String sandbox) throws Exception {
        // Longer than the container's 500 ms lame duck, so its stop hook runs (and hangs) first.
        Worker worker = worker(builder(sandbox).stopGrace(Duration.ofSeconds(2)));
        Container container = started(worker.start(spec("stubborn", StubbornFunction.class)));
        sink.await(
                l -> l.containerId().equals(container.id()) && l.text().startsWith(StubbornFunction.CHILD_LINE), WAIT);
        List<ProcessHandle> tree =
                ProcessHandle.of(container.pid()).orElseThrow().descendants().toList();
        assertThat(tree)
                .anySatisfy(p -> assertThat(p.info().command())
                        .hasValueSatisfying(c -> assertThat(c).endsWith("sleep")));

        int exitCode = container.stop().get(WAIT.toSeconds(), TimeUnit.SECONDS);

        assertThat(exitCode).as("output %s", sink.lines()).isEqualTo(137);
        sink.await(container, Source.STDOUT, StubbornFunction.STOPPING_LINE, WAIT);
        assertThat(container.exit().orElseThrow().reason()).isEqualTo("stopped (killed after the 2 s stop grace)");
        for (ProcessHandle process : tree) {
            process.onExit().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
        assertNothingLeft(sandbox, container);
    }

    @ParameterizedTest
    @MethodSource("sandboxes")
    void killedContainerIsHeardExitedOnRequest(String sandbox) throws Exception {
        Worker worker = worker(builder(sandbox));
        Container container = started(worker.start(probe()));

        assertThat(container.kill().get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(137);

        CollectingListener.Change change = listener.await(container.id(), ContainerState.EXITED, WAIT);
        assertThat(change.exit()).hasValueSatisfying(exit -> {
            assertThat(exit.reason()).isEqualTo("killed on request");
            assertThat(exit.signal()).isEqualTo(9);
            assertThat(exit.requested()).isTrue();
        });
        assertNothingLeft(sandbox, container);
    }

    @ParameterizedTest
    @MethodSource("sandboxes")
    void jvmKilledFromOutsideIsACrashBySignal(String sandbox) throws Exception {
        Worker worker = worker(builder(sandbox));
        Container container = started(worker.start(probe()));
        ProcessHandle jvm = jvmOf(container);

        assertThat(jvm.destroyForcibly()).isTrue();

        CollectingListener.Change change = listener.await(container.id(), ContainerState.EXITED, WAIT);
        assertThat(change.exit()).hasValueSatisfying(exit -> {
            assertThat(exit.reason()).isEqualTo("killed by signal 9 (SIGKILL)");
            assertThat(exit.exitCode()).isEqualTo(137);
            assertThat(exit.requested()).isFalse();
            assertThat(exit.outOfMemory()).isFalse();
            assertThat(exit.failed()).isTrue();
        });
        assertNothingLeft(sandbox, container);
    }

    @ParameterizedTest
    @MethodSource("sandboxes")
    void exitCodeIsTheReasonOfAnExitWhileStarting(String sandbox) throws Exception {
        Worker worker = worker(builder(sandbox));

        CompletableFuture<Container> start = worker.start(
                spec("exiting", ExitingFunction.class).withEnvironment(Map.of(ExitingFunction.EXIT_CODE, "3")));

        assertThatThrownBy(() -> start.get(WAIT.toSeconds(), TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(ContainerStartException.class)
                .hasMessageContaining("(test--exiting) exited with code 3 before it was ready");
        Container container = listener.awaitFirst(WAIT);
        assertThat(listener.await(container.id(), ContainerState.EXITED, WAIT).exit())
                .hasValueSatisfying(exit -> assertThat(exit.reason()).isEqualTo("exited with code 3"));
        assertNothingLeft(sandbox, container);
    }

    @ParameterizedTest
    @MethodSource("sandboxes")
    void startTimeoutIsTheExitReason(String sandbox) throws Exception {
        Worker worker = worker(builder(sandbox).startTimeout(Duration.ofMillis(1500)));

        CompletableFuture<Container> start = worker.start(spec("fake-ready", FakeReadyFunction.class));
        Container container = listener.awaitFirst(WAIT);

        assertThatThrownBy(() -> start.get(WAIT.toSeconds(), TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .hasMessageContaining("was not ready within 1.5s, so it was killed");
        assertThat(listener.await(container.id(), ContainerState.EXITED, WAIT).exit())
                .hasValueSatisfying(exit -> {
                    assertThat(exit.reason()).isEqualTo("not ready within 1.5 s");
                    assertThat(exit.startTimedOut()).isTrue();
                    assertThat(exit.requested()).isFalse();
                });
        assertNothingLeft(sandbox, container);
    }

    @ParameterizedTest
    @MethodSource("sandboxes")
    void closeLeavesNoContainerBehind(String sandbox) throws Exception {
        Worker worker = worker(builder(sandbox).stopGrace(Duration.ofMillis(500)));
        List<Container> running = List.of(
                started(worker.start(probe())), started(worker.start(spec("stubborn", StubbornFunction.class))));
        List<ProcessHandle> trees = new ArrayList<>();
        for (Container container : running) {
            ProcessHandle handle = ProcessHandle.of(container.pid()).orElseThrow();
            trees.add(handle);
            trees.addAll(handle.descendants().toList());
        }
        CompletableFuture<Container> starting = worker.start(spec("fake-ready", FakeReadyFunction.class));

        worker.close();

        assertThat(starting).isCompletedExceptionally();
        for (ProcessHandle process : trees) {
            process.onExit().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
        assertThat(listener.containers()).hasSize(3);
        for (Container container : listener.containers()) {
            assertThat(container.state()).isEqualTo(ContainerState.EXITED);
            assertThat(container.exit())
                    .hasValueSatisfying(exit -> assertThat(exit.requested()).isTrue());
            assertNothingLeft(sandbox, container);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"bwrap", "runc"})
    void sandboxIsolatesTheContainer(String sandbox) throws Exception {
        Worker worker = worker(builder(sandbox));

        Container container = started(worker.start(
                spec("sandbox-probe", SandboxProbeFunction.class).withEnvironment(Map.of("FERRY_TEST_VALUE", "42"))));
        Map<String, String> seen = probed(container);

        assertThat(Long.parseLong(seen.get("pid")))
                .as("pid in its own namespace")
                .isLessThanOrEqualTo(2);
        assertThat(seen.get("hostname")).isEqualTo(container.id());
        assertThat(seen.get("cap-eff")).isEqualTo("0000000000000000");
        assertThat(seen.get("usr-writable")).isEqualTo("false");
        assertThat(seen.get("tmp-writable")).isEqualTo("true");
        // The worker's home stays out: /root shows at most what the runtime class path needs from it
        // (the Maven repository, when the tests run with ~/.m2).
        String rootEntries = seen.get("root-home-entries");
        if (!rootEntries.equals("<absent>") && !rootEntries.isEmpty()) {
            assertThat(List.of(rootEntries.split(",")))
                    .allSatisfy(entry -> assertThat(classpathUnderRoot()).contains(entry));
        }
        assertThat(seen.get("shadow-readable")).isEqualTo("false");
        assertThat(seen.get("env.FERRY_CONTAINER_ID")).isEqualTo(container.id());
        assertThat(seen.get("env.FERRY_TEST_VALUE")).isEqualTo("42");
        assertThat(seen.get("env.CUDA_VISIBLE_DEVICES")).isEmpty();
        assertThat(seen.get("env.NVIDIA_VISIBLE_DEVICES")).isEqualTo("void");
        assertThat(seen.get("env.HOME")).isEqualTo("/tmp");
        assertThat(seen.get("env.JAVA_HOME"))
                .as("the worker's environment stays out")
                .isEqualTo("<unset>");
        assertThat(seen.get("gpu-devices")).isEmpty();
        if (sandbox.equals("bwrap")) {
            // bwrap lays an empty tmpfs of its own over /root, and the container cannot write to it.
            assertThat(seen.get("root-home-mount"))
                    .as("/root inside the container")
                    .isEqualTo("tmpfs ro");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"bwrap", "runc"})
    void sandboxDeniesDangerousSystemCallsWithoutPrivileges(String sandbox) throws Exception {
        Worker worker = worker(builder(sandbox));

        Container container = started(worker.start(spec("sandbox-probe", SandboxProbeFunction.class)));
        Map<String, String> seen = probed(container);

        assertThat(seen.get("cap-eff")).isEqualTo("0000000000000000");
        assertThat(seen.get("no-new-privs")).isEqualTo("1");
        // Allowed to a process of the same user on its own child, but for the filter.
        assertThat(seen.get("ptrace-child")).isEqualTo("errno 1");
        assertThat(seen.get("mount")).isEqualTo("errno 1");
        assertThat(seen.get("unshare-uts")).isEqualTo("errno 1");
        assertThat(seen.get("bpf")).isEqualTo("errno 1");
    }

    /** The probes above fail because of the sandbox: without one, as root, they work. */
    @Test
    void processSandboxAllowsWhatTheOthersDeny() throws Exception {
        Worker worker = worker(builder("process"));

        Container container = started(worker.start(spec("sandbox-probe", SandboxProbeFunction.class)));
        Map<String, String> seen = probed(container);

        assertThat(seen.get("ptrace-child")).isEqualTo("ok");
        assertThat(seen.get("unshare-uts")).isEqualTo("ok");
        assertThat(seen.get("no-new-privs")).isEqualTo("0");
    }

    @ParameterizedTest
    @ValueSource(strings = {"bwrap", "runc"})
    void containersSeeNeitherEachOthersFilesNorProcesses(String sandbox) throws Exception {
        Worker worker = worker(builder(sandbox));
        ContainerSpec probe = spec("sandbox-probe", SandboxProbeFunction.class)
                .withEnvironment(Map.of(SandboxProbeFunction.WRITE_MARKER, "1"));

        Container first = started(worker.start(probe));
        Map<String, String> firstSeen = probed(first);
        Container second = started(worker.start(probe));
        Map<String, String> secondSeen = probed(second);

        String firstMarker = SandboxProbeFunction.MARKER_PREFIX + first.id();
        assertThat(firstSeen.get("tmp-entries")).contains(firstMarker);
        // It is there, in the first container's /tmp, while the second looks.
        assertThat(Path.of("/proc", Long.toString(jvmOf(first).pid()), "root", "tmp", firstMarker))
                .exists();
        assertThat(List.of(secondSeen.get("tmp-entries").split(",")))
                .contains(SandboxProbeFunction.MARKER_PREFIX + second.id())
                .doesNotContain(firstMarker);
        // Its own PID namespace: the JVM (and under bwrap its init), nothing of the machine's.
        assertThat(List.of(secondSeen.get("proc-pids").split(",")))
                .isNotEmpty()
                .allSatisfy(pid -> assertThat(Long.parseLong(pid)).isLessThanOrEqualTo(2));
    }

    @ParameterizedTest
    @ValueSource(strings = {"bwrap", "runc"})
    void networkNoneReachesNothingAndIsCalledOverItsSocketFile(String sandbox) throws Exception {
        Worker worker = worker(builder(sandbox));
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Map<String, String> connectTo =
                    Map.of(SandboxProbeFunction.CONNECT_PORT, Integer.toString(listener.getLocalPort()));
            ContainerSpec probe =
                    spec("sandbox-probe", SandboxProbeFunction.class).withEnvironment(connectTo);

            Container isolated = started(worker.start(probe.withNetwork(ContainerNetwork.NONE)));
            Map<String, String> isolatedSeen = probed(isolated);
            Container hosted = started(worker.start(probe.withNetwork(ContainerNetwork.HOST)));
            Map<String, String> hostedSeen = probed(hosted);

            assertThat(isolatedSeen.get("connect")).startsWith("failed");
            assertThat(hostedSeen.get("connect"))
                    .as("the same connection from the host's network")
                    .isEqualTo("connected");
            assertThat(hosted.localSocket()).startsWith("ferry/");
            Path socket = Path.of(isolated.localSocket());
            assertThat(socket).isAbsolute().exists();
            try (java.nio.channels.SocketChannel channel =
                    java.nio.channels.SocketChannel.open(java.net.UnixDomainSocketAddress.of(socket))) {
                assertThat(channel.isConnected()).isTrue();
            }
            assertThat(isolated.stop().get(WAIT.toSeconds(), TimeUnit.SECONDS)).isZero();
            // Removed once it exited (after the stop's future completes, on the exit's own thread).
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (Files.exists(socket.getParent()) && System.nanoTime() < deadline) {
                java.util.concurrent.locks.LockSupport.parkNanos(
                        Duration.ofMillis(10).toNanos());
            }
            assertThat(socket.getParent())
                    .as("its socket directory, once it exited")
                    .doesNotExist();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"bwrap", "runc"})
    void workerDefaultNetworkNoneAppliesUnlessTheFunctionSaysHost(String sandbox) throws Exception {
        Worker worker = worker(builder(sandbox).containerNetwork(ContainerNetwork.NONE));
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Map<String, String> connectTo =
                    Map.of(SandboxProbeFunction.CONNECT_PORT, Integer.toString(listener.getLocalPort()));
            ContainerSpec probe =
                    spec("sandbox-probe", SandboxProbeFunction.class).withEnvironment(connectTo);

            Container byDefault = started(worker.start(probe));
            Container hosted = started(worker.start(probe.withNetwork(ContainerNetwork.HOST)));

            assertThat(probed(byDefault).get("connect")).startsWith("failed");
            assertThat(byDefault.localSocket()).startsWith("/");
            assertThat(probed(hosted).get("connect")).isEqualTo("connected");
        }
    }

    @Test
    void networkNoneNeedsASandboxWithNamespaces() {
        assertThatThrownBy(() -> builder("process")
                        .containerNetwork(ContainerNetwork.NONE)
                        .build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("--container-network none: the process sandbox has no network namespace");
    }

    @Test
    void processSandboxInheritsTheWorkersEnvironment() throws Exception {
        Worker worker = worker(builder("process"));

        Container container = started(worker.start(spec("sandbox-probe", SandboxProbeFunction.class)));
        Map<String, String> seen = probed(container);

        assertThat(seen.get("env.FERRY_CONTAINER_ID")).isEqualTo(container.id());
        assertThat(seen.get("env.CUDA_VISIBLE_DEVICES")).isEmpty();
        assertThat(seen.get("env.NVIDIA_VISIBLE_DEVICES")).isEqualTo("void");
        assertThat(seen.get("env.MAVEN_OPTS"))
                .isEqualTo(Optional.ofNullable(System.getenv("MAVEN_OPTS")).orElse("<unset>"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"bwrap", "runc"})
    void containerSeesTheDeviceNodesOfItsGpusOnly(String sandbox) throws Exception {
        // In a user namespace the container's user binds the nodes, so it must reach them, as it does /dev.
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
        Path dev = Files.createDirectories(dir.resolve("dev"));
        mknod(dev.resolve("nvidia0"), 1, 3);
        mknod(dev.resolve("nvidia1"), 1, 5);
        mknod(dev.resolve("nvidiactl"), 1, 3);
        List<GpuDevice> gpus = FakeNvidiaSmi.devices("NVIDIA H100 80GB HBM3", 2);
        Worker worker = worker(builder(sandbox).gpus(gpus).gpuNodes(new GpuNodes(dev, dir.resolve("no-driver"), gpus)));
        String second = gpus.get(1).uuid();

        Container container = started(
                worker.start(spec("sandbox-probe", SandboxProbeFunction.class).withGpus(List.of(second))));
        Map<String, String> seen = probed(container);

        assertThat(seen.get("gpu-devices")).isEqualTo("nvidia1,nvidiactl");
        assertThat(seen.get("env.CUDA_VISIBLE_DEVICES")).isEqualTo(second);
        assertThat(seen.get("env.NVIDIA_VISIBLE_DEVICES")).isEqualTo(second);
        assertThat(worker.gpuHolders()).containsExactly(Map.entry(second, container.id()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"bwrap", "runc"})
    void gpuWithoutDeviceNodeFailsTheLaunch(String sandbox) throws Exception {
        List<GpuDevice> gpus = FakeNvidiaSmi.devices("NVIDIA H100 80GB HBM3", 1);
        Path dev = Files.createDirectories(dir.resolve("empty-dev"));
        Worker worker = worker(builder(sandbox).gpus(gpus).gpuNodes(new GpuNodes(dev, dir.resolve("no-driver"), gpus)));

        CompletableFuture<Container> start =
                worker.start(probe().withGpus(List.of(gpus.get(0).uuid())));

        assertThatThrownBy(() -> start.get(WAIT.toSeconds(), TimeUnit.SECONDS))
                .cause()
                .isInstanceOf(ContainerStartException.class)
                .hasMessageContaining("could not be launched in its " + sandbox + " sandbox")
                .hasMessageContaining("GPU " + gpus.get(0).uuid() + ": no device node " + dev.resolve("nvidia0"));
        assertThat(worker.gpuHolders()).isEmpty();
    }

    @Test
    void runcHoldsTheContainerToItsLimits() throws Exception {
        Worker worker = worker(builder("runc"));

        Container container = started(worker.start(
                spec("sandbox-probe", SandboxProbeFunction.class).withLimits(ContainerLimits.of(1, 256, 300))));
        Map<String, String> seen = probed(container);

        assertThat(seen.get("cpus")).isEqualTo("1");
        assertThat(seen.get("memory-mib")).isEqualTo("256");
        CgroupMemory cgroups = CgroupMemory.detect();
        Path memory = cgroups.dir(OciBundle.cgroupsPath(container.id()));
        if (cgroups.isV2()) {
            assertThat(read(memory.resolve("memory.max"))).isEqualTo(Long.toString(256L << 20));
            assertThat(read(memory.resolve("memory.swap.max"))).isEqualTo("0");
            assertThat(read(memory.resolve("cpu.max"))).isEqualTo("100000 100000");
            assertThat(read(memory.resolve("pids.max"))).isEqualTo("300");
        } else {
            assertThat(read(memory.resolve("memory.limit_in_bytes"))).isEqualTo(Long.toString(256L << 20));
            assertThat(read(memory.resolve("memory.memsw.limit_in_bytes"))).isEqualTo(Long.toString(256L << 20));
            Path cgroupRoot = memory.getParent().getParent().getParent();
            String path = OciBundle.cgroupsPath(container.id()).substring(1);
            assertThat(read(cgroupRoot.resolve("cpu").resolve(path).resolve("cpu.cfs_quota_us")))
                    .isEqualTo("100000");
            assertThat(read(cgroupRoot.resolve("pids").resolve(path).resolve("pids.max")))
                    .isEqualTo("300");
        }
    }

    @Test
    void runcReportsOutOfMemoryWhenTheContainerGoesOverItsLimit() throws Exception {
        Worker worker = worker(builder("runc").jvmOptions(hogOptions()));
        try (ServerSocket trigger = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Container container = started(worker.start(spec("memory-hog", MemoryHogFunction.class)
                    .withLimits(ContainerLimits.of(0, 128, 0))
                    .withEnvironment(
                            Map.of(MemoryHogFunction.TRIGGER_PORT, Integer.toString(trigger.getLocalPort())))));
            try (Socket hog = trigger.accept()) {
                new DataOutputStream(hog.getOutputStream()).writeInt(1024);

                CollectingListener.Change exited = listener.await(container.id(), ContainerState.EXITED, WAIT);

                assertThat(exited.exit()).hasValueSatisfying(exit -> {
                    assertThat(exit.reason()).isEqualTo("out of memory (limit 128 MiB)");
                    assertThat(exit.outOfMemory()).isTrue();
                    assertThat(exit.exitCode()).isEqualTo(137);
                    assertThat(exit.signal()).isEqualTo(9);
                    assertThat(exit.requested()).isFalse();
                });
            }
            assertNothingLeft("runc", container);
        }
    }

    @Test
    void runcReportsOutOfMemoryWhileStarting() throws Exception {
        Worker worker = worker(builder("runc").jvmOptions(hogOptions()));

        CompletableFuture<Container> start = worker.start(spec("memory-hog", MemoryHogFunction.class)
                .withLimits(ContainerLimits.of(0, 96, 0))
                .withEnvironment(Map.of(MemoryHogFunction.START_MIB, "1024")));

        assertThatThrownBy(() -> start.get(WAIT.toSeconds(), TimeUnit.SECONDS))
                .cause()
                .isInstanceOf(ContainerStartException.class)
                .hasMessageContaining("(test--memory-hog) ran out of memory (limit 96 MiB) before it was ready");
        Container container = listener.awaitFirst(WAIT);
        assertThat(listener.await(container.id(), ContainerState.EXITED, WAIT).exit())
                .hasValueSatisfying(exit -> assertThat(exit.outOfMemory()).isTrue());
    }

    @Test
    void runcRemovesWhatAnEarlierWorkerLeftInItsStateDirectory() throws Exception {
        Path state = dir.resolve("runc-state");
        Path runc = Executables.find("runc").orElseThrow();
        // What a worker killed with SIGKILL leaves: a bundle, and a container that runs on.
        ContainerLaunch launch = new ContainerLaunch(
                "ct-leftover", probe().limits(), List.of("/bin/sleep", "600"), Map.of(), List.of(), List.of());
        Path bundle = state.resolve("bundles").resolve("ct-leftover");
        OciBundle.create(
                bundle,
                launch,
                Map.of("PATH", ContainerEnvironment.SANDBOX_PATH),
                CgroupMemory.detect().limitsSwap());
        Process detached = new ProcessBuilder(
                        runc.toString(),
                        "--root",
                        state.resolve("runc").toString(),
                        "run",
                        "--detach",
                        "--bundle",
                        bundle.toString(),
                        "ct-leftover")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        assertThat(detached.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(detached.exitValue()).isZero();
        ProcessHandle sleeper =
                ProcessHandle.of(runcStatePid(state, "ct-leftover")).orElseThrow();
        // runc run --detach returns once the container is started, which can be before its init
        // has loaded the seccomp filter and exec'd the command.
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!sleeper.info().command().orElse("").endsWith("sleep") && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(
                    Duration.ofMillis(10).toNanos());
        }
        assertThat(sleeper.info().command())
                .hasValueSatisfying(c -> assertThat(c).endsWith("sleep"));

        worker(builder("runc"));

        sleeper.onExit().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(runcContainers(state)).isEmpty();
        assertThat(bundle).doesNotExist();
    }

    @Test
    void runcStateDirectoryServesOneWorkerAtATime() {
        worker(builder("runc"));

        assertThatThrownBy(() -> builder("runc").build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("--sandbox runc: state directory " + dir.resolve("runc-state")
                        + " is in use by another worker (expected: one state directory per worker)");
    }

    private static List<String> hogOptions() {
        List<String> options = new ArrayList<>(Worker.DEFAULT_JVM_OPTIONS);
        // a heap ceiling above the container's limit, so that the kernel's limit is what it hits
        options.add("-Xmx1g");
        return options;
    }

    private Map<String, String> probed(Container container) throws InterruptedException {
        return SandboxProbes.probed(sink, container, WAIT);
    }

    private static ProcessHandle jvmOf(Container container) {
        return SandboxProbes.jvmOf(container);
    }

    /** No process, and for runc no state, bundle or cgroup, of {@code container} is left. */
    private void assertNothingLeft(String sandbox, Container container) throws Exception {
        Optional<ProcessHandle> launched = ProcessHandle.of(container.pid());
        assertThat(launched.map(ProcessHandle::isAlive).orElse(false))
                .as("%s alive", container)
                .isFalse();
        // Nor anything it started: a bwrap killed in the instant after its fork once left its
        // namespace's init and the JVM running, reparented to the system's init.
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (processesOf(container.id()).findAny().isPresent()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("processes of " + container.id() + " still run: "
                        + processesOf(container.id())
                                .map(p -> p.pid() + " " + p.info().command().orElse("?"))
                                .toList());
            }
            java.util.concurrent.locks.LockSupport.parkNanos(
                    Duration.ofMillis(10).toNanos());
        }
        if (sandbox.equals("runc")) {
            Path state = dir.resolve("runc-state");
            assertThat(runcContainers(state)).doesNotContain(container.id());
            assertThat(state.resolve("bundles").resolve(container.id())).doesNotExist();
            assertThat(CgroupMemory.detect().dir(OciBundle.cgroupsPath(container.id())))
                    .doesNotExist();
        }
    }

    /**
     * Live processes whose command line names container {@code id}: bwrap's --hostname, runc's
     * container, the JVM's --container-id. By the command line's text, which the JDK cuts at
     * 4 KiB (and then gives no argument list); each names the id within that.
     */
    private static java.util.stream.Stream<ProcessHandle> processesOf(String id) {
        return ProcessHandle.allProcesses()
                .filter(ProcessHandle::isAlive)
                .filter(p ->
                        p.info().commandLine().map(line -> line.contains(id)).orElse(false));
    }

    private static List<String> runcContainers(Path state) {
        try {
            Process list = new ProcessBuilder(
                            "runc", "--root", state.resolve("runc").toString(), "list", "--quiet")
                    .redirectErrorStream(true)
                    .start();
            String out = new String(list.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            list.waitFor();
            return out.lines().map(String::strip).filter(s -> !s.isEmpty()).toList();
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static long runcStatePid(Path state, String id) throws Exception {
        Process process = new ProcessBuilder(
                        "runc", "--root", state.resolve("runc").toString(), "state", id)
                .redirectErrorStream(true)
                .start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(out).isZero();
        java.util.regex.Matcher pid =
                java.util.regex.Pattern.compile("\"pid\":\\s*(\\d+)").matcher(out);
        assertThat(pid.find()).as(out).isTrue();
        return Long.parseLong(pid.group(1));
    }

    private static void mknod(Path node, int major, int minor) throws Exception {
        Process mknod = new ProcessBuilder(
                        "mknod", node.toString(), "c", Integer.toString(major), Integer.toString(minor))
                .inheritIO()
                .start();
        assertThat(mknod.waitFor()).isZero();
    }

    private static String read(Path file) throws IOException {
        return Files.readString(file).strip();
    }

    /** The names directly under /root that runtime class path entries lie beneath. */
    private static java.util.Set<String> classpathUnderRoot() {
        java.util.Set<String> names = new java.util.HashSet<>();
        for (String entry : TestFunctions.runtimeClasspath().split(java.io.File.pathSeparator)) {
            Path path = Path.of(entry).toAbsolutePath().normalize();
            if (path.startsWith("/root") && path.getNameCount() > 1) {
                names.add(path.getName(1).toString());
            }
        }
        return names;
    }

    private Worker.Builder builder(String sandbox) {
        return Worker.builder()
                .runtimeClasspath(TestFunctions.runtimeClasspath())
                .startTimeout(WAIT)
                .logSink(sink)
                .sandbox(Sandbox.parse(sandbox, dir.resolve("runc-state")));
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

    private static Container started(CompletableFuture<Container> start) throws Exception {
        return start.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    private static boolean isAlive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }
}
