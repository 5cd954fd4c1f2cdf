package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The per-function wait queue, on a stack whose queue timeout is one second. */
class QueueEndToEndTest {

    private static FerryStack stack;

    @BeforeAll
    static void start() throws Exception {
        stack = new FerryStack(Duration.ofSeconds(1));
    }

    @AfterAll
    static void stop() throws Exception {
        stack.close();
        assertThat(stack.livePids()).isEmpty();
    }

    @Test
    void aRequestThatWaitsPastTheQueueTimeoutGets503WithRetryAfter() throws Exception {
        List<CompletableFuture<HttpResponse<String>>> busy = occupyAllSlowSlots();

        HttpResponse<String> waited = stack.get("testapp--one-slow", "/?ms=1");

        assertThat(waited.statusCode()).isEqualTo(503);
        assertThat(waited.body())
                .isEqualTo(
                        "no container of testapp--one-slow could take the request within 1.0s (its queue timeout)\n");
        assertThat(waited.headers().firstValue("retry-after")).contains("1");
        for (CompletableFuture<HttpResponse<String>> call : busy) {
            assertThat(call.get().statusCode()).isEqualTo(200);
        }
    }

    @Test
    void aClientThatLeavesWhileQueuedGivesUpItsPlace() throws Exception {
        List<CompletableFuture<HttpResponse<String>>> busy = occupyAllSlowSlots();
        try (Socket socket = new Socket("127.0.0.1", stack.port())) {
            OutputStream out = socket.getOutputStream();
            out.write("GET /?ms=1 HTTP/1.1\r\nHost: testapp--one-slow.localhost\r\n\r\n"
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            FerryStack.await(
                    "the request queued",
                    () -> ExamplesEndToEndTest.demand(stack, "testapp--one-slow")
                                    .queued()
                            == 1);
        }

        FerryStack.await(
                "the queue to be empty",
                () -> ExamplesEndToEndTest.demand(stack, "testapp--one-slow").queued() == 0);
        for (CompletableFuture<HttpResponse<String>> call : busy) {
            assertThat(call.get().statusCode()).isEqualTo(200);
        }
    }

    /** Starts 4 calls of one-slow (its max_inputs; it has one container at most) that last 3 s, and waits until all run. */
    private static List<CompletableFuture<HttpResponse<String>>> occupyAllSlowSlots() throws Exception {
        stack.get("testapp--one-slow", "/?ms=0").statusCode(); // warm: the queue timeout must not race a cold start
        List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            calls.add(stack.client.sendAsync(
                    stack.request("testapp--one-slow", "/?ms=3000").build(), HttpResponse.BodyHandlers.ofString()));
        }
        FerryStack.await(
                "4 calls in flight",
                () -> ExamplesEndToEndTest.demand(stack, "testapp--one-slow").inFlight() == 4);
        return calls;
    }
}
