package dev.ferry.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.function.runtime.TestJars;
import dev.ferry.request.protocol.FunctionId;
import dev.ferry.routing.AppDeployment;
import dev.ferry.routing.RoutingStore;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Gateways that share containers: each counts only its own calls, so a container may refuse a
 * call its maxInputs cannot take; the gateway then sends the request, body and all, to another
 * slot or queues it again, and the client never sees the refusal. Real container processes,
 * real gateways on port 0.
 */
class ContainerRefusalTest {

    @TempDir
    static Path dir;

    private static TestContainer s1, s2, w1, w2;
    private static List<TestContainer> containers = List.of();
    private static AppDeployment app;

    private final List<AutoCloseable> closing = new ArrayList<>();

    @BeforeAll
    static void startContainers() throws Exception {
        Path jar = TestJars.jar(dir.resolve("t.jar"), "t", RefusalFunctions.class);
        List<TestContainer> slow = TestContainer.start(jar, "t--slow", RefusalFunctions.Slow.class, 2, "s1", "s2");
        containers = slow;
        List<TestContainer> ws = TestContainer.start(jar, "t--ws", RefusalFunctions.Echo.class, 1, "w1", "w2");
        containers = List.of(slow.get(0), slow.get(1), ws.get(0), ws.get(1));
        s1 = slow.get(0);
        s2 = slow.get(1);
        w1 = ws.get(0);
        w2 = ws.get(1);
        app = TestContainer.app(jar, RefusalFunctions.Slow.class, RefusalFunctions.Echo.class);
    }

    @AfterAll
    static void stopContainers() {
        containers.forEach(TestContainer::close);
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closing.reversed()) {
            c.close();
        }
    }

    private RoutingStore store(TestContainer... ready) {
        RoutingStore store = RoutingStore.inMemory();
        closing.add(store::close);
        store.deploy(app);
        for (TestContainer c : ready) {
            store.putContainer(c.ready("v1"));
        }
        return store;
    }

    private GatewayServer gateway(GatewayServer.Builder builder, String function, int readyContainers)
            throws Exception {
        GatewayServer gateway = builder.port(0).start();
        closing.add(gateway::close);
        Poll.await(
                "gateway sees " + readyContainers + " containers of " + function,
                () -> demand(gateway, function).readyContainers() == readyContainers);
        return gateway;
    }

    private static FunctionDemand demand(GatewayServer gateway, String function) {
        return gateway.demand().stream()
                .filter(d -> d.function().equals(FunctionId.parse(function)))
                .findFirst()
                .orElse(new FunctionDemand(FunctionId.parse(function), "v1", 0, 0, 0, Instant.EPOCH));
    }

    @Test
    void everyRequestSucceedsWhenTwoGatewaysShareTheContainers() throws Exception {
        RoutingStore store = store(s1, s2);
        GatewayServer a = gateway(GatewayServer.builder().store(store), "t--slow", 2);
        GatewayServer b = gateway(GatewayServer.builder().store(store), "t--slow", 2);

        // Each gateway sees 4 free slots and takes them all at once: the containers, with 4 in
        // all, refuse the calls beyond them, and those requests go round again.
        int perGateway = 6;
        List<Future<RawHttp.Response>> responses = new ArrayList<>();
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 2 * perGateway; i++) {
                int port = (i % 2 == 0 ? a : b).port();
                String body = "request-" + i;
                responses.add(clients.submit(() -> RawHttp.send(port, "t--slow.localhost", "POST", "/?ms=400", body)));
            }
        }

        for (int i = 0; i < responses.size(); i++) {
            RawHttp.Response response = responses.get(i).get();
            assertThat(response.status()).as(response.body()).isEqualTo(200);
            String[] answer = response.body().split(" ");
            assertThat(Long.parseLong(answer[0])).isIn(s1.pid(), s2.pid());
            assertThat(Integer.parseInt(answer[1])).as("inputs running at once").isBetween(1, 2);
            assertThat(answer[2]).isEqualTo("request-" + i);
        }
    }

    @Test
    void aRefusedRequestGoesWithItsBodyToAnotherContainer() throws Exception {
        RoutingStore storeOfB = store(s1);
        GatewayServer b = gateway(
                GatewayServer.builder().store(storeOfB).reportDemand("b", Duration.ofMillis(100)), "t--slow", 1);
        RoutingStore storeOfA = store(s1);
        GatewayServer a = gateway(GatewayServer.builder().store(storeOfA), "t--slow", 1);
        for (int i = 0; i < 2; i++) {
            Socket busy = RawHttp.open(b.port(), "t--slow.localhost", "GET", "/?ms=5000", "");
            closing.add(busy);
        }
        Poll.await("b's two calls fill s1", () -> demand(b, "t--slow").inFlight() == 2);
        Poll.await(
                "b reports its calls on s1",
                () -> storeOfB.demand().stream()
                        .anyMatch(d -> d.gateway().equals("b") && d.busy().equals(Map.of("s1", 2))));

        CompletableFuture<RawHttp.Response> response = CompletableFuture.supplyAsync(() -> {
            try {
                return RawHttp.send(a.port(), "t--slow.localhost", "POST", "/?ms=0", "the body");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        // s1 refused it (a saw a free slot there): it waits in a's queue, for s2.
        Poll.await(
                "a's request waits again after s1 refused it",
                () -> demand(a, "t--slow").queued() == 1 && demand(a, "t--slow").inFlight() == 0);
        storeOfA.putContainer(s2.ready("v1"));

        RawHttp.Response answer = response.get(20, TimeUnit.SECONDS);
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        assertThat(answer.body()).isEqualTo(s2.pid() + " 1 the body");
    }

    @Test
    void aRefusedWebSocketIsRetriedOnAnotherContainer() throws Exception {
        RoutingStore storeOfB = store(w1);
        GatewayServer b = gateway(GatewayServer.builder().store(storeOfB), "t--ws", 1);
        RoutingStore storeOfA = store(w1);
        GatewayServer a = gateway(GatewayServer.builder().store(storeOfA), "t--ws", 1);
        RawHttp.WebSocket onW1 = new RawHttp.WebSocket(b.port(), "t--ws.localhost", "/");
        closing.add(onW1);
        assertThat(onW1.status).isEqualTo(101);
        onW1.send("hi");
        assertThat(onW1.receive()).isEqualTo(w1.pid() + ":hi");

        CompletableFuture<RawHttp.WebSocket> opening = CompletableFuture.supplyAsync(() -> {
            try {
                return new RawHttp.WebSocket(a.port(), "t--ws.localhost", "/");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Poll.await(
                "a's WebSocket waits again after w1 refused it",
                () -> demand(a, "t--ws").queued() == 1 && demand(a, "t--ws").inFlight() == 0);
        storeOfA.putContainer(w2.ready("v1"));

        RawHttp.WebSocket onW2 = opening.get(20, TimeUnit.SECONDS);
        closing.add(onW2);
        assertThat(onW2.status).isEqualTo(101);
        onW2.send("hello");
        assertThat(onW2.receive()).isEqualTo(w2.pid() + ":hello");
    }
}
