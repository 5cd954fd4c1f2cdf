package dev.ferry.cli;

import dev.ferry.controller.ControllerRole;
import dev.ferry.controller.ControllerTimings;
import dev.ferry.gateway.GatewayRole;
import dev.ferry.gateway.LocalCertificates;
import dev.ferry.worker.WorkerRole;
import dev.ferry.worker.ShippedLogs;
import dev.ferry.gateway.EdgeLimits;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.gateway.FunctionDemand;
import dev.ferry.routing.AppDeployment;
import dev.ferry.routing.ContainerLogs;
import dev.ferry.routing.RoutingStore;
import dev.ferry.worker.ContainerLogSink;
import dev.ferry.worker.Worker;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The whole platform in one JVM, as {@code ferry dev} runs it: the in-memory routing store
 * (or a Redis one with {@code --redis}), and the worker, gateway and controller roles on it,
 * exactly as {@code ferry worker}, {@code ferry gateway} and {@code ferry controller} run them
 * in separate processes. Containers are real child processes. Start with {@link #start(Options)}; {@link #close()} stops everything
 * and leaves no container process behind.
 */
final class DevStack implements AutoCloseable {

    /** How often the gateway reports demand (the controller ticks as often). */
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
     * @param redis the Redis URL of a shared store; null for the in-memory store
     * @param cluster the cluster's namespace in Redis
     */
    record Options(String host, int httpPort, int httpsPort, LocalCertificates.Pem tls, int adminPort, String domain, Path home,
                   Duration queueTimeout, EdgeLimits limits, String runtimeClasspath, Clock clock, ContainerLogSink logSink,
                   String redis, String cluster) {

        /** Options with the in-memory store. */
        Options(String host, int httpPort, int httpsPort, LocalCertificates.Pem tls, int adminPort, String domain, Path home,
                Duration queueTimeout, EdgeLimits limits, String runtimeClasspath, Clock clock, ContainerLogSink logSink) {
            this(host, httpPort, httpsPort, tls, adminPort, domain, home, queueTimeout, limits, runtimeClasspath, clock, logSink,
                    null, "default");
        }

        Options {
            Objects.requireNonNull(cluster, "cluster");
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

    private final Options options;
    private final RoutingStore store;
    private final ContainerLogs logs;
    private final ShippedLogs shipped;
    private final WorkerRole worker;
    private final GatewayRole gateway;
    private final ControllerRole controller;

    private DevStack(Options options) throws IOException, InterruptedException {
        this.options = options;
        this.store = options.redis() == null ? RoutingStore.inMemory() : RoutingStore.redis(options.redis(), options.cluster());
        String node = options.redis() == null ? "dev" : "dev-" + ProcessHandle.current().pid();
        this.logs = openLogs(options, store);
        this.shipped = new ShippedLogs(logs, "worker-" + node, options.logSink());
        try {
            this.worker = new WorkerRole(store, new WorkerRole.Options("worker-" + node, options.home(), Map.of(),
                    InetAddress.getByName("127.0.0.1"), options.runtimeClasspath(), shipped, options.clock()));
        } catch (RuntimeException | IOException e) {
            closeLogs();
            store.close();
            throw e;
        }
        try {
            this.gateway = new GatewayRole(store, new GatewayRole.Options("gateway-" + node, options.host(), options.httpPort(),
                    options.httpsPort(), options.tls(), options.domain(), options.home(), options.queueTimeout(), options.limits(),
                    TICK, options.clock()));
        } catch (RuntimeException | IOException | InterruptedException e) {
            worker.close();
            closeLogs();
            store.close();
            throw e;
        }
        try {
            this.controller = new ControllerRole(store, "controller-" + node, options.home(), options.host(), options.adminPort(),
                    options.clock(), options.redis() == null ? ControllerTimings.DEV : ControllerTimings.CLUSTER,
                    gateway::url, deployment -> gateway.reissueCertificate(), logs);
        } catch (RuntimeException | IOException e) {
            gateway.close();
            worker.close();
            closeLogs();
            store.close();
            throw e;
        }
    }

    /** Container output, kept where the store is (in memory, or Redis); closes {@code store} when it cannot. */
    private static ContainerLogs openLogs(Options options, RoutingStore store) {
        try {
            return options.redis() == null ? ContainerLogs.inMemory() : ContainerLogs.redis(options.redis(), options.cluster());
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    /** Ships the output the worker's containers left, then closes the container logs. */
    private void closeLogs() {
        shipped.close();
        logs.close();
    }

    /** See {@link WorkerRole#classDataArchive}. */
    static Optional<Path> classDataArchive(Options options) throws IOException {
        return WorkerRole.classDataArchive(options.home(), options.runtimeClasspath());
    }

    static DevStack start(Options options) throws IOException, InterruptedException {
        return new DevStack(options);
    }

    int httpPort() {
        return gateway.httpPort();
    }

    int httpsPort() {
        return gateway.httpsPort();
    }

    /** The local certificate authority HTTPS certificates come from, unless the user gave a certificate. */
    Optional<LocalCertificates> localCertificates() {
        return gateway.localCertificates();
    }

    int adminPort() {
        return controller.adminPort();
    }

    RoutingStore store() {
        return store;
    }

    ContainerLogs logs() {
        return logs;
    }

    Worker worker() {
        return worker.worker();
    }

    List<FunctionDemand> demand() {
        return gateway.demand();
    }

    /** Deploys {@code jar}; see {@link AppDeployer#deploy}. The local HTTPS certificate then covers its hosts too. */
    AppDeployment deploy(Path jar, Optional<String> name, String fileName) throws IOException {
        return controller.deploy(jar, name, fileName);
    }

    /** See {@link GatewayRole#reissueCertificate()}. */
    void reissueCertificate() throws IOException {
        gateway.reissueCertificate();
    }

    /** Deploys the jar file at {@code jar}, named after its file unless it names itself. */
    AppDeployment deploy(Path jar, Optional<String> name) throws IOException {
        return deploy(jar, name, jar.getFileName().toString());
    }

    /** The public URL of function {@code functionId}. */
    String url(String functionId) {
        return gateway.url(functionId);
    }

    ObjectNode view() {
        return controller.view();
    }

    ObjectNode view(AppDeployment app) {
        return controller.view(app);
    }

    /** Stops the controller, then the gateway, then every container; ships their last output; closes the store last. */
    @Override
    public void close() {
        controller.close();
        gateway.close();
        worker.close();
        closeLogs();
        store.close();
    }
}
