package dev.ferry.function.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.request.protocol.ContainerSecret;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A pool member's synthetic calls, made over a real connection to a real warm-up server. */
class WarmUpTest {

    private static final Duration BUDGET = Duration.ofSeconds(20);

    @Test
    void completesEveryCallOnTheBuiltInFunctions() throws Exception {
        try (WarmUpServer server = WarmUpServer.start("127.0.0.1")) {
            // More calls than run at once, so that finished calls make room for later ones.
            assertThat(new WarmUp(WarmUp.CONCURRENCY * 4, BUDGET).run(server.address(), server.secret()))
                    .isEqualTo(WarmUp.CONCURRENCY * 4);
        }
    }

    @Test
    void startsNoCallOnceStopped() throws Exception {
        try (WarmUpServer server = WarmUpServer.start("127.0.0.1")) {
            WarmUp warmUp = new WarmUp(1000, BUDGET);
            warmUp.stop();

            assertThat(warmUp.run(server.address(), server.secret())).isZero();
        }
    }

    @Test
    void countsNoCallThatFoundNobodyListening() throws Exception {
        InetSocketAddress closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = new InetSocketAddress("127.0.0.1", socket.getLocalPort());
        }

        assertThat(new WarmUp(8, BUDGET).run(closed, ContainerSecret.generate()))
                .isZero();
    }

    @Test
    void makesNoCallWhenToldToMakeNone() throws InterruptedException {
        assertThat(new WarmUp(0, BUDGET).run(new InetSocketAddress("127.0.0.1", 1), ContainerSecret.generate()))
                .isZero();
    }
}
