package dev.ferry.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.gateway.GatewayServer;
import dev.ferry.gateway.ServerTls;
import dev.ferry.routing.AppDeployment;
import dev.ferry.gateway.FunctionDemand;
import dev.ferry.routing.RoutingStore;
import dev.ferry.worker.ContainerLogSink;
import dev.ferry.worker.Worker;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The whole platform in one JVM, as {@code ferry dev} runs it: the in-memory routing store,
 * one worker whose containers are real child processes, the controller logic, the gateway
 * and the admin API. Start with {@link #start(Options)}; {@link #close()} stops everything
 * and leaves no container process behind.
 */
final class DevStack implements AutoCloseable {

    /** How often idle containers are looked for. */
    static final Duration TICK = Duration.ofMillis(250);

    /**
     * What a dev stack is started with.
     *
     * @param host the address the gateway and admin API listen on
     * @param httpPort the gateway's port, 0 for a free one
     * @param httpsPort the gateway's HTTPS port, 0 for a free one
     * @param tls the HTTPS certificate and key; null for certificates from the local authority under the home
     * @param adminPort the admin API's port, 0 for a free one
     * @param domain the functions' domain
     * @param home the Ferry home (deployed jars live under {@code home/apps})
     * @param queueTimeout how long a request waits for a container
     * @param limits the edge's timeouts for stalled HTTP/1.x connections
     * @param runtimeClasspath the class path of container processes
     * @param clock the controller's clock
     * @param logSink where container output goes
     */
    record Options(String host, int httpPort, int httpsPort, LocalCertificates.Pem tls, int adminPort, String domain, Path home,
                   Duration queueTimeout, EdgeLimits limits, String runtimeClasspath, Clock clock, ContainerLogSink logSink) {
        Options {
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(domain, "domain");
            Objects.requireNonNull(home, "home");
            Objects.requireNonNull(queueTimeout, "queueTimeout");
            Objects.requireNonNull(limits, "limits");
            Objects.requireNonNull(runtimeClasspath, "runtimeClasspath");
            Objects.requireNonNull(clock, "clock");
            Objects.requireNonNull(logSink, "logSink");
        }
    }

    /**
     * The edge's limits.
     *
     * @param head from an HTTP/1.x head's first byte to its end; then 408 and close
     * @param idle between HTTP/1.x requests; then the connection is closed
     * @param maxRequestLine the longest request line in bytes; then 414
     * @param maxHeaderSize the largest request head in bytes; then 431
     * @param maxConcurrentStreams streams per HTTP/2 or HTTP/3 connection
     */
    record EdgeLimits(Duration head, Duration idle, int maxRequestLine, int maxHeaderSize, int maxConcurrentStreams) {
        static final EdgeLimits DEFAULTS = new EdgeLimits(Duration.ofSeconds(30), Duration.ofSeconds(75), 8192, 16384, 256);
    }

    private final Options options;
    private final RoutingStore store = RoutingStore.inMemory();
    private final Worker worker;
    private final GatewayServer gateway;
    private final ServerTls serverTls;
    /** Issues the HTTPS certificate when the user gave none; null when they did. */
    private final LocalCertificates localCertificates;
    private final DevController controller;
    private final AppDeployer deployer;
    private final AdminServer admin;
    private final ScheduledExecutorService ticker;

    private DevStack(Options options) throws IOException, InterruptedException {
        this.options = options;
        Worker.Builder workerBuilder = Worker.builder()
                .runtimeClasspath(options.runtimeClasspath())
                .logSink(options.logSink());
        classDataArchive(options).ifPresent(workerBuilder::classDataArchive);
        this.worker = workerBuilder.build();
        GatewayServer[] gatewayRef = new GatewayServer[1];
        this.controller = new DevController(store, worker, () -> gatewayRef[0].demand(), options.clock(),
                (function, version, reason) -> gatewayRef[0].rejectWaiting(function, version, reason));
        try {
            this.localCertificates = options.tls() == null ? LocalCertificates.open(options.home()) : null;
            LocalCertificates.Pem pem = options.tls() != null ? options.tls() : localCertificates.issue(List.of());
            this.serverTls = ServerTls.fromPem(pem.certificate(), pem.key());
            this.gateway = GatewayServer.builder()
                    .host(options.host())
                    .port(options.httpPort())
                    .https(options.httpsPort(), serverTls)
                    .domain(options.domain())
                    .store(store)
                    .scaleUpSignal(controller)
                    .queueTimeout(options.queueTimeout())
                    .headTimeout(options.limits().head())
                    .idleTimeout(options.limits().idle())
                    .maxRequestLine(options.limits().maxRequestLine())
                    .maxHeaderSize(options.limits().maxHeaderSize())
                    .maxConcurrentStreams(options.limits().maxConcurrentStreams())
                    .clock(options.clock())
                    .start();
        } catch (RuntimeException | IOException | InterruptedException e) {
            worker.close();
            throw e;
        }
        gatewayRef[0] = gateway;
        this.deployer = new AppDeployer(store, options.home().resolve("apps"), options.clock());
        this.ticker = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("ferry-controller").daemon().factory());
        ticker.scheduleWithFixedDelay(this::tick, TICK.toMillis(), TICK.toMillis(), TimeUnit.MILLISECONDS);
        try {
            this.admin = new AdminServer(this, options.host(), options.adminPort());
        } catch (IOException e) {
            closeQuietly();
            throw e;
        }
    }

    /**
     * Where containers keep their class data sharing archive: one per runtime class path and
     * JDK, under the Ferry home, so a rebuilt Ferry or another JDK never fights over a file.
     * None when the class path holds anything but jars, which the JVM cannot archive (and
     * then fails the container's exit).
     */
    static Optional<Path> classDataArchive(Options options) throws IOException {
        for (String entry : options.runtimeClasspath().split(File.pathSeparator)) {
            if (!entry.endsWith(".jar") || !Files.isRegularFile(Path.of(entry))) {
                return Optional.empty();
            }
        }
        String key = options.runtimeClasspath() + '\n' + Runtime.version();
        Path dir = Files.createDirectories(options.home().resolve("cds"));
        return Optional.of(dir.resolve("container-" + Integer.toHexString(key.hashCode()) + ".jsa"));
    }

    static DevStack start(Options options) throws IOException, InterruptedException {
        return new DevStack(options);
    }

    int httpPort() {
        return gateway.port();
    }

    int httpsPort() {
        return gateway.httpsPort().orElseThrow();
    }

    /** The local certificate authority HTTPS certificates come from, unless the user gave a certificate. */
    Optional<LocalCertificates> localCertificates() {
        return Optional.ofNullable(localCertificates);
    }

    int adminPort() {
        return admin.port();
    }

    RoutingStore store() {
        return store;
    }

    Worker worker() {
        return worker;
    }

    List<FunctionDemand> demand() {
        return gateway.demand();
    }

    /** Deploys {@code jar}; see {@link AppDeployer#deploy}. The local HTTPS certificate then covers its hosts too. */
    AppDeployment deploy(Path jar, Optional<String> name, String fileName) throws IOException {
        AppDeployment deployment = deployer.deploy(jar, name, fileName);
        reissueCertificate();
        return deployment;
    }

    /**
     * Issues a new local HTTPS certificate for every deployed function's host and serves it
     * from the next handshake on; does nothing when the user gave a certificate.
     */
    void reissueCertificate() throws IOException {
        if (localCertificates != null) {
            List<String> hosts = store.apps().stream().flatMap(app -> app.functions().stream())
                    .map(f -> f.id() + "." + options.domain()).toList();
            localCertificates.issue(hosts);
            serverTls.reload();
        }
    }

    /** Deploys the jar file at {@code jar}, named after its file unless it names itself. */
    AppDeployment deploy(Path jar, Optional<String> name) throws IOException {
        return deploy(jar, name, jar.getFileName().toString());
    }

    /** The public URL of function {@code functionId}. */
    String url(String functionId) {
        return "http://" + functionId + "." + options.domain() + ":" + gateway.port() + "/";
    }

    ObjectNode view() {
        return StackView.apps(store.apps(), store.containers(), this::url);
    }

    ObjectNode view(AppDeployment app) {
        return StackView.app(app, store.containers(), this::url);
    }

    private void tick() {
        try {
            controller.tick();
        } catch (RuntimeException e) {
            System.err.println("ferry: controller tick failed: " + e);
        }
    }

    @Override
    public void close() {
        closeQuietly();
    }

    private void closeQuietly() {
        if (admin != null) {
            admin.close();
        }
        ticker.shutdownNow();
        try {
            gateway.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        worker.close();
    }
}
