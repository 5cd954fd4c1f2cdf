package dev.ferry.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.call.transport.Transport;
import dev.ferry.function.runtime.TestJars;
import dev.ferry.routing.AppDeployment;
import dev.ferry.routing.RoutingStore;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A container with a network of its own (a worker's {@code network none}) is called over the
 * socket file its record names, its only way in: a real container process in a real network
 * namespace (bubblewrap, as root), a real gateway on port 0.
 */
class NetworkNoneCallTest {

    @TempDir
    Path dir;

    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closing.reversed()) {
            c.close();
        }
    }

    @Test
    void aContainerInItsOwnNetworkIsCalledOverItsSocketFileOnly() throws Exception {
        assertThat(Transport.LOCAL_SOCKETS).as(Transport.describe()).isTrue();
        Path jar = TestJars.jar(dir.resolve("t.jar"), "t", RefusalFunctions.class);
        AppDeployment app = TestContainer.app(jar, RefusalFunctions.Slow.class);
        Path socket = Files.createDirectory(dir.resolve("s")).resolve("call.sock");
        TestContainer container =
                TestContainer.startInOwnNetwork(jar, "t--slow", RefusalFunctions.Slow.class, 2, "c1", socket);
        closing.add(container);
        // The port it listed is free here, and taken by something else: the gateway must not call it.
        try (ServerSocket impostor = new ServerSocket(container.port(), 50, InetAddress.getLoopbackAddress())) {
            RoutingStore store = RoutingStore.inMemory();
            closing.add(store::close);
            store.deploy(app);
            store.putContainer(container.ready("v1", container.port(), socket.toString()));
            GatewayServer gateway = GatewayServer.builder().store(store).port(0).start();
            closing.add(gateway::close);

            RawHttp.Response response = RawHttp.send(gateway.port(), "t--slow.localhost", "POST", "/?ms=0", "isolated");

            assertThat(response.status()).as(response.body()).isEqualTo(200);
            assertThat(response.body()).endsWith(" isolated");
        }
    }

    @Test
    void aSocketPathIsUsedWhateverTheListedHost() {
        java.net.InetSocketAddress elsewhere = new java.net.InetSocketAddress("192.0.2.7", 4000);
        assertThat(ContainerConnections.localSocket(
                        new dev.ferry.routing.ContainerInfo(
                                "c9",
                                dev.ferry.request.protocol.FunctionId.parse("t--slow"),
                                "v1",
                                "w1",
                                "192.0.2.7",
                                4000,
                                dev.ferry.routing.ContainerState.READY,
                                1,
                                java.time.Instant.EPOCH,
                                dev.ferry.routing.ContainerResources.NONE,
                                "",
                                "/run/ferry/sockets/abc/call.sock"),
                        elsewhere))
                .hasValueSatisfying(address ->
                        assertThat(Transport.describe(address)).isEqualTo("unix:/run/ferry/sockets/abc/call.sock"));
    }
}
