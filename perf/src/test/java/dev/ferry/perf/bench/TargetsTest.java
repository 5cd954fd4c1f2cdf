package dev.ferry.perf.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.perf.bench.Target.Endpoint;
import dev.ferry.perf.bench.Target.Protocol;
import dev.ferry.perf.bench.Target.Route;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Starts every bench target for real, on loopback, and checks each serves what the bench
 * measures with real clients (raw HTTP/1.1 over a socket, curl for h2c, the JDK's WebSocket
 * and HTTP clients), and that closing it leaves none of its processes behind. A target that
 * cannot start (nginx or HAProxy not installed, Ferry not built) fails its test.
 */
class TargetsTest {

    private static final String HELLO = "Hello from Ferry!\n";
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    static Path work;

    /** The origin nginx and HAProxy proxy to. */
    private static DirectTarget backend;

    @BeforeAll
    static void startBackend() throws IOException {
        backend = DirectTarget.start(work.resolve("backend"));
    }

    @AfterAll
    static void stopBackend() {
        if (backend != null) {
            List<ProcessHandle> processes = backend.processes();
            backend.close();
            assertThat(processes).noneMatch(ProcessHandle::isAlive);
        }
    }

    @Test
    void directServesHelloWebSocketEchoAndSseThenStopsOnClose() throws Exception {
        DirectTarget direct = DirectTarget.start(work.resolve("direct"));
        List<ProcessHandle> processes;
        try {
            assertThat(direct.name()).isEqualTo("direct");
            assertThat(direct.port(Protocol.HTTP_2)).isEqualTo(direct.port(Protocol.HTTP_1_1));
            assertServesHello(direct);

            Route ws = direct.route(Endpoint.WEBSOCKET_ECHO).orElseThrow();
            assertThat(ws).isEqualTo(new Route("127.0.0.1:" + direct.port(Protocol.HTTP_1_1), "/ws"));
            assertEchoes(URI.create("ws://" + ws.authority() + ws.path()));

            Route sse = direct.route(Endpoint.SSE).orElseThrow();
            try (HttpClient client =
                    HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
                HttpResponse<String> response = client.send(
                        HttpRequest.newBuilder(URI.create("http://" + sse.authority() + sse.path()))
                                .timeout(CLIENT_TIMEOUT)
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).isEqualTo(200);
                assertThat(response.headers().firstValue("content-type")).hasValue("text/event-stream");
                assertThat(response.headers().firstValue("cache-control")).hasValue("no-cache");
                assertThat(response.headers().firstValue("transfer-encoding")).hasValue("chunked");
                assertThat(response.body()).isEqualTo("id: 1\nevent: tick\ndata: {\"n\": 1}\n\n");
            }
            Http2Reply h2Sse = h2c(direct.port(Protocol.HTTP_2), sse);
            assertThat(h2Sse.status()).isEqualTo(200);
            assertThat(h2Sse.body()).isEqualTo("id: 1\nevent: tick\ndata: {\"n\": 1}\n\n");
            processes = direct.processes();
        } finally {
            direct.close();
        }
        assertThat(processes).hasSize(1).noneMatch(ProcessHandle::isAlive);
        assertThat(Files.readString(direct.log())).contains(BareServer.READY);
    }

    @Test
    void nginxProxiesHelloOverHttp1AndH2cOnTwoPorts() throws Exception {
        NginxTarget nginx = NginxTarget.start(backend, work.resolve("nginx-run"));
        List<ProcessHandle> processes;
        try {
            assertThat(nginx.name()).isEqualTo("nginx");
            assertThat(nginx.port(Protocol.HTTP_2)).isNotEqualTo(nginx.port(Protocol.HTTP_1_1));
            assertThat(nginx.route(Endpoint.WEBSOCKET_ECHO)).isEmpty();
            assertThat(nginx.route(Endpoint.SSE)).isEmpty();
            assertServesHello(nginx);
            processes = nginx.processes();
        } finally {
            nginx.close();
        }
        assertThat(processes).as("master and workers").hasSizeGreaterThan(1).noneMatch(ProcessHandle::isAlive);
        assertThat(work.resolve("nginx-run/nginx/nginx.conf"))
                .content()
                .contains(
                        "keepalive " + NginxTarget.UPSTREAM_KEEPALIVE + ";",
                        "access_log off;",
                        "listen 127.0.0.1:" + nginx.port(Protocol.HTTP_2) + " http2");
    }

