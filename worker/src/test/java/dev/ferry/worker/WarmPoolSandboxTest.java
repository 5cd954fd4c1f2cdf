package dev.ferry.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.worker.ContainerLogSink.Source;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The warm pool against real processes in every sandbox: a container comes from a pool member
 * that has warmed up, it is isolated as a fresh one is (its own class loader and environment,
 * the sandbox's file system, runc's limits set at the assignment), a member serves one
 * container and exits with it, a member that dies before its assignment is replaced, and
 * nothing outlives the worker. (SandboxTest covers every sandbox with the pool off.)
 */
class WarmPoolSandboxTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    /** Enough calls to run the warm-up path, few enough for a quick test. */
    private static final int WARM_UP_CALLS = 50;

    @TempDir
    Path dir;

    private final CollectingLogSink sink = new CollectingLogSink();
    private final CollectingListener listener = new CollectingListener();
    private final List<Worker> workers = new ArrayList<>();
    private Path jar;

    @BeforeEach
    void packFunctions() throws Exception {
        jar = TestFunctions.jar(dir, ProbeFunction.class, SandboxProbeFunction.class, ExitingFunction.class);
    }

    @AfterEach
    void closeWorkers() {
        workers.forEach(Worker::close);
        await("no pool member outlives its worker", () -> members().findAny().isEmpty());
    }

    static Stream<String> sandboxes() {
        return Sandbox.NAMES.stream();
    }

    @ParameterizedTest
    @MethodSource("sandboxes")
    void aContainerComesFromAWarmMemberAndIsIsolated(String sandbox) throws Exception {
        Worker worker = worker(sandbox, 1);
        await("a warm member", () -> worker.pool().idle() == 1);
        long member = members().findFirst().orElseThrow().pid();

        Container container = started(worker.start(
                spec("sandbox-probe", SandboxProbeFunction.class).withEnvironment(Map.of("FERRY_TEST_VALUE", "42"))));
        Map<String, String> seen = probed(container);

        assertThat(jvmOf(container).pid()).isEqualTo(member);
        // Its own class loader over its jar, as in a fresh container (the runtime's classes, the
        // warm-up's included, stay visible through the parent, as the SDK's must).
        assertThat(seen.get("class-loader")).isEqualTo("java.net.URLClassLoader");
        assertThat(seen.get("env.FERRY_CONTAINER_ID")).isEqualTo(container.id());
        assertThat(seen.get("env.FERRY_TEST_VALUE")).isEqualTo("42");
        assertThat(seen.get("env.CUDA_VISIBLE_DEVICES")).isEmpty();
        assertThat(seen.get("env.NVIDIA_VISIBLE_DEVICES")).isEqualTo("void");
        if (!sandbox.equals("process")) {
            assertThat(seen.get("env.MAVEN_OPTS")).isEqualTo("<unset>");
            assertThat(seen.get("usr-writable")).isEqualTo("false");
            assertThat(seen.get("tmp-writable")).isEqualTo("true");
            assertThat(seen.get("shadow-readable")).isEqualTo("false");
            assertThat(seen.get("cap-eff")).isEqualTo("0000000000000000");
            // The sandbox was made before the member had a container: it is named after the member.
            assertThat(seen.get("hostname")).startsWith("pm-");
            // Its user namespace too: root inside, an unprivileged user of the machine outside.
            assertThat(seen.get("uid")).isEqualTo("0");
            assertThat(SandboxProbes.hostUid(jvmOf(container))).isGreaterThan(0);
        }
        // The pool refills behind it, with a new process: the member is the container now.
        await("a new member", () -> worker.pool().idle() == 1);
        assertThat(members().map(ProcessHandle::pid)).hasSize(2).contains(member);
    }

    @Test
    void membersStartTogetherThenWarmUpWhenTold() throws Exception {
        Worker worker = worker("process", 2);
        assertThat(worker.poolStarted().get(WAIT.toSeconds(), TimeUnit.SECONDS)).isNull();

        await("both members warm", () -> worker.pool().warm() == 2);

        assertThat(worker.pool()).isEqualTo(new PoolStatus(2, 2, 2, 0));
        assertThat(started(worker.start(spec("probe", ProbeFunction.class))).state())
                .isEqualTo(ContainerState.READY);
    }

    @Test
    void theAotCacheIsTrainedOnceAndReplacesOlderOnes() throws Exception {
        Path aot = Files.createDirectories(dir.resolve("aot"));
        Path older = Files.writeString(aot.resolve("container-0ld.aot"), "a cache of another build");
        Path cache = aot.resolve("container-1234.aot");
        Worker worker = worker(builder("process", 1).aotCache(cache));

        await("the cache", () -> Files.isRegularFile(cache) && !Files.exists(older));
        assertThat(started(worker.start(spec("probe", ProbeFunction.class))).state())
                .isEqualTo(ContainerState.READY);

        // The member taken is replaced by one that maps the cache.
        await(
                "a member started on the cache",
                () -> members().anyMatch(p -> commandLine(p).contains("-XX:AOTCache=" + cache)));
        assertThat(started(worker.start(spec("sandbox-probe", SandboxProbeFunction.class)))
                        .state())
                .isEqualTo(ContainerState.READY);
        try (Stream<Path> left = Files.list(aot)) {
            assertThat(left).containsExactly(cache);
        }
    }

    /**
     * The cache lives in the worker's home, which a container's user cannot reach: its sandbox
     * binds a copy at the same path, and the JVM, which checks the class path's paths, sizes and
     * times against those it recorded, maps it.
     */
    @ParameterizedTest
    @ValueSource(strings = {"bwrap", "runc"})
    void aSandboxedContainerMapsTheAotCache(String sandbox) throws Exception {
        Path cache = Files.createDirectories(dir.resolve("aot")).resolve("container-1234.aot");
        Worker worker = worker(builder(sandbox, 1).aotCache(cache));

        await("the cache", AotCache.TRAINING_TIMEOUT, () -> Files.isRegularFile(cache));
        // The member started before the cache is taken; its replacement maps the cache.
        started(worker.start(spec("sandbox-probe", SandboxProbeFunction.class)));
        await(
                "a member started on the cache",
                () -> members().anyMatch(p -> commandLine(p).contains("-XX:AOTCache=" + cache)));
        await("that member idle", () -> worker.pool().idle() == 1);
        Container container = started(worker.start(spec("sandbox-probe", SandboxProbeFunction.class)));

        assertThat(commandLine(jvmOf(container))).contains("-XX:AOTCache=" + cache);
        assertThat(Files.readString(
                        Path.of("/proc", Long.toString(jvmOf(container).pid()), "maps")))
                .as("the JVM's mappings")
                .contains(cache.toString());
    }

    @Test
    void runcSetsTheContainersLimitsAtTheAssignment() throws Exception {
        Worker worker = worker("runc", 1);
        await("a warm member", () -> worker.pool().idle() == 1);

        Container container = started(worker.start(
                spec("sandbox-probe", SandboxProbeFunction.class).withLimits(ContainerLimits.of(1, 256, 300))));
        Map<String, String> seen = probed(container);

        assertThat(commandLine(jvmOf(container))).contains(" --pool ");
        assertThat(seen.get("cpus"))
                .as(seen.get("cgroup-mounts") + " / " + seen.get("cgroup"))
                .isEqualTo("1");
        assertThat(seen.get("memory-mib")).isEqualTo("256");
    }

    @Test
    void aMemberServesOneContainerAndExitsWithIt() throws Exception {
        Worker worker = worker("process", 1);
        await("a warm member", () -> worker.pool().idle() == 1);
        Container first = started(worker.start(spec("probe", ProbeFunction.class)));
        long firstPid = first.pid();

        assertThat(first.stop().get(WAIT.toSeconds(), TimeUnit.SECONDS)).isZero();
        assertThat(listener.await(first.id(), ContainerState.EXITED, WAIT).exit())
                .hasValueSatisfying(exit -> assertThat(exit.reason()).isEqualTo("stopped"));
        await("a new member", () -> worker.pool().idle() == 1);
        Container second = started(worker.start(spec("sandbox-probe", SandboxProbeFunction.class)));

        assertThat(ProcessHandle.of(firstPid).map(ProcessHandle::isAlive).orElse(false))
                .isFalse();
        assertThat(second.pid()).isNotEqualTo(firstPid);
        assertThat(probed(second).get("env.FERRY_CONTAINER_ID")).isEqualTo(second.id());
        sink.await(first, Source.STDOUT, ProbeFunction.STOPPED_LINE, WAIT);
    }

    @Test
    void aMemberThatDiesBeforeItsAssignmentIsReplaced() {
        Worker worker = worker("process", 1);
        await("a warm member", () -> worker.pool().idle() == 1);
        ProcessHandle member = members().findFirst().orElseThrow();

        member.destroyForcibly();

        await(
                "a replacement",
                () -> worker.pool().idle() == 1
                        && members().map(ProcessHandle::pid).noneMatch(pid -> pid == member.pid()));
        assertThat(worker.containers()).isEmpty();
    }

    @Test
    void aFunctionThatCannotStartFailsItsStartAndThePoolGoesOn() throws Exception {
        Worker worker = worker("process", 1);
        await("a warm member", () -> worker.pool().idle() == 1);

        CompletableFuture<Container> start = worker.start(
                spec("exiting", ExitingFunction.class).withEnvironment(Map.of(ExitingFunction.EXIT_CODE, "3")));

        assertThatThrownBy(() -> start.get(WAIT.toSeconds(), TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(ContainerStartException.class)
                .hasMessageContaining("(test--exiting) exited with code 3 before it was ready");
        await("a new member", () -> worker.pool().idle() == 1);
        assertThat(started(worker.start(spec("probe", ProbeFunction.class))).state())
                .isEqualTo(ContainerState.READY);
    }

    @Test
    void containersWithGpusStartFresh() throws Exception {
        Worker worker = worker("process", 1);
        await("a warm member", () -> worker.pool().idle() == 1);

        Container container = started(worker.start(spec("sandbox-probe", SandboxProbeFunction.class)
                .withGpus(List.of("GPU-dfa0340b-6fd2-01a8-5b83-9f4e7a7ec0f3"))));

        assertThat(commandLine(jvmOf(container))).doesNotContain(" --pool ");
        assertThat(probed(container).get("env.CUDA_VISIBLE_DEVICES"))
                .isEqualTo("GPU-dfa0340b-6fd2-01a8-5b83-9f4e7a7ec0f3");
        assertThat(worker.pool().idle()).isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"bwrap", "runc"})
    void membersOfANetworkNoneWorkerServeItsContainersOverTheirSocketFiles(String sandbox) throws Exception {
        Worker worker = worker(builder(sandbox, 1).containerNetwork(ContainerNetwork.NONE));
        await("a warm member", () -> worker.pool().idle() == 1);
        long member = members().findFirst().orElseThrow().pid();

        Container container = started(worker.start(spec("sandbox-probe", SandboxProbeFunction.class)));
        probed(container);

        assertThat(jvmOf(container).pid()).isEqualTo(member);
        Path socket = Path.of(container.localSocket());
        assertThat(socket).isAbsolute().exists();
        try (java.nio.channels.SocketChannel channel =
                java.nio.channels.SocketChannel.open(java.net.UnixDomainSocketAddress.of(socket))) {
            assertThat(channel.isConnected()).isTrue();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"bwrap", "runc"})
    void aFunctionWantingAnotherNetworkThanTheMembersStartsFresh(String sandbox) throws Exception {
        Worker worker = worker(sandbox, 1);
        await("a warm member", () -> worker.pool().idle() == 1);

        Container container = started(
                worker.start(spec("sandbox-probe", SandboxProbeFunction.class).withNetwork(ContainerNetwork.NONE)));

        assertThat(commandLine(jvmOf(container))).doesNotContain(" --pool ");
        assertThat(container.localSocket()).startsWith("/");
        assertThat(worker.pool().idle()).isEqualTo(1);
    }

    @ParameterizedTest
    @MethodSource("sandboxes")
    void closeLeavesNoMemberNorItsDirectoryBehind(String sandbox) {
        Path pool = dir.resolve("pool");
        Worker worker = worker(builder(sandbox, 2).poolDirectory(pool));
        await("a warm member", () -> worker.pool().idle() >= 1);

        worker.close();

        assertThat(members()).isEmpty();
        try (Stream<Path> left = Files.list(pool)) {
            assertThat(left).isEmpty();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        assertThat(worker.pool()).isEqualTo(new PoolStatus(2, 0, 0, 0));
    }

    /** Live pool members of this test's workers: JVMs started by this one with {@code --pool} on their command line. */
    private static Stream<ProcessHandle> members() {
        return ProcessHandle.current()
                .descendants()
                .filter(ProcessHandle::isAlive)
                .filter(p -> p.info().command().map(c -> c.endsWith("/java")).orElse(false))
                .filter(p -> commandLine(p).contains(" --pool "));
    }

    /** The whole command line of {@code process}, arguments joined by spaces (the JDK's is cut at 4 KiB). */
    private static String commandLine(ProcessHandle process) {
        try {
            return new String(
                            Files.readAllBytes(Path.of("/proc", Long.toString(process.pid()), "cmdline")),
                            java.nio.charset.StandardCharsets.UTF_8)
                    .replace('\0', ' ');
        } catch (java.io.IOException e) {
            return ""; // gone
        }
    }

    private Map<String, String> probed(Container container) throws InterruptedException {
        return SandboxProbes.probed(sink, container, WAIT);
    }

    private static ProcessHandle jvmOf(Container container) {
        return SandboxProbes.jvmOf(container);
    }

    private Worker.Builder builder(String sandbox, int pool) {
        return Worker.builder()
                .runtimeClasspath(TestFunctions.runtimeClasspath())
                .startTimeout(WAIT)
                .logSink(sink)
                .warmPool(pool)
                .warmUpCalls(WARM_UP_CALLS)
                .sandbox(Sandbox.parse(sandbox, dir.resolve("runc-state")));
    }

    private Worker worker(String sandbox, int pool) {
        return worker(builder(sandbox, pool));
    }

    private Worker worker(Worker.Builder builder) {
        Worker worker = builder.build();
        worker.addListener(listener);
        workers.add(worker);
        return worker;
    }

    private ContainerSpec spec(String name, Class<?> type) {
        return TestFunctions.spec(name, type, jar);
    }

    private static Container started(CompletableFuture<Container> start) throws Exception {
        return start.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    private static void await(String what, BooleanSupplier condition) {
        await(what, WAIT, condition);
    }

    private static void await(String what, Duration wait, BooleanSupplier condition) {
        SandboxProbes.await(what, wait, condition);
    }
}
