package dev.ferry.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.call.transport.Transport;
import dev.ferry.function.runtime.TestJars;
import dev.ferry.request.protocol.FunctionId;
import dev.ferry.routing.AppDeployment;
import dev.ferry.routing.ContainerInfo;
import dev.ferry.routing.ContainerResources;
import dev.ferry.routing.ContainerState;
import dev.ferry.routing.RoutingStore;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A gateway calls a container on its machine over the container's local socket (a Unix domain
 * socket), and over TCP where the container does not listen there. Real container processes, a
 * real gateway on port 0.
 */
class LocalSocketCallTest {

    @TempDir
    static Path dir;

    private static AppDeployment app;
    private static TestContainer container;

    private final List<AutoCloseable> closing = new ArrayList<>();

    @BeforeAll
    static void startContainer() throws Exception {
        assertThat(Transport.LOCAL_SOCKETS)
                .as("gateways use local sockets wherever epoll is: " + Transport.describe())
                .isTrue();
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
    void aContainerOnThisMachineIsCalledOverItsLocalSocket() throws Exception {
        // Its TCP port, as listed, is one where nothing listens: only the local socket can serve.
        GatewayServer gateway = gatewayWith(container.ready("v1", TestContainer.freePort(), container.localSocket()));

        assertServed(gateway, "over the local socket");
    }

    @Test
    void aContainerThatDoesNotListenOnItsLocalSocketIsCalledOverTcp() throws Exception {
        GatewayServer gateway = gatewayWith(container.ready("v1", container.port(), "ferry/nobody-listens-here"));

        assertServed(gateway, "over tcp");
    }

    @Test
    void onlyAContainerOnALoopbackAddressWithAValidNameIsReachedLocally() {
        InetSocketAddress loopback = new InetSocketAddress("127.0.0.1", 4000);
        assertThat(ContainerConnections.localSocket(listed("127.0.0.1", "ferry/abc"), loopback))
                .isPresent();
        assertThat(ContainerConnections.localSocket(listed("127.0.0.1", ""), loopback))
                .isEmpty();
        assertThat(ContainerConnections.localSocket(listed("127.0.0.1", "x".repeat(200)), loopback))
                .isEmpty();
        InetSocketAddress elsewhere = new InetSocketAddress("192.0.2.7", 4000); // TEST-NET-1: never dialled
        assertThat(ContainerConnections.localSocket(listed("192.0.2.7", "ferry/abc"), elsewhere))
                .isEmpty();
    }

    private static ContainerInfo listed(String host, String socket) {
        return new ContainerInfo(
                "c9",
                FunctionId.parse("t--slow"),
                "v1",
                "w1",
                host,
                4000,
                ContainerState.READY,
                1,
                Instant.EPOCH,
                ContainerResources.NONE,
                "",
                socket);
    }

    private GatewayServer gatewayWith(ContainerInfo listed) throws Exception {
        RoutingStore store = RoutingStore.inMemory();
        closing.add(store::close);
        store.deploy(app);
        store.putContainer(listed);
        GatewayServer gateway = GatewayServer.builder().store(store).port(0).start();
        closing.add(gateway::close);
        return gateway;
    }

    private static void assertServed(GatewayServer gateway, String body) throws Exception {
        RawHttp.Response response = RawHttp.send(gateway.port(), "t--slow.localhost", "POST", "/?ms=0", body);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        assertThat(response.body()).endsWith(" " + body).startsWith(container.pid() + " ");
    }
}
