package dev.ferry.perf.transport;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** One echo call through each design of {@link TransportBench}, then a burst like its measurements: no timing. */
class TransportBenchSmokeTest {

    private record Echo(int status, ByteString body) {}

    @ParameterizedTest
    @EnumSource(Design.class)
    void echoesTheBody(Design design) throws Exception {
        try (EchoPlane plane = design.start()) {
            CompletableFuture<Echo> echo = new CompletableFuture<>();
            plane.clientLoop()
                    .execute(() -> plane.call(7, new EchoCall.Done() {
                        @Override
                        public void completed(int status, ByteString body) {
                            assertThat(plane.clientLoop().inEventLoop()).isTrue();
                            echo.complete(new Echo(status, body));
                        }

                        @Override
                        public void failed(String why) {
                            echo.completeExceptionally(new AssertionError(why));
                        }
                    }));

            Echo answer = echo.get(10, TimeUnit.SECONDS);
            assertThat(answer.status()).isEqualTo(200);
            assertThat(answer.body()).isEqualTo(EchoCall.BODY);
            assertThat(answer.body().toStringUtf8()).startsWith("abcdefghijklmnopqrstuvwxyzabc");

            EchoRun run = new EchoRun(plane);
            run.go(TransportBench.PER_RUN, TransportBench.IN_FLIGHT); // throws on a lost or wrong echo
            run.go(TransportBench.SEQUENTIAL, 1);
        }
    }
}
