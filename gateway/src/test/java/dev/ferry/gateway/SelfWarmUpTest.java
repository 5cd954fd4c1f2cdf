package dev.ferry.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.function.runtime.WarmUpServer;
import dev.ferry.request.protocol.ContainerSecret;
import dev.ferry.routing.RoutingStore;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A gateway warming its own request path, through its real port, against the runtime's warm-up call service. */
class SelfWarmUpTest {

    private GatewayServer gateway;

    @BeforeEach
    void startGateway() throws Exception {
        gateway = GatewayServer.builder().port(0).store(RoutingStore.inMemory()).start();
    }

    @AfterEach
    void closeGateway() throws Exception {
        gateway.close();
    }

    @Test
    void callsTheWarmUpFunctionThroughItsOwnPortAndLeavesNothingBehind() throws Exception {
        try (WarmUpServer target = WarmUpServer.start("127.0.0.1")) {
            GatewayServer.WarmUpResult result =
                    gateway.warmUp(target.address(), target.secret(), 20, Duration.ofSeconds(60));

            assertThat(result.ok()).isEqualTo(20);
            assertThat(result.made()).isEqualTo(20);
        }
        // Its function was private: no demand for any controller, and no host serves it now.
        assertThat(gateway.demand()).isEmpty();
        assertThat(RawHttp.send(gateway.port(), "warm-up-00112233.invalid", "GET", "/", "")
                        .status())
                .isEqualTo(404);
    }

    @Test
    void aTargetThatRefusesItsSecretEndsTheWarmUp() throws Exception {
        try (WarmUpServer target = WarmUpServer.start("127.0.0.1")) {
            GatewayServer.WarmUpResult result =
                    gateway.warmUp(target.address(), ContainerSecret.generate(), 20, Duration.ofSeconds(10));

            assertThat(result.ok()).isZero();
            assertThat(result.made()).isEqualTo(1);
        }
    }

    @Test
    void aTargetThatDoesNotAnswerEndsTheWarmUpAndTheGatewayGoesOn() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }

        GatewayServer.WarmUpResult result = gateway.warmUp(
                new InetSocketAddress("127.0.0.1", closedPort), ContainerSecret.generate(), 20, Duration.ofSeconds(3));

        assertThat(result.ok()).isZero();
        assertThat(result.made()).isEqualTo(1); // the first call failed: no more are made
        assertThat(gateway.demand()).isEmpty();
        RawHttp.Response after = RawHttp.send(gateway.port(), "a--b.localhost", "GET", "/", "");
        assertThat(after.status()).isEqualTo(404);
        assertThat(after.body()).contains("app not found: a");
    }
}
