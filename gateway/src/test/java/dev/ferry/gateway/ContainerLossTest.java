package dev.ferry.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.function.runtime.TestJars;
import dev.ferry.request.protocol.FunctionId;
import dev.ferry.routing.AppDeployment;
import dev.ferry.routing.ContainerInfo;
import dev.ferry.routing.DeployedFunction;
import dev.ferry.routing.RoutingStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Containers that die under calls: a call its container had not accepted goes, body and all, to
 * another container or waits for one, and ends in a 503 naming why when none comes; only a call
 * a container accepted fails with 502, saying how the container died (a WebSocket: close 1011).
 * Real container processes killed with SIGKILL, a real gateway on port 0, and the routing
 * store written as the worker and the controller would write it.
 */
class ContainerLossTest {

    @TempDir
    static Path dir;

    private static Path jar;
    private static AppDeployment app;

    private final List<AutoCloseable> closing = new ArrayList<>();

    @BeforeAll
    static void buildJar() throws Exception {
        jar = TestJars.jar(dir.resolve("t.jar"), "t", RefusalFunctions.class);
        app = TestContainer.app(
                jar,
                RefusalFunctions.Slow.class,
                RefusalFunctions.Hold.class,
                RefusalFunctions.Echo.class,
                RefusalFunctions.Quick.class);
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closing.reversed()) {
            c.close();
        }
    }

    @Test
    void aCallItsContainerDiesBeforeAcceptingGoesWithItsBodyToAnotherContainer() throws Exception {
        List<TestContainer> slow = containers("t--slow", RefusalFunctions.Slow.class, 2, "d1", "d2");
        TestContainer dying = slow.get(0), other = slow.get(1);
        // TCP only, so that what reached the container is in the kernel's count (/proc/net/tcp).
        RoutingStore store = store(dying.ready("v1", dying.port(), ""));
        GatewayServer gateway = gateway(store, GatewayServer.builder(), "t--slow", 1);
        Poll.await("the gateway's connection to d1 open and read", () -> connectedAndRead(dying.port()));
        dying.suspend();

        // 48 KiB, under what the gateway keeps for a resend: all of it goes again to d2.
        String body = "the body " + "0123456789abcdef".repeat(3 * 1024);
        CompletableFuture<RawHttp.Response> response = send(gateway, "t--slow", "POST", "/?ms=0", body);
        Poll.await("the call on d1's socket, unread", () -> unreadBytesTo(dying.port()) > 0);
        store.putContainer(other.ready("v1"));
        Poll.await("the gateway sees d2", () -> demand(gateway, "t--slow").readyContainers() == 2);
        dying.kill();

        RawHttp.Response answer = response.get(30, TimeUnit.SECONDS);
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        assertThat(answer.body()).isEqualTo(other.pid() + " 1 " + body);
    }

    @Test
    void aRequestWhoseOnlyContainerIsGoneWaitsAndGets503NamingWhyNoneCanStart() throws Exception {
        TestContainer only =
                containers("t--slow", RefusalFunctions.Slow.class, 2, "g1").getFirst();
        RoutingStore store = store(only.ready("v1"));
        GatewayServer gateway = gateway(
                store,
                GatewayServer.builder().queueTimeout(Duration.ofSeconds(30)).unschedulableWait(Duration.ofSeconds(2)),
                "t--slow",
                1);
        // kill -9 of its worker's process group: nobody writes the container's exit; the
        // gateway still lists it as ready.
        only.kill();

        CompletableFuture<RawHttp.Response> response = send(gateway, "t--slow", "GET", "/?ms=0", "");
        Poll.await(
                "the request waiting again after the call broke on g1",
                () -> demand(gateway, "t--slow").queued() == 1
                        && demand(gateway, "t--slow").readyContainers() == 0);
        // The controller declares the worker lost: its container goes, and the replacement
        // finds no worker.
        store.removeContainer(only.ready("v1").id());
        store.putContainer(ContainerInfo.unplaced("g2", function("t--slow"), "no worker has gpu any", Instant.EPOCH));

        RawHttp.Response answer = response.get(60, TimeUnit.SECONDS);
        assertThat(answer.status()).as(answer.body()).isEqualTo(503);
        // Told as soon as the gateway asks after the replacement went unplaced: not at the
        // queue timeout, whichever of its checks (the first after 2 s, then each second) sees it.
        assertThat(answer.body()).isEqualTo("no container of t--slow can be started: no worker has gpu any\n");
        assertThat(answer.headers()).containsEntry("x-ferry-error", "no_capacity");
    }

    @Test
    void aCallThatBreaksOnEveryContainerGets503AfterThreeTries() throws Exception {
        List<ContainerInfo> dead = new ArrayList<>();
        for (String id : List.of("x1", "x2", "x3", "x4")) {
            // Records of containers whose port nobody listens on (their processes are gone).
            dead.add(new ContainerInfo(
                    id,
                    FunctionId.parse("t--slow"),
                    "v1",
                    "w1",
                    "127.0.0.1",
                    TestContainer.freePort(),
                    dev.ferry.routing.ContainerState.READY,
                    2,
                    Instant.EPOCH));
        }
        RoutingStore store = store(dead.toArray(ContainerInfo[]::new));
        GatewayServer gateway = gateway(store, GatewayServer.builder(), "t--slow", 4);

        RawHttp.Response answer = RawHttp.send(gateway.port(), "t--slow.localhost", "GET", "/", "");

        assertThat(answer.status()).as(answer.body()).isEqualTo(503);
        assertThat(answer.body())
                .startsWith("3 containers of t--slow went away before accepting the request (the last: x");
        assertThat(answer.headers()).containsEntry("retry-after", "1");
        assertThat(demand(gateway, "t--slow").readyContainers()).isEqualTo(1);
    }

    @Test
    void aBodyTooBigToKeepGets503SayingSoWhenTheContainerDiesBeforeAccepting() throws Exception {
        TestContainer dying =
                containers("t--slow", RefusalFunctions.Slow.class, 2, "b1").getFirst();
        RoutingStore store = store(dying.ready("v1", dying.port(), ""));
        GatewayServer gateway = gateway(store, GatewayServer.builder(), "t--slow", 1);
        Poll.await("the gateway's connection to b1 open and read", () -> connectedAndRead(dying.port()));
        dying.suspend();

        int size = ExchangeCall.MAX_RESEND_BYTES + 36 * 1024;
        CompletableFuture<RawHttp.Response> response = send(gateway, "t--slow", "POST", "/?ms=0", "x".repeat(size));
        Poll.await(
                "more than the gateway keeps sent towards b1",
                () -> unreadBytesTo(dying.port()) > ExchangeCall.MAX_RESEND_BYTES + 1024);
        dying.kill();

        RawHttp.Response answer = response.get(30, TimeUnit.SECONDS);
        assertThat(answer.status()).as(answer.body()).isEqualTo(503);
        assertThat(answer.body())
                .isEqualTo("container b1 of t--slow went away before it accepted the request, after more than 64 KiB"
                        + " of its body had gone to it, which the gateway cannot send again; retry\n");
    }

    @Test
    void aCallItsContainerNeverAcceptsGets503AtTheFunctionsDeadlineNot504() throws Exception {
        TestContainer stuck =
                containers("t--quick", RefusalFunctions.Quick.class, 1, "q1").getFirst();
        RoutingStore store = store(stuck.ready("v1", stuck.port(), ""));
        GatewayServer gateway = gateway(store, GatewayServer.builder(), "t--quick", 1);
        Poll.await("the gateway's connection to q1 open and read", () -> connectedAndRead(stuck.port()));
        stuck.suspend();

        CompletableFuture<RawHttp.Response> response = send(gateway, "t--quick", "GET", "/", "");
        Poll.await("the call on q1's socket, unread", () -> unreadBytesTo(stuck.port()) > 0);

        // The function's 1 s timeout and the gateway's grace pass; q1 never took the call on.
        RawHttp.Response answer = response.get(30, TimeUnit.SECONDS);
        stuck.kill();
        assertThat(answer.status()).as(answer.body()).isEqualTo(503);
        assertThat(answer.body())
                .isEqualTo("container q1 of t--quick did not accept the request within 1s (the function's timeout);"
                        + " retry\n");
    }

    @Test
    void aCallItsContainerAcceptedGets502WithTheExitReason() throws Exception {
        TestContainer holding =
                containers("t--hold", RefusalFunctions.Hold.class, 1, "h1").getFirst();
        RoutingStore store = store(holding.ready("v1", holding.port(), ""));
        GatewayServer gateway = gateway(store, GatewayServer.builder(), "t--hold", 1);
        Path mark = dir.resolve("h1-running");

        CompletableFuture<RawHttp.Response> response = send(gateway, "t--hold", "GET", "/?mark=" + mark, "");
        Poll.await("the function running the call", () -> Files.exists(mark));
        // The container flushed its acceptance before the function started: once the gateway
        // has read all h1 sent, it has heard it.
        Poll.await(
                "the gateway has read all h1 sent",
                () -> !tcp(holding.port(), false).isEmpty() && unreadBytesFrom(holding.port()) == 0);
        // As its worker reports the death (here before the connection breaks, so the reason
        // is known whenever the gateway asks).
        store.putContainer(holding.failed("v1", "killed by signal 9 (SIGKILL)"));
        holding.kill();

        RawHttp.Response answer = response.get(30, TimeUnit.SECONDS);
        assertThat(answer.status()).as(answer.body()).isEqualTo(502);
        assertThat(answer.body()).isEqualTo("container h1 exited during the call: killed by signal 9 (SIGKILL)\n");
        assertThat(answer.headers()).containsEntry("x-ferry-error", "container_lost");
    }

    @Test
    void aWebSocketWhoseContainerDiesClosesWith1011AndTheExitReasonCutToFit() throws Exception {
        TestContainer echo =
                containers("t--ws", RefusalFunctions.Echo.class, 1, "w1").getFirst();
        RoutingStore store = store(echo.ready("v1"));
        GatewayServer gateway = gateway(store, GatewayServer.builder(), "t--ws", 1);
        RawHttp.WebSocket socket = new RawHttp.WebSocket(gateway.port(), "t--ws.localhost", "/");
        closing.add(socket);
        assertThat(socket.status).isEqualTo(101);
        socket.send("hi");
        assertThat(socket.receive()).isEqualTo(echo.pid() + ":hi");

        String reason = "out of memory (limit 256 MiB) – " + "ü".repeat(80);
        store.putContainer(echo.failed("v1", reason));
        echo.kill();

        RawHttp.WebSocket.Close close = socket.receiveClose();
        assertThat(close.code()).isEqualTo(1011);
        // 123 bytes at most (a close frame's limit), cut between characters: "ü" is two bytes.
        assertThat(close.reason().length).isBetween(122, 123);
        assertThat(("container w1 exited during the call: " + reason).getBytes(StandardCharsets.UTF_8))
                .startsWith(close.reason());
        assertThat(close.reasonText()).startsWith("container w1 exited during the call: out of memory (limit 256 MiB)");
    }

    // Helpers.

    private List<TestContainer> containers(String function, Class<?> type, int maxInputs, String... ids)
            throws Exception {
        List<TestContainer> started = TestContainer.start(jar, function, type, maxInputs, ids);
        started.forEach(c -> closing.add(c::close));
        return started;
    }

    private RoutingStore store(ContainerInfo... ready) {
        RoutingStore store = RoutingStore.inMemory();
        closing.add(store::close);
        store.deploy(app);
        for (ContainerInfo c : ready) {
            store.putContainer(c);
        }
        return store;
    }

    /** A gateway with one event loop: one connection per container, whose bytes the kernel counts. */
    private GatewayServer gateway(RoutingStore store, GatewayServer.Builder builder, String function, int ready)
            throws Exception {
        GatewayServer gateway = builder.store(store).eventLoopThreads(1).port(0).start();
        closing.add(gateway::close);
        Poll.await(
                "gateway sees " + ready + " containers of " + function,
                () -> demand(gateway, function).readyContainers() == ready);
        return gateway;
    }

    private static DeployedFunction function(String id) {
        return app.functions().stream()
                .filter(f -> f.id().equals(FunctionId.parse(id)))
                .findFirst()
                .orElseThrow();
    }

    private static FunctionDemand demand(GatewayServer gateway, String function) {
        return gateway.demand().stream()
                .filter(d -> d.function().equals(FunctionId.parse(function)))
                .findFirst()
                .orElse(new FunctionDemand(FunctionId.parse(function), "v1", 0, 0, 0, Instant.EPOCH));
    }

    private static CompletableFuture<RawHttp.Response> send(
            GatewayServer gateway, String function, String method, String path, String body) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return RawHttp.send(gateway.port(), function + ".localhost", method, path, body);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** An established connection to {@code port} on 127.0.0.1 exists, and the listener has read all it was sent. */
    private static boolean connectedAndRead(int port) {
        return !tcp(port, true).isEmpty() && unreadBytesTo(port) == 0;
    }

    /**
     * Bytes sent to the listener on {@code port} over established TCP connections that it has
     * not read, as the kernel counts them: the senders' send queues and its receive queues.
     */
    private static long unreadBytesTo(int port) {
        return tcp(port, true).stream().mapToLong(Long::longValue).sum();
    }

    /** Bytes the listener on {@code port} sent that its peers have not read, as the kernel counts them. */
    private static long unreadBytesFrom(int port) {
        return tcp(port, false).stream().mapToLong(Long::longValue).sum();
    }

    /**
     * For each established TCP socket on 127.0.0.1 (IPv4, or IPv6 mapped) at either end of a connection to the listener
     * on {@code port}, the bytes it holds that are on their way to the listener
     * ({@code towardsPort}) or from it: a send queue at one end, a receive queue at the other.
     */
    private static List<Long> tcp(int port, boolean towardsPort) {
        List<String> lines = new ArrayList<>();
        try {
            // Netty's epoll sockets are IPv6 ones, 127.0.0.1 being ::ffff:127.0.0.1 there.
            for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
                List<String> all = Files.readAllLines(Path.of(table));
                lines.addAll(all.subList(1, all.size()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String v4 = String.format("0100007F:%04X", port), v6 = "0000000000000000FFFF0000" + v4;
        List<Long> queued = new ArrayList<>();
        for (String line : lines) {
            // sl local_address rem_address st tx_queue:rx_queue ...
            String[] fields = line.trim().split("\\s+");
            if (!fields[3].equals("01")) {
                continue; // not established
            }
            String[] queues = fields[4].split(":");
            long sendQueue = Long.parseLong(queues[0], 16), receiveQueue = Long.parseLong(queues[1], 16);
            if (fields[1].equals(v4) || fields[1].equals(v6)) {
                queued.add(towardsPort ? receiveQueue : sendQueue);
            } else if (fields[2].equals(v4) || fields[2].equals(v6)) {
                queued.add(towardsPort ? sendQueue : receiveQueue);
            }
        }
        return queued;
    }
}