    @Test
    void haproxyProxiesHelloOverHttp1AndH2cOnOnePort() throws Exception {
        HaproxyTarget haproxy = HaproxyTarget.start(backend, work.resolve("haproxy-run"));
        List<ProcessHandle> processes;
        try {
            assertThat(haproxy.name()).isEqualTo("haproxy");
            assertThat(haproxy.port(Protocol.HTTP_2)).isEqualTo(haproxy.port(Protocol.HTTP_1_1));
            assertThat(haproxy.route(Endpoint.WEBSOCKET_ECHO)).isEmpty();
            assertServesHello(haproxy);
            processes = haproxy.processes();
        } finally {
            haproxy.close();
        }
        assertThat(processes).isNotEmpty().noneMatch(ProcessHandle::isAlive);
    }

    @Test
    void ferryServesHelloAndStartsAFreshContainerAfterMakeCold() throws Exception {
        FerryTarget ferry = FerryTarget.start(ferryRoot(), work.resolve("ferry-run"));
        List<ProcessHandle> processes = new ArrayList<>();
        try {
            assertThat(ferry.name()).isEqualTo("ferry");
            int port = ferry.port(Protocol.HTTP_1_1);
            assertThat(ferry.port(Protocol.HTTP_2)).isEqualTo(port);
            assertThat(ferry.route(Endpoint.HELLO)).hasValue(new Route("examples--hello.localhost:" + port, "/"));
            assertThat(ferry.route(Endpoint.WEBSOCKET_ECHO)).hasValue(new Route("examples--ws.localhost:" + port, "/"));
            assertServesHello(ferry);

            Route sse = ferry.route(Endpoint.SSE).orElseThrow();
            Http2Reply events = h2c(port, sse);
            assertThat(events.status()).isEqualTo(200);
            assertThat(events.body())
                    .startsWith("id: 1\nevent: tick\ndata: {\"n\": 1, ")
                    .doesNotContain("id: 2");

            processes.addAll(ferry.processes());
            Set<Long> before = pids(processes);
            ferry.makeCold();
            Route hello = ferry.route(Endpoint.HELLO).orElseThrow();
            assertThat(http1(port, hello, 1).getFirst().body()).isEqualTo(HELLO);
            List<ProcessHandle> after = ferry.processes();
            assertThat(pids(after))
                    .as("a container started for the new version")
                    .anyMatch(pid -> !before.contains(pid));
            processes.addAll(after);
        } finally {
            ferry.close();
        }
        assertThat(processes)
                .as("ferry and the containers it started")
                .hasSizeGreaterThan(2)
                .noneMatch(ProcessHandle::isAlive);
    }

    /** HELLO over HTTP/1.1 (two requests on one connection: keep-alive works) and over h2c. */
    private static void assertServesHello(Target target) throws Exception {
        Route hello = target.route(Endpoint.HELLO).orElseThrow();
        List<Http1Reply> replies = http1(target.port(Protocol.HTTP_1_1), hello, 2);
        for (Http1Reply reply : replies) {
            assertThat(reply.status()).as(target.name() + " HTTP/1.1 status").isEqualTo(200);
            assertThat(reply.headers())
                    .as(target.name() + " HTTP/1.1 headers")
                    .containsEntry("content-type", "text/plain; charset=utf-8")
                    .containsEntry("content-length", "18");
            assertThat(reply.body()).as(target.name() + " HTTP/1.1 body").isEqualTo(HELLO);
        }
        Http2Reply h2 = h2c(target.port(Protocol.HTTP_2), hello);
        assertThat(h2.version()).as(target.name() + " h2c version").isEqualTo("2");
        assertThat(h2.status()).as(target.name() + " h2c status").isEqualTo(200);
        assertThat(h2.body()).as(target.name() + " h2c body").isEqualTo(HELLO);
    }

    private record Http1Reply(int status, Map<String, String> headers, String body) {}

    private record Http2Reply(String version, int status, String body) {}

