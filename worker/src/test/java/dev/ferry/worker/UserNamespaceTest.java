package dev.ferry.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Containers of a root worker under bwrap and runc run in user namespaces of their own: root
 * inside is an unprivileged user of the machine, one per container, and what they read of the
 * machine is what a stranger may. Needs root, bwrap, runc and setpriv, and a kernel that allows
 * user namespaces to unprivileged users, as this machine's does.
 */
class UserNamespaceTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    /** What /proc/self/uid_map says of root's namespace: every id, itself. */
    private static final String NO_USER_NAMESPACE = "0 0 4294967295";

    @TempDir
    Path dir;

    private final CollectingLogSink sink = new CollectingLogSink();
    private final List<Worker> workers = new ArrayList<>();
    private Path jar;

    @BeforeEach
    void packFunctions() throws Exception {
        jar = TestFunctions.jar(dir, SandboxProbeFunction.class);
    }

    @AfterEach
    void closeWorkers() {
        workers.forEach(Worker::close);
    }

    @ParameterizedTest
    @ValueSource(strings = {"bwrap", "runc"})
    void eachContainerIsRootInsideAndAStrangerOfItsOwnOutside(String sandbox) throws Exception {
        Worker worker = worker(builder(sandbox));
        ContainerUsers users = worker.userNamespaces().orElseThrow().users();

        Container first = started(worker.start(probe()));
        Map<String, String> firstSeen = probed(first);
        Container second = started(worker.start(probe()));
        Map<String, String> secondSeen = probed(second);

        for (Map<String, String> seen : List.of(firstSeen, secondSeen)) {
            assertThat(seen.get("uid")).isEqualTo("0");
            // One id mapped (bwrap's --disable-userns nests it once more, so its view of the
            // mapping is of the namespace above, not of the machine).
            assertThat(seen.get("uid-map")).startsWith("0 ").endsWith(" 1");
            assertThat(seen.get("cap-eff")).isEqualTo("0000000000000000");
        }
        int firstUid = SandboxProbes.hostUid(SandboxProbes.jvmOf(first));
        int secondUid = SandboxProbes.hostUid(SandboxProbes.jvmOf(second));
        assertThat(firstUid).isNotZero().isNotEqualTo(secondUid);
        assertThat(users.taken()).isEqualTo(2);
        if (sandbox.equals("runc")) {
            assertThat(firstSeen.get("uid-map")).isEqualTo("0 " + firstUid + " 1");
        }
    }

    /** bwrap shows the machine's file system: what only root may read there stays closed. */
    @Test
    void bwrapContainerCannotReadWhatOnlyRootMay() throws Exception {
        Path open = Files.createTempDirectory(Path.of("/var/tmp"), "ferry-userns-test-");
        try {
            Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path secret = Files.writeString(open.resolve("secret"), "root's");
            Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
            Path shared = Files.writeString(open.resolve("shared"), "everyone's");
            Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rw-r--r--"));
            Worker worker = worker(builder("bwrap"));

            Map<String, String> secretSeen = probed(started(
                    worker.start(probe().withEnvironment(Map.of(SandboxProbeFunction.READ_FILE, secret.toString())))));
            Map<String, String> sharedSeen = probed(started(
                    worker.start(probe().withEnvironment(Map.of(SandboxProbeFunction.READ_FILE, shared.toString())))));

            assertThat(secretSeen.get("read-file")).isEqualTo("denied");
            assertThat(sharedSeen.get("read-file")).isEqualTo("ok");
        } finally {
            OciBundle.delete(open);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"bwrap", "runc"})
    void aContainersFilesAndUserGoWithIt(String sandbox) throws Exception {
        Worker worker = worker(builder(sandbox));
        UserNamespaces namespaces = worker.userNamespaces().orElseThrow();
        Path own = namespaces.root().resolve("c");

        Container container = started(worker.start(probe()));
        probed(container);
        Path dir = own.resolve(container.id());
        int uid = SandboxProbes.hostUid(SandboxProbes.jvmOf(container));
        assertThat(Files.getAttribute(dir, "unix:uid")).isEqualTo(uid);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)))
                .isEqualTo("rwx------");
        // Its copy of the jar: readable by it alone.
        assertThat(Files.getAttribute(dir.resolve(jar.getFileName()), "unix:uid"))
                .isEqualTo(uid);

        assertThat(container.stop().get(WAIT.toSeconds(), TimeUnit.SECONDS)).isNotNull();
        await("the container's directory gone", () -> !Files.exists(dir));
        await("its user free", () -> namespaces.users().taken() == 0);

        worker.close();
        assertThat(namespaces.root()).doesNotExist();
    }

    @ParameterizedTest
    @ValueSource(strings = {"bwrap", "runc"})
    void turnedOffTheContainerIsTheMachinesRoot(String sandbox) throws Exception {
        Worker worker = worker(builder(sandbox).userNamespaces(false));

        Container container = started(worker.start(probe()));

        assertThat(worker.userNamespaces()).isEmpty();
        assertThat(probed(container).get("uid-map")).isEqualTo(NO_USER_NAMESPACE);
        assertThat(SandboxProbes.hostUid(SandboxProbes.jvmOf(container))).isZero();
    }

    /** Without setpriv, bwrap cannot start as another user: containers run as before, and the worker says so. */
    @Test
    void bwrapWithoutSetprivRunsContainersAsRoot() throws Exception {
        Path tools = Files.createDirectories(dir.resolve("tools"));
        Files.createSymbolicLink(
                tools.resolve("bwrap"), Executables.find("bwrap").orElseThrow());
        Worker worker = worker(builder("bwrap").toolPath(tools.toString()));

        Container container = started(worker.start(probe()));

        assertThat(worker.userNamespaces()).isEmpty();
        assertThat(probed(container).get("uid-map")).isEqualTo(NO_USER_NAMESPACE);
    }

    @Test
    void aDeadWorkersDirectoryIsRemovedByTheNext() throws Exception {
        Path left = Files.createTempDirectory(Path.of("/var/tmp"), UserNamespaces.PREFIX);
        Files.writeString(left.resolve("worker.lock"), "");
        Files.createDirectories(left.resolve("c/ct-dead"));

        worker(builder("bwrap"));

        assertThat(left).doesNotExist();
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
        workers.add(worker);
        return worker;
    }

    private ContainerSpec probe() {
        return TestFunctions.spec("sandbox-probe", SandboxProbeFunction.class, jar);
    }

    private Map<String, String> probed(Container container) throws InterruptedException {
        return SandboxProbes.probed(sink, container, WAIT);
    }

    private static Container started(CompletableFuture<Container> start) throws Exception {
        return start.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    private static void await(String what, java.util.function.BooleanSupplier condition) {
        SandboxProbes.await(what, WAIT, condition);
    }
}
