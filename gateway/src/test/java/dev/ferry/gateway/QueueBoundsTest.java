package dev.ferry.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.request.protocol.FunctionSettings;
import dev.ferry.routing.AppDeployment;
import dev.ferry.routing.DeployedFunction;
import dev.ferry.routing.RoutingStore;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The bounds of a function's queue at a real gateway, for a function with no container yet:
 * past the count or the wait, a 503 with Retry-After and a reason that names the bound; the
 * function's own bounds beat the gateway's defaults.
 */
class QueueBoundsTest {

    private final RoutingStore store = RoutingStore.inMemory();
    private final List<Socket> waiting = new ArrayList<>();
    private GatewayServer gateway;

    @AfterEach
    void stop() throws Exception {
        for (Socket socket : waiting) {
            socket.close();
        }
        if (gateway != null) {
            gateway.close();
        }
        store.close();
    }

    private void deploy(int maxQueued, Duration queueTimeout) {
        FunctionSettings settings = new FunctionSettings(
                "cart",
                1,
                1,
                Duration.ofSeconds(300),
                Duration.ofSeconds(60),
                0,
                0,
                0,
                0,
                0,
                List.of(),
                0,
                FunctionSettings.DEFAULT_MAX_WEBSOCKET_MESSAGE,
                List.of(),
                maxQueued,
                queueTimeout);
        store.deploy(new AppDeployment(
                "shop",
                "v1",
                List.of(new DeployedFunction("shop", "v1", "shop.Cart", Path.of("shop.jar"), "00", settings)),
                Instant.EPOCH));
    }

    private int queued() {
        return gateway.demand().stream().mapToInt(FunctionDemand::queued).sum();
    }

    /** Sends requests that stay queued, and waits until the gateway holds them all. */
    private void fillQueue(int requests) throws Exception {
        for (int i = 0; i < requests; i++) {
            waiting.add(RawHttp.open(gateway.port(), "shop--cart.localhost", "GET", "/", ""));
        }
        Poll.await(requests + " queued requests", () -> queued() == requests);
    }

    @Test
    void aRequestBeyondTheQueueLimitGets503WithRetryAfterAndTheReason() throws Exception {
        deploy(0, Duration.ZERO);
        gateway = GatewayServer.builder()
                .port(0)
                .store(store)
                .maxQueuedPerFunction(2)
                .start();
        fillQueue(2);

        RawHttp.Response refused = RawHttp.send(gateway.port(), "shop--cart.localhost", "GET", "/", "");

        assertThat(refused.status()).isEqualTo(503);
        assertThat(refused.headers()).containsEntry("retry-after", "1").containsEntry("x-ferry-error", "no_capacity");
        assertThat(refused.body())
                .isEqualTo("2 requests already wait for shop--cart (its queue limit); retry shortly\n");
        assertThat(queued()).isEqualTo(2);
    }

    /**
     * Under overload most requests are refused at once: closing each refused client's
     * connection would make every one of them reconnect (and leave the gateway lingering
     * sockets), multiplying the overload's cost. A bodiless request is whole at its head.
     */
    @Test
    void aKeepAliveConnectionSurvivesA503ForAFullQueue() throws Exception {
        deploy(0, Duration.ZERO);
        gateway = GatewayServer.builder()
                .port(0)
                .store(store)
                .maxQueuedPerFunction(1)
                .start();
        fillQueue(1);

        try (Socket socket = new Socket("127.0.0.1", gateway.port())) {
            socket.setSoTimeout(60_000);
            for (int i = 0; i < 3; i++) {
                socket.getOutputStream()
                        .write("GET / HTTP/1.1\r\nHost: shop--cart.localhost\r\n\r\n"
                                .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                RawHttp.Response refused = RawHttp.read(socket.getInputStream());

                assertThat(refused.status()).as("request " + i).isEqualTo(503);
                assertThat(refused.headers()).containsEntry("retry-after", "1").doesNotContainKey("connection");
            }
        }
        assertThat(queued()).isEqualTo(1);
    }

    @Test
    void aRequestThatWaitsPastTheQueueTimeoutGets503WithRetryAfterAndTheReason() throws Exception {
        deploy(0, Duration.ZERO);
        gateway = GatewayServer.builder()
                .port(0)
                .store(store)
                .queueTimeout(Duration.ofMillis(300))
                .start();

        long start = System.nanoTime();
        RawHttp.Response refused = RawHttp.send(gateway.port(), "shop--cart.localhost", "GET", "/", "");

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        assertThat(refused.status()).isEqualTo(503);
        assertThat(refused.headers()).containsEntry("retry-after", "1");
        assertThat(refused.body())
                .isEqualTo("no container of shop--cart could take the request within 0.3s (its queue timeout)\n");
        assertThat(queued()).isZero();
    }

    @Test
    void theFunctionsOwnQueueBoundsBeatTheGatewaysDefaults() throws Exception {
        deploy(1, Duration.ofMillis(1500));
        gateway = GatewayServer.builder()
                .port(0)
                .store(store)
                .maxQueuedPerFunction(100)
                .queueTimeout(Duration.ofSeconds(60))
                .start();
        Socket first = RawHttp.open(gateway.port(), "shop--cart.localhost", "GET", "/", "");
        waiting.add(first);
        Poll.await("one queued request", () -> queued() == 1);

        RawHttp.Response full = RawHttp.send(gateway.port(), "shop--cart.localhost", "GET", "/", "");
        RawHttp.Response timedOut = RawHttp.read(first.getInputStream());

        assertThat(full.status()).isEqualTo(503);
        assertThat(full.headers()).containsEntry("retry-after", "1");
        assertThat(full.body()).isEqualTo("1 request already waits for shop--cart (its queue limit); retry shortly\n");
        assertThat(timedOut.status()).isEqualTo(503);
        // Retry-After after a timed-out wait: the wait rounded up, at most 5 s.
        assertThat(timedOut.headers()).containsEntry("retry-after", "2");
        assertThat(timedOut.body())
                .isEqualTo("no container of shop--cart could take the request within 1.5s (its queue timeout)\n");
    }
}
