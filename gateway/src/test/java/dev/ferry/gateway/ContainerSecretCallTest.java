package dev.ferry.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.function.runtime.TestJars;
import dev.ferry.request.protocol.ContainerSecret;
import dev.ferry.routing.AppDeployment;
import dev.ferry.routing.ContainerInfo;
import dev.ferry.routing.RoutingStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A gateway reaches a container with the secret the container's record lists, on TCP and on the
 * local socket alike; with any other secret the container refuses it and the client hears an
 * error, not the function. Real container processes, a real gateway on port 0.
 */
class ContainerSecretCallTest {

    @TempDir
    static Path dir;

    private static AppDeployment app;
    private static TestContainer container;

    private final List<AutoCloseable> closing = new ArrayList<>();

    @BeforeAll
    static void startContainer() throws Exception {
        Path jar = TestJars.jar(dir.resolve("t.jar"), "t", RefusalFunctions.class);
        app = TestContainer.app(jar, RefusalFunctions.Slow.class);
        container = TestContainer.start(jar, "t--slow", RefusalFunctions.Slow.class, 2, "c1")
                .getFirst();
    }

    @AfterAll
    static void stopContainer() {
        if (container != null) {
            container.close();
        }
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closing.reversed()) {
            c.close();
        }
    }

    @Test
    void theListedSecretIsServedOnTcpAndOnTheLocalSocket() throws Exception {
        for (String socket : List.of("", container.localSocket())) {
            GatewayServer gateway = gatewayWith(container.ready("v1", container.port(), socket));

            RawHttp.Response response = RawHttp.send(gateway.port(), "t--slow.localhost", "POST", "/?ms=0", "hi");

            assertThat(response.status()).as(response.body()).isEqualTo(200);
            assertThat(response.body()).startsWith(container.pid() + " ").endsWith(" hi");
        }
    }

    @Test
    void anotherSecretIsRefusedOnTcpAndOnTheLocalSocket() throws Exception {
        for (String socket : List.of("", container.localSocket())) {
            ContainerInfo listed = container.ready("v1", container.port(), socket);
            GatewayServer gateway = gatewayWith(
                    withSecret(listed, ContainerSecret.generate()),
                    GatewayServer.builder().queueTimeout(Duration.ofSeconds(1)));

            RawHttp.Response response = RawHttp.send(gateway.port(), "t--slow.localhost", "POST", "/?ms=0", "hi");

            // The refused connection reached no function: the request waits for another
            // container, and with none gets the queue's 503.
            assertThat(response.status()).as(response.body()).isEqualTo(503);
            assertThat(response.body())
                    .startsWith("no container of t--slow could take the request within 1.0s")
                    .doesNotContain(Long.toString(container.pid()));
        }
    }

    private static ContainerInfo withSecret(ContainerInfo c, ContainerSecret secret) {
        return new ContainerInfo(
                c.id(),
                c.function(),
                c.version(),
                c.worker(),
                c.host(),
                c.port(),
                c.state(),
                c.maxInputs(),
                c.startedAt(),
                c.resources(),
                c.reason(),
                c.socket(),
                secret);
    }

    private GatewayServer gatewayWith(ContainerInfo listed) throws Exception {
        return gatewayWith(listed, GatewayServer.builder());
    }

    private GatewayServer gatewayWith(ContainerInfo listed, GatewayServer.Builder builder) throws Exception {
        RoutingStore store = RoutingStore.inMemory();
        closing.add(store::close);
        store.deploy(app);
        store.putContainer(listed);
        GatewayServer gateway = builder.store(store).port(0).start();
        closing.add(gateway::close);
        return gateway;
    }
}
