package dev.ferry.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.routing.RoutingStore;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The edge's limits take their configured values, on a real gateway with no functions behind it. */
class GatewayLimitsTest {

    private static String exchange(int port, String raw) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(raw.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void configuredRequestLineAndHeaderLimitsApply() throws Exception {
        GatewayServer gateway = GatewayServer.builder()
                .port(0)
                .store(RoutingStore.inMemory())
                .maxRequestLine(300)
                .maxHeaderSize(2000)
                .start();
        try {
            assertThat(exchange(
                            gateway.port(), "GET /" + "a".repeat(400) + " HTTP/1.1\r\nHost: a--b.localhost\r\n\r\n"))
                    .startsWith("HTTP/1.1 414")
                    .contains("request line longer than 300 bytes");
            assertThat(exchange(
                            gateway.port(),
                            "GET / HTTP/1.1\r\nHost: a--b.localhost\r\nX-Big: " + "b".repeat(3000) + "\r\n\r\n"))
                    .startsWith("HTTP/1.1 431")
                    .contains("request headers larger than 2000 bytes");
            assertThat(exchange(
                            gateway.port(),
                            "GET /" + "a".repeat(200)
                                    + " HTTP/1.1\r\nHost: a--b.localhost\r\nConnection: close\r\n\r\n"))
                    .startsWith("HTTP/1.1 404")
                    .contains("app not found: a");
        } finally {
            gateway.close();
        }
    }

    @Test
    void rejectsLimitsThatCannotWork() {
        assertThatThrownBy(() -> GatewayServer.builder().maxConcurrentStreams(0))
                .hasMessage("maxConcurrentStreams: 0 (expected: >= 1)");
        assertThatThrownBy(() -> GatewayServer.builder().maxRequestLine(10))
                .hasMessage("maxRequestLine: 10 (expected: >= 256)");
        assertThatThrownBy(() -> GatewayServer.builder().headTimeout(java.time.Duration.ZERO))
                .hasMessage("headTimeout: PT0S (expected: > 0)");
    }
}