    /**
     * {@code count} GETs of {@code route} one after the other on one raw connection to
     * 127.0.0.1:{@code port}, with the route's authority as Host; each response is read to its
     * content-length.
     */
    private static List<Http1Reply> http1(int port, Route route, int count) throws IOException {
        List<Http1Reply> replies = new ArrayList<>();
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout((int) CLIENT_TIMEOUT.toMillis());
            OutputStream out = socket.getOutputStream();
            InputStream in = new BufferedInputStream(socket.getInputStream());
            for (int i = 0; i < count; i++) {
                out.write(("GET " + route.path() + " HTTP/1.1\r\nHost: " + route.authority() + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                String statusLine = line(in);
                assertThat(statusLine).startsWith("HTTP/1.1 ");
                Map<String, String> headers = new TreeMap<>();
                for (String header; !(header = line(in)).isEmpty(); ) {
                    int colon = header.indexOf(':');
                    headers.put(
                            header.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                            header.substring(colon + 1).trim());
                }
                assertThat(headers)
                        .as("response to " + route + ": " + statusLine)
                        .containsKey("content-length");
                byte[] body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
                replies.add(new Http1Reply(
                        Integer.parseInt(statusLine.substring(9, 12)),
                        headers,
                        new String(body, StandardCharsets.UTF_8)));
            }
        }
        return replies;
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b; (b = in.read()) != '\n'; ) {
            if (b < 0) {
                throw new IOException(
                        "connection closed mid-line after \"" + line.toString(StandardCharsets.UTF_8) + "\"");
            }
            line.write(b);
        }
        String text = line.toString(StandardCharsets.UTF_8);
        return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
    }

    /** A GET of {@code route} over HTTP/2 with prior knowledge to 127.0.0.1:{@code port}, by curl. */
    private static Http2Reply h2c(int port, Route route) throws IOException, InterruptedException {
        Path body = Files.createTempFile(work, "h2c-", ".body");
        List<String> command = List.of(
                "curl",
                "-sS",
                "--http2-prior-knowledge",
                "--max-time",
                Long.toString(CLIENT_TIMEOUT.toSeconds()),
                "--connect-to",
                "::127.0.0.1:" + port,
                "-o",
                body.toString(),
                "-w",
                "%{http_version} %{http_code}",
                "http://" + route.authority() + route.path());
        Process curl = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out;
        try (InputStream in = curl.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        }
        assertThat(curl.waitFor(CLIENT_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS))
                .as(String.join(" ", command))
                .isTrue();
        assertThat(curl.exitValue()).as(String.join(" ", command) + ": " + out).isZero();
        String[] parts = out.split(" ");
        return new Http2Reply(parts[0], Integer.parseInt(parts[1]), Files.readString(body));
    }

    /** A text and a binary message to the WebSocket at {@code uri} come back unchanged. */
    private static void assertEchoes(URI uri) throws Exception {
        CompletableFuture<String> text = new CompletableFuture<>();
        CompletableFuture<ByteBuffer> binary = new CompletableFuture<>();
        WebSocket.Listener listener = new WebSocket.Listener() {
            private final StringBuilder textSoFar = new StringBuilder();
            private final ByteArrayOutputStream binarySoFar = new ByteArrayOutputStream();

            @Override
            public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                textSoFar.append(data);
                if (last) {
                    text.complete(textSoFar.toString());
                }
                webSocket.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
                byte[] bytes = new byte[data.remaining()];
                data.get(bytes);
                binarySoFar.writeBytes(bytes);
                if (last) {
                    binary.complete(ByteBuffer.wrap(binarySoFar.toByteArray()));
                }
                webSocket.request(1);
                return null;
            }

            @Override
            public void onError(WebSocket webSocket, Throwable error) {
                text.completeExceptionally(error);
                binary.completeExceptionally(error);
            }
        };
        try (HttpClient client = HttpClient.newHttpClient()) {
            WebSocket socket = client.newWebSocketBuilder()
                    .connectTimeout(CLIENT_TIMEOUT)
                    .buildAsync(uri, listener)
                    .get(CLIENT_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            socket.sendText("hello, echo", true).get(CLIENT_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            assertThat(text.get(CLIENT_TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("hello, echo");
            byte[] payload = new byte[100_000];
            for (int i = 0; i < payload.length; i++) {
                payload[i] = (byte) i;
            }
            socket.sendBinary(ByteBuffer.wrap(payload), true).get(CLIENT_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            assertThat(binary.get(CLIENT_TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(ByteBuffer.wrap(payload));
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(CLIENT_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }
    }

    private static Set<Long> pids(List<ProcessHandle> processes) {
        return processes.stream().map(ProcessHandle::pid).collect(Collectors.toSet());
    }

    /** $FERRY_ROOT, else the parent of the working directory (surefire runs in perf/). */
    private static Path ferryRoot() {
        String root = System.getenv("FERRY_ROOT");
        return root != null && !root.isBlank()
                ? Path.of(root)
                : Path.of("").toAbsolutePath().getParent();
    }
}
