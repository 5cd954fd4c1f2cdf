package dev.ferry.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.ferry.request.protocol.CallStart;
import dev.ferry.request.protocol.ClientEvent;
import dev.ferry.request.protocol.ConnectionOpen;
import dev.ferry.request.protocol.ContainerSecret;
import dev.ferry.request.protocol.ErrorCode;
import dev.ferry.request.protocol.Frame;
import dev.ferry.request.protocol.HttpScope;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each container the worker starts, from a fresh JVM or from a pool member, has a secret of its
 * own, off its command line, and refuses a raw client that does not open with it.
 */
class ContainerSecretsTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private final List<Worker> workers = new ArrayList<>();
    private Path jar;

    @BeforeEach
    void packFunctions() throws Exception {
        jar = TestFunctions.jar(dir, ProbeFunction.class);
    }

    @AfterEach
    void closeWorkers() {
        workers.forEach(Worker::close);
    }

    @Test
    void aFreshContainerRefusesAClientWithoutItsSecret() throws Exception {
        Worker worker = worker(0);

        Container container = worker.start(TestFunctions.spec("probe", ProbeFunction.class, jar))
                .get(WAIT.toSeconds(), TimeUnit.SECONDS);

        assertRefusesStrangersAndServesItsSecret(container);
    }

    @Test
    void aContainerFromAPoolMemberRefusesAClientWithoutItsSecret() throws Exception {
        Worker worker = worker(1);
        await("a warm member", () -> worker.pool().idle() == 1);

        Container first = worker.start(TestFunctions.spec("probe", ProbeFunction.class, jar))
                .get(WAIT.toSeconds(), TimeUnit.SECONDS);
        await("a new member", () -> worker.pool().idle() == 1);
        Container second = worker.start(TestFunctions.spec("probe", ProbeFunction.class, jar))
                .get(WAIT.toSeconds(), TimeUnit.SECONDS);

        assertThat(commandLine(first.pid())).contains(" --pool ");
        assertRefusesStrangersAndServesItsSecret(first);
        assertRefusesStrangersAndServesItsSecret(second);
        assertThat(first.secret()).as("a secret per container").isNotEqualTo(second.secret());
        try (Socket socket = connect(second)) {
            write(socket, open(first.secret()));
            assertThat(read(socket).getServer().getError().getDetail())
                    .as("another container's secret is a wrong one")
                    .isEqualTo("connection refused: its ConnectionOpen has the wrong secret");
        }
    }

    private void assertRefusesStrangersAndServesItsSecret(Container container) throws IOException {
        assertThat(container.secret().isNone()).isFalse();
        assertThat(commandLine(container.pid()))
                .doesNotContain(container.secret().encoded());
        assertThat(container.toString()).doesNotContain(container.secret().encoded());

        try (Socket stranger = connect(container)) {
            write(stranger, start(1, "test--probe"));
            Frame refusal = read(stranger);
            assertThat(refusal.getCall()).isZero();
            assertThat(refusal.getServer().getError().getCode()).isEqualTo(ErrorCode.CONNECTION_REFUSED);
            assertThat(stranger.getInputStream().read()).as("then closed").isEqualTo(-1);
        }

        try (Socket gateway = connect(container)) {
            write(gateway, open(container.secret()));
            write(gateway, start(1, "test--not-here"));
            Frame answer = read(gateway);
            assertThat(answer.getCall())
                    .as("the call was heard: the service answers it")
                    .isEqualTo(1);
            assertThat(answer.getServer().getError().getCode()).isEqualTo(ErrorCode.FUNCTION_NOT_FOUND);
        }
    }

    private Worker worker(int pool) {
        Worker worker = Worker.builder()
                .runtimeClasspath(TestFunctions.runtimeClasspath())
                .startTimeout(WAIT)
                .logSink(new CollectingLogSink())
                .warmPool(pool)
                .warmUpCalls(10)
                .build();
        workers.add(worker);
        return worker;
    }

    private static Socket connect(Container container) throws IOException {
        Socket socket = new Socket(container.address().getAddress(), container.port());
        socket.setSoTimeout((int) WAIT.toMillis());
        return socket;
    }

    private static Frame open(ContainerSecret secret) {
        return Frame.newBuilder()
                .setOpen(ConnectionOpen.newBuilder().setSecret(secret.bytes()))
                .build();
    }

    private static Frame start(int call, String function) {
        return Frame.newBuilder()
                .setCall(call)
                .setClient(ClientEvent.newBuilder()
                        .setStart(CallStart.newBuilder()
                                .setFunction(function)
                                .setCallId("raw-" + call)
                                .setHttp(HttpScope.newBuilder()
                                        .setHttpVersion("1.1")
                                        .setMethod("GET")
                                        .setScheme("http")
                                        .setPath("/")
                                        .setRawPath(ByteString.copyFromUtf8("/")))))
                .build();
    }

    private static void write(Socket socket, Frame frame) throws IOException {
        OutputStream out = socket.getOutputStream();
        frame.writeDelimitedTo(out);
        out.flush();
    }

    private static Frame read(Socket socket) throws IOException {
        Frame frame = Frame.parseDelimitedFrom(socket.getInputStream());
        assertThat(frame).as("a frame before the end of the stream").isNotNull();
        return frame;
    }

    /** The process's whole command line, arguments joined by spaces. */
    private static String commandLine(long pid) throws IOException {
        return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")), StandardCharsets.UTF_8)
                .replace('\0', ' ');
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + WAIT + " waiting for " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }
}
