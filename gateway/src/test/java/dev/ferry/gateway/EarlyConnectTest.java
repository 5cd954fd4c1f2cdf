package dev.ferry.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.function.runtime.TestJars;
import dev.ferry.request.protocol.FunctionId;
import dev.ferry.routing.AppDeployment;
import dev.ferry.routing.ContainerInfo;
import dev.ferry.routing.ContainerState;
import dev.ferry.routing.RoutingStore;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A gateway connects to a container while it starts (its address is known from STARTING), so
 * that its first call finds the connection made; a container whose port opens only later (a
 * fresh JVM) is served all the same. Real container processes, a real gateway on port 0.
 */
class EarlyConnectTest {

    @TempDir
    static Path dir;

    private static Path jar;
    private static AppDeployment app;

    private final List<AutoCloseable> closing = new ArrayList<>();

    @BeforeAll
    static void packApp() throws Exception {
        jar = TestJars.jar(dir.resolve("t.jar"), "t", RefusalFunctions.class);
        app = TestContainer.app(jar, RefusalFunctions.Slow.class);
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closing.reversed()) {
            c.close();
        }
    }

    @Test
    void aContainerConnectedToWhileItStartsServesItsFirstCall() throws Exception {
        TestContainer container = TestContainer.start(jar, "t--slow", RefusalFunctions.Slow.class, 2, "c1")
                .getFirst();
        closing.add(container::close);
        RoutingStore store = store();
        GatewayServer gateway = gateway(store);

        store.putContainer(container.ready("v1").withState(ContainerState.STARTING));
        store.putContainer(container.ready("v1"));

        assertServedBy(gateway, container);
    }

    @Test
    void aContainerWhosePortOpensAfterItsStartIsServedAllTheSame() throws Exception {
        RoutingStore store = store();
        GatewayServer gateway = gateway(store);
        int port = TestContainer.freePort();
        // The gateway tries the port now, finds it closed, and waits out its back-off...
        store.putContainer(new ContainerInfo(
                "c2",
                FunctionId.parse("t--slow"),
                "v1",
                "w1",
                "127.0.0.1",
                port,
                ContainerState.STARTING,
                2,
                Instant.EPOCH));
        TestContainer container = TestContainer.startOn(jar, "t--slow", RefusalFunctions.Slow.class, 2, "c2", port);
        closing.add(container::close);

        // ...which the first call must not wait for, nor fail on.
        store.putContainer(container.ready("v1"));

        assertServedBy(gateway, container);
    }

    private RoutingStore store() {
        RoutingStore store = RoutingStore.inMemory();
        closing.add(store::close);
        store.deploy(app);
        return store;
    }

    private GatewayServer gateway(RoutingStore store) throws Exception {
        GatewayServer gateway = GatewayServer.builder().store(store).port(0).start();
        closing.add(gateway::close);
        return gateway;
    }

    private static void assertServedBy(GatewayServer gateway, TestContainer container) throws Exception {
        RawHttp.Response response = RawHttp.send(gateway.port(), "t--slow.localhost", "POST", "/?ms=0", "first");
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(container.pid() + " 1 first");
    }
}
