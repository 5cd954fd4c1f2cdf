package dev.ferry.cli;

import dev.ferry.examples.ChatStream;
import dev.ferry.examples.Echo;
import dev.ferry.examples.Hello;
import dev.ferry.examples.Slow;
import dev.ferry.examples.Sse;
import dev.ferry.examples.Ws;
import dev.ferry.function.runtime.TestJars;
import dev.ferry.request.protocol.FunctionId;
import dev.ferry.routing.ContainerInfo;
import dev.ferry.routing.ContainerState;
import dev.ferry.worker.Container;
import dev.ferry.worker.ContainerLogSink;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * A real Ferry stack for end-to-end tests: gateway and admin API on free loopback ports, a
 * worker whose containers are real child JVMs, the example app and {@link TestApp}
 * deployed. Made by {@link FerryStackExtension}.
 */
final class FerryStack implements AutoCloseable {

    static final Duration WAIT = Duration.ofSeconds(30);
    static final Duration POLL = Duration.ofMillis(5);

    final Path home;
    final DevStack dev;
    final HttpClient client =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    /** Every line any container printed, as "containerId line". */
    final List<String> containerOutput = new CopyOnWriteArrayList<>();
    /** The pid of every container process this stack ever saw. */
    final Set<Long> pids = ConcurrentHashMap.newKeySet();

    FerryStack(Duration queueTimeout) throws IOException, InterruptedException {
        home = Files.createTempDirectory("ferry-test-home");
        ContainerLogSink console = ContainerLogSink.console();
        ContainerLogSink sink = (container, source, line) -> {
            pids.add(container.pid());
            containerOutput.add(container.id() + " " + line);
            console.line(container, source, line);
        };
        String runtimeClasspath = TestJars.runtimeClasspath(FerryStack.class, Hello.class);
        dev = DevStack.builder()
                .gateway(gateway -> gateway.httpPort(0).httpsPort(0).queueTimeout(queueTimeout))
                .home(home)
                .runtimeClasspath(runtimeClasspath)
                .logSink(sink)
                .build()
                .start();
        dev.worker().addListener((container, state) -> pids.add(container.pid()));
        Path examples = TestJars.jar(
                home.resolve("build/examples.jar"),
                "examples",
                Hello.class,
                Echo.class,
                Sse.class,
                Slow.class,
                Ws.class,
                ChatStream.class);
        dev.deploy(examples, Optional.empty());
        Path testApp = TestJars.jar(home.resolve("build/testapp.jar"), TestApp.NAME, TestApp.class);
        dev.deploy(testApp, Optional.empty());
    }

    int port() {
        return dev.httpPort();
    }

    /** The HTTPS URL of {@code functionId}. */
    URI httpsUri(String functionId, String pathAndQuery) {
        return URI.create("https://" + functionId + ".localhost:" + dev.httpsPort() + pathAndQuery);
    }

    /** A client that trusts the stack's local certificate authority, speaking {@code version}. */
    HttpClient tlsClient(HttpClient.Version version) throws Exception {
        java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (var in = Files.newInputStream(dev.localCertificates().orElseThrow().authority())) {
            trust.setCertificateEntry(
                    "ferry-dev-ca",
                    java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        javax.net.ssl.TrustManagerFactory trustManagers =
                javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        trustManagers.init(trust);
        javax.net.ssl.SSLContext ssl = javax.net.ssl.SSLContext.getInstance("TLS");
        ssl.init(null, trustManagers.getTrustManagers(), null);
        return HttpClient.newBuilder().version(version).sslContext(ssl).build();
    }

    /** The URL of {@code functionId} ({@link LocalhostResolverProvider} resolves it to loopback). */
    URI uri(String functionId, String pathAndQuery) {
        return URI.create("http://" + functionId + ".localhost:" + port() + pathAndQuery);
    }

    /** A request to {@code functionId} at its real URL. */
    HttpRequest.Builder request(String functionId, String pathAndQuery) {
        return HttpRequest.newBuilder(uri(functionId, pathAndQuery));
    }

    HttpResponse<String> get(String functionId, String pathAndQuery) throws IOException, InterruptedException {
        return client.send(request(functionId, pathAndQuery).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The containers of {@code functionId} in {@code state}. */
    List<ContainerInfo> containers(String functionId, ContainerState state) {
        return dev.store().containers().stream()
                .filter(c -> c.function().equals(FunctionId.parse(functionId)) && c.state() == state)
                .toList();
    }

    Container process(String containerId) {
        return dev.worker().container(containerId).orElseThrow(() -> new AssertionError("no container " + containerId));
    }

    /** Waits until {@code condition} holds, failing with {@code what} after {@link #WAIT}. */
    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + WAIT.toSeconds() + "s waiting for: " + what);
            }
            LockSupport.parkNanos(POLL.toNanos());
        }
    }

    /** The container process pids still alive. */
    List<Long> livePids() {
        List<Long> live = new ArrayList<>();
        for (long pid : pids) {
            if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                live.add(pid);
            }
        }
        return live;
    }

    @Override
    public void close() throws IOException {
        dev.close();
        try (Stream<Path> files = Files.walk(home)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
