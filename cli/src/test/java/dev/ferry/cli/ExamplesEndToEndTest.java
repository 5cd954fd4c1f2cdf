package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.gateway.FunctionDemand;
import dev.ferry.request.protocol.FunctionId;
import dev.ferry.routing.ContainerInfo;
import dev.ferry.routing.ContainerState;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/** The example app through a real gateway and real containers, with real HTTP clients. */
@ExtendWith(FerryStackExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ExamplesEndToEndTest {

    @Test
    @Order(1) // before any other test warms hello up
    void helloAnswersColdThenWarmFromTheSameContainer(FerryStack stack) throws Exception {
        assertThat(stack.containers("examples--hello", ContainerState.READY)).isEmpty();

        HttpResponse<String> cold = stack.get("examples--hello", "/");
        assertThat(cold.statusCode()).isEqualTo(200);
        assertThat(cold.body()).isEqualTo("Hello from Ferry!\n");
        List<ContainerInfo> ready = stack.containers("examples--hello", ContainerState.READY);
        assertThat(ready).hasSize(1);

        HttpResponse<String> warm = stack.get("examples--hello", "/");
        assertThat(warm.statusCode()).isEqualTo(200);
        assertThat(stack.containers("examples--hello", ContainerState.READY)).isEqualTo(ready);
    }

    @Test
    void echoReturnsEmptyAndOneByteBodiesWithTheRequestLine(FerryStack stack) throws Exception {
        HttpResponse<byte[]> empty = post(stack, "/p/a%20th?q=1&r=2", new byte[0]);
        assertThat(empty.statusCode()).isEqualTo(200);
        assertThat(empty.body()).isEmpty();
        assertThat(empty.headers().firstValue("x-echo-method")).contains("POST");
        assertThat(empty.headers().firstValue("x-echo-path")).contains("/p/a th");
        assertThat(empty.headers().firstValue("x-echo-query")).contains("q=1&r=2");

        HttpResponse<byte[]> one = post(stack, "/", new byte[] {42});
        assertThat(one.body()).containsExactly(42);
    }

    @Test
    void echoStreams50MegabytesBackUnchangedWithBoundedGatewayMemory(FerryStack stack) throws Exception {
        long size = 50L * 1024 * 1024;
        MessageDigest sent = MessageDigest.getInstance("SHA-256");
        MessageDigest received = MessageDigest.getInstance("SHA-256");
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        System.gc();
        long baseline = memory.getHeapMemoryUsage().getUsed();
        AtomicLong peak = new AtomicLong();

        InputStream body = new InputStream() {
            private final Random random = new Random(7);
            private long left = size;

            @Override
            public int read() {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (left == 0) {
                    return -1;
                }
                int n = (int) Math.min(len, left);
                byte[] chunk = new byte[n];
                random.nextBytes(chunk);
                System.arraycopy(chunk, 0, b, off, n);
                sent.update(chunk);
                left -= n;
                if (left % (8L * 1024 * 1024) < n) { // every 8 MiB: how much does the heap hold now?
                    System.gc();
                    peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed() - baseline, Math::max);
                }
                return n;
            }
        };
        OutputStream sink = new OutputStream() {
            @Override
            public void write(int b) {
                received.update((byte) b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                received.update(b, off, len);
            }
        };
        DuplexHttpClient.Result result =
                DuplexHttpClient.post(stack.port(), "examples--echo.localhost", "/big", size, body, sink);

        assertThat(result.status()).isEqualTo(200);
        assertThat(result.bodyBytes()).isEqualTo(size);
        assertThat(received.digest()).isEqualTo(sent.digest());
        // Client and gateway share this JVM; streaming keeps both far below the body size.
        assertThat(peak.get()).isLessThan(16L * 1024 * 1024);
    }

    @Test
    void echoTakesAChunkedRequestBodyAndAnswersChunked(FerryStack stack) throws Exception {
        String raw = exchange(
                stack,
                "POST /c HTTP/1.1\r\nHost: examples--echo.localhost\r\nTransfer-Encoding: chunked\r\n"
                        + "Connection: close\r\n\r\n5\r\nhello\r\n1\r\n,\r\n6\r\n world\r\n0\r\n\r\n");

        assertThat(raw).startsWith("HTTP/1.1 200 OK").contains("transfer-encoding: chunked");
        String body = raw.substring(raw.indexOf("\r\n\r\n") + 4);
        StringBuilder decoded = new StringBuilder();
        for (int at = 0; ; ) {
            int eol = body.indexOf("\r\n", at);
            int size = Integer.parseInt(body.substring(at, eol), 16);
            if (size == 0) {
                break;
            }
            decoded.append(body, eol + 2, eol + 2 + size);
            at = eol + 2 + size + 2;
        }
        assertThat(decoded.toString()).isEqualTo("hello, world");
    }

    @Test
    void trailersFollowAChunkedHttp11Body(FerryStack stack) throws Exception {
        String raw = exchange(
                stack,
                "GET / HTTP/1.1\r\nHost: testapp--trailers.localhost\r\nTE: trailers\r\nConnection: close\r\n\r\n");

        assertThat(raw)
                .startsWith("HTTP/1.1 200 OK")
                .contains("transfer-encoding: chunked")
                .endsWith("4\r\nbody\r\n0\r\nx-checksum: abc123\r\n\r\n");
    }

    @Test
    void sseEventsArriveSpreadInTimeNotAllAtTheEnd(FerryStack stack) throws Exception {
        HttpResponse<InputStream> response = stack.client.send(
                stack.request("examples--sse", "/?n=4&interval_ms=300").build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.headers().firstValue("content-type")).contains("text/event-stream");
        List<Long> arrivals = new ArrayList<>();
        try (BufferedReader lines =
                new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            for (String line; (line = lines.readLine()) != null; ) {
                if (line.startsWith("data: ")) {
                    arrivals.add(System.nanoTime());
                }
            }
        }

        assertThat(arrivals).hasSize(4);
        // Events are produced 300 ms apart; had they been buffered, they would arrive together.
        assertThat((arrivals.get(3) - arrivals.get(0)) / 1_000_000).isGreaterThan(600);
        assertThat((arrivals.get(1) - arrivals.get(0)) / 1_000_000).isGreaterThan(150);
    }

    @Test
    void aFifthConcurrentSlowCallWaitsAndBringsASecondContainer(FerryStack stack) throws Exception {
        List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            calls.add(stack.client.sendAsync(
                    stack.request("examples--slow", "/?ms=1500").build(), HttpResponse.BodyHandlers.ofString()));
        }
        FerryStack.await(
                "4 slow calls in flight", () -> demand(stack, "examples--slow").inFlight() == 4);

        CompletableFuture<HttpResponse<String>> fifth = stack.client.sendAsync(
                stack.request("examples--slow", "/?ms=10").build(), HttpResponse.BodyHandlers.ofString());
        FerryStack.await(
                "the fifth call queued", () -> demand(stack, "examples--slow").queued() == 1);
        assertThat(demand(stack, "examples--slow").inFlight()).isEqualTo(4);
        assertThat(fifth).isNotDone();

        assertThat(fifth.get().statusCode()).isEqualTo(200);
        for (CompletableFuture<HttpResponse<String>> call : calls) {
            assertThat(call.get().statusCode()).isEqualTo(200);
            assertThat(call.get().body()).isEqualTo("slept 1500 ms\n");
        }
        assertThat(fifth.get().body()).isEqualTo("slept 10 ms\n");
        // Five calls at once, four per container: the controller started a second one.
        FerryStack.await(
                "a second slow container",
                () -> stack.containers("examples--slow", ContainerState.READY).size() == 2);
    }

    @Test
    void unknownAppsFunctionsAndHostsGet404WithAReason(FerryStack stack) throws Exception {
        HttpResponse<String> noApp = stack.get("nope--hello", "/");
        assertThat(noApp.statusCode()).isEqualTo(404);
        assertThat(noApp.body()).isEqualTo("app not found: nope\n");

        HttpResponse<String> noFunction = stack.get("examples--nope", "/");
        assertThat(noFunction.statusCode()).isEqualTo(404);
        assertThat(noFunction.body()).isEqualTo("function not found: nope in app examples\n");

        String raw = exchange(stack, "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        assertThat(raw).startsWith("HTTP/1.1 404 Not Found").contains("no function at host localhost");
    }

    @Test
    void garbageGets400AndTheConnectionIsClosed(FerryStack stack) throws Exception {
        String raw = exchange(stack, "\u0001\u0002\u0003 not http at all\r\n\r\n");

        assertThat(raw).startsWith("HTTP/1.1 400 Bad Request").contains("malformed request");
    }

    @Test
    void anOverlongRequestLineGets414AndOverlargeHeadersGet431(FerryStack stack) throws Exception {
        String longLine =
                exchange(stack, "GET /" + "a".repeat(9000) + " HTTP/1.1\r\nHost: examples--hello.localhost\r\n\r\n");
        assertThat(longLine)
                .startsWith("HTTP/1.1 414 Request-URI Too Long")
                .contains("request line longer than 8192 bytes");

        String bigHeaders = exchange(
                stack,
                "GET / HTTP/1.1\r\nHost: examples--hello.localhost\r\nX-Big: " + "b".repeat(17_000) + "\r\n\r\n");
        assertThat(bigHeaders)
                .startsWith("HTTP/1.1 431 Request Header Fields Too Large")
                .contains("request headers larger than 16384 bytes");
    }

    @Test
    void aBodyOverTheFunctionsLimitGets413WhetherDeclaredOrStreamed(FerryStack stack) throws Exception {
        String declared = exchange(
                stack,
                "POST / HTTP/1.1\r\nHost: testapp--small.localhost\r\nContent-Length: 2000\r\n\r\n" + "x".repeat(2000));
        assertThat(declared)
                .startsWith("HTTP/1.1 413 Request Entity Too Large")
                .contains("request body larger than 1000 bytes, the limit of testapp--small");

        String streamed = exchange(
                stack,
                "POST / HTTP/1.1\r\nHost: testapp--small.localhost\r\nTransfer-Encoding: chunked\r\n\r\n" + "7d0\r\n"
                        + "y".repeat(2000) + "\r\n0\r\n\r\n");
        assertThat(streamed).startsWith("HTTP/1.1 413 Request Entity Too Large");

        HttpResponse<String> fits = stack.client.send(
                stack.request("testapp--small", "/")
                        .POST(HttpRequest.BodyPublishers.ofString("z".repeat(1000)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(fits.body()).isEqualTo("got 1000");
    }

    @Test
    void anInvalidHeaderNameGets400(FerryStack stack) throws Exception {
        String raw = exchange(stack, "GET / HTTP/1.1\r\nHost: examples--hello.localhost\r\nBad Name: x\r\n\r\n");

        assertThat(raw).startsWith("HTTP/1.1 400 Bad Request").contains("malformed request");
    }

    @Test
    void contentLengthWithTransferEncodingGets400(FerryStack stack) throws Exception {
        String raw = exchange(
                stack,
                "POST / HTTP/1.1\r\nHost: examples--echo.localhost\r\nContent-Length: 5\r\n"
                        + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");

        assertThat(raw).startsWith("HTTP/1.1 400 Bad Request");
    }

    @Test
    void aRequestWithoutHostGets400(FerryStack stack) throws Exception {
        String raw = exchange(stack, "GET / HTTP/1.1\r\n\r\n");

        assertThat(raw).startsWith("HTTP/1.1 400 Bad Request").contains("missing Host header");
    }

    @Test
    void keepAliveCarriesSeveralRequestsOnOneConnection(FerryStack stack) throws Exception {
        String request = "GET / HTTP/1.1\r\nHost: examples--hello.localhost\r\n\r\n";
        String raw = exchange(stack, request + request + request.replace("\r\n\r\n", "\r\nConnection: close\r\n\r\n"));

        assertThat(raw.split("HTTP/1.1 200 OK", -1)).hasSize(4);
    }

    /** Sends {@code raw} on a new socket and reads until the server closes it. */
    private static String exchange(FerryStack stack, String raw) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", stack.port())) {
            socket.setSoTimeout((int) FerryStack.WAIT.toMillis());
            OutputStream out = socket.getOutputStream();
            out.write(raw.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    private static HttpResponse<byte[]> post(FerryStack stack, String pathAndQuery, byte[] body) throws Exception {
        return stack.client.send(
                stack.request("examples--echo", pathAndQuery)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    static FunctionDemand demand(FerryStack stack, String function) {
        return stack.dev.demand().stream()
                .filter(d -> d.function().equals(FunctionId.parse(function)))
                .findFirst()
                .orElse(new FunctionDemand(FunctionId.parse(function), "-", 0, 0, 0, java.time.Instant.EPOCH));
    }
}
