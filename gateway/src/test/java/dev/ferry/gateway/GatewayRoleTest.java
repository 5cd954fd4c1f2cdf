package dev.ferry.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.routing.RoutingStore;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gateway role's builder: each option checked at build, named with its value; defaults; nothing runs before start. */
class GatewayRoleTest {

    @TempDir
    Path home;

    private final RoutingStore store = RoutingStore.inMemory();

    @AfterEach
    void closeStore() {
        store.close();
    }

    private GatewayRole.Builder required() {
        return GatewayRole.builder().store(store).id("gateway-test").home(home);
    }

    @Test
    void buildNamesTheOptionThatCannotWork() {
        assertThatThrownBy(() -> GatewayRole.builder().id("g").home(home).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("store: null (expected: ");
        assertThatThrownBy(() -> GatewayRole.builder().store(store).home(home).build())
                .hasMessageStartingWith("id: null (expected: this gateway's id");
        assertThatThrownBy(() -> GatewayRole.builder().store(store).id("g").build())
                .hasMessage("home: null (expected: the Ferry home directory)");
        assertThatThrownBy(() -> required().httpsPort(65536).build())
                .hasMessage("httpsPort: 65536 (expected: 0-65535)");
        assertThatThrownBy(() -> required().httpPort(-1).build()).hasMessage("port: -1 (expected: 0-65535)");
        assertThatThrownBy(() -> required().domain(".example.com").build())
                .hasMessageStartingWith("domain: .example.com (expected: a DNS name");
        assertThatThrownBy(() -> required().queueTimeout(Duration.ZERO).build())
                .hasMessage("queueTimeout: PT0S (expected: > 0)");
        assertThatThrownBy(() ->
                        required().unschedulableWait(Duration.ofSeconds(-1)).build())
                .hasMessage("unschedulableWait: PT-1S (expected: > 0)");
        assertThatThrownBy(() -> required().maxQueuedPerFunction(-1).build())
                .hasMessage("maxQueuedPerFunction: -1 (expected: >= 0)");
        assertThatThrownBy(() -> required().headTimeout(Duration.ZERO).build())
                .hasMessage("headTimeout: PT0S (expected: > 0)");
        assertThatThrownBy(() -> required().idleTimeout(Duration.ZERO).build())
                .hasMessage("idleTimeout: PT0S (expected: > 0)");
        assertThatThrownBy(() -> required().maxRequestLine(10).build())
                .hasMessage("maxRequestLine: 10 (expected: >= 256)");
        assertThatThrownBy(() -> required().maxHeaderSize(100).build())
                .hasMessage("maxHeaderSize: 100 (expected: >= 1024)");
        assertThatThrownBy(() -> required().maxConcurrentStreams(0).build())
                .hasMessage("maxConcurrentStreams: 0 (expected: >= 1)");
        assertThatThrownBy(() -> required().demandInterval(Duration.ZERO).build())
                .hasMessage("demandInterval: PT0S (expected: > 0)");
    }

    @Test
    void aBuiltRoleRunsNothingUntilStarted() {
        GatewayRole role = required().build();

        assertThatThrownBy(role::httpPort)
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("gateway gateway-test: not started (expected: start() first)");
        assertThat(home).isEmptyDirectory(); // no certificate authority made yet
        role.close();
    }

    @Test
    void byDefaultServesOnLoopbackUnderLocalhostWithTheLocalAuthoritysCertificate() throws Exception {
        try (GatewayRole role = required().httpPort(0).httpsPort(0).build().start()) {
            assertThat(role.localCertificates()).isPresent();
            assertThat(role.url("shop--cart")).isEqualTo("http://shop--cart.localhost:" + role.httpPort() + "/");
            RawHttp.Response unknown = RawHttp.send(role.httpPort(), "shop--cart.localhost", "GET", "/", "");
            assertThat(unknown.status()).isEqualTo(404);
            assertThat(unknown.body()).contains("app not found: shop");
            assertThat(RawHttp.send(role.httpPort(), "a--b.localhost", "GET", "/" + "a".repeat(8000), "")
                            .status())
                    .as("within the default request line limit, 8192 bytes")
                    .isEqualTo(404);
            assertThatThrownBy(role::start)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("gateway gateway-test: started already (expected: one start)");
        }
    }
}
