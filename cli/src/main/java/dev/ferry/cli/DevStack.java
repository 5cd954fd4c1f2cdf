package dev.ferry.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.controller.AdminTlsContext;
import dev.ferry.controller.ControllerRole;
import dev.ferry.controller.ControllerTimings;
import dev.ferry.gateway.FunctionDemand;
import dev.ferry.gateway.GatewayRole;
import dev.ferry.gateway.LocalCertificates;
import dev.ferry.routing.AccessTokens;
import dev.ferry.routing.AppDeployment;
import dev.ferry.routing.ContainerLogs;
import dev.ferry.routing.RedisEndpoint;
import dev.ferry.routing.RoutingStore;
import dev.ferry.worker.ContainerLogSink;
import dev.ferry.worker.ShippedLogs;
import dev.ferry.worker.Worker;
import dev.ferry.worker.WorkerRole;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;

/**
 * The whole platform in one JVM, as {@code ferry dev} runs it: the in-memory routing store
 * (or a Redis one with {@code --redis}), and the worker, gateway and controller roles on it,
 * exactly as {@code ferry worker}, {@code ferry gateway} and {@code ferry controller} run them
 * in separate processes. Containers are real child processes. Made by {@link #builder()};
 * {@link #start()} opens the store and starts the roles; {@link #close()} stops everything
 * and leaves no container process behind.
 */
final class DevStack implements AutoCloseable {

    /** How often the gateway reports demand (the controller ticks as often). */
    static final Duration TICK = Duration.ofMillis(250);

    private final String host;
    private final int adminPort;
    private final Path home;
    private final String runtimeClasspath;
    private final Clock clock;
    private final ContainerLogSink logSink;
    private final RedisEndpoint redis; // null: the in-memory store
    private final String cluster;
    private final Consumer<GatewayRole.Builder> gatewayOptions;
    private final Consumer<WorkerRole.Builder> workerOptions;
    private final boolean warmUpGateway;
    private volatile CompletableFuture<Void> warmUp = CompletableFuture.completedFuture(null);
    /** What {@link #start()} opened and started; null before. */
    private volatile Started started;

    private record Started(
            RoutingStore store,
            ContainerLogs logs,
            ShippedLogs shipped,
            WorkerRole worker,
            GatewayRole gateway,
            ControllerRole controller) {}

    private DevStack(Builder b) {
        this.host = b.host;
        this.adminPort = b.adminPort;
        this.home = b.home;
        this.runtimeClasspath = b.runtimeClasspath;
        this.clock = b.clock;
        this.logSink = b.logSink;
        this.redis = b.redis;
        this.cluster = b.cluster;
        this.gatewayOptions = b.gatewayOptions;
        this.workerOptions = b.workerOptions;
        this.warmUpGateway = b.warmUpGateway;
    }

    static Builder builder() {
        return new Builder();
    }

    /**
     * Opens the store and the container logs, checks every role's options, then starts the
     * worker, the gateway and the controller, in that order. On a failure, closes what it
     * opened and started.
     *
     * @return this stack
     * @throws IllegalArgumentException naming a role's option that cannot work, with its value
     * @throws IllegalStateException when started before
     */
    DevStack start() throws IOException, InterruptedException {
        if (started != null) {
            throw new IllegalStateException("dev stack: started already (expected: one start)");
        }
        String node = redis == null ? "dev" : "dev-" + ProcessHandle.current().pid();
        Deque<Runnable> undo = new ArrayDeque<>(); // closes in the reverse of the opening order, as close() does
        try {
            RoutingStore store = redis == null ? RoutingStore.inMemory() : RoutingStore.redis(redis, cluster);
            undo.push(store::close);
            ContainerLogs logs = redis == null ? ContainerLogs.inMemory() : ContainerLogs.redis(redis, cluster);
            undo.push(logs::close);
            ShippedLogs shipped = new ShippedLogs(logs, "worker-" + node, logSink);
            undo.push(shipped::close);
            WorkerRole.Builder workerBuilder = WorkerRole.builder();
            workerOptions.accept(workerBuilder);
            WorkerRole worker = workerBuilder
                    .store(store)
                    .id("worker-" + node)
                    .home(home)
                    .runtimeClasspath(runtimeClasspath)
                    .logSink(shipped)
                    .clock(clock)
                    .build();
            undo.push(worker::close);
            GatewayRole.Builder gatewayBuilder = GatewayRole.builder();
            gatewayOptions.accept(gatewayBuilder);
            GatewayRole gateway = gatewayBuilder
                    .store(store)
                    .id("gateway-" + node)
                    .host(host)
                    .home(home)
                    .demandInterval(TICK)
                    .clock(clock)
                    .build();
            undo.push(gateway::close);
            ControllerRole controller = ControllerRole.builder()
                    .store(store)
                    .id("controller-" + node)
                    .home(home)
                    .adminHost(host)
                    .adminPort(adminPort)
                    .adminTls(adminTlsContext())
                    .clock(clock)
                    .timings(redis == null ? ControllerTimings.DEV : ControllerTimings.CLUSTER)
                    .functionUrls(gateway::url)
                    .afterDeploy(deployment -> gateway.reissueCertificate())
                    .logs(logs)
                    .build();
            undo.push(controller::close);
            worker.start();
            gateway.start();
            // Alongside the controller's start and the caller's first deploy: see awaitWarm.
            if (warmUpGateway) {
                warmUp = CompletableFuture.runAsync(
                        () -> GatewayWarmUp.run(gateway),
                        task -> Thread.ofPlatform()
                                .name("ferry-gateway-warm-up")
                                .daemon()
                                .start(task));
            }
            controller.start();
            started = new Started(store, logs, shipped, worker, gateway, controller);
            // So the ferry commands find the token with nothing more to do (the two-command start).
            if (controller.bootstrapToken().isPresent()) {
                Credentials.save(
                        home, adminUrl(), controller.bootstrapToken().get().secret());
            }
        } catch (RuntimeException | IOException | InterruptedException e) {
            undo.forEach(Runnable::run);
            throw e;
        }
        return this;
    }

    /** The longest {@link #awaitWarm()} waits for the warm pool's first member. */
    static final Duration FIRST_MEMBER_WAIT = Duration.ofSeconds(10);

    /**
     * Waits until a first request is served about as fast as later ones: the gateway's warm-up
     * ended, if {@link Builder#warmUpGateway} asked for one, and the worker's warm pool, if it
     * has one, has a member that takes a container (at most {@link #FIRST_MEMBER_WAIT}; on a
     * small machine the members start while the stack does, at a lower priority).
     */
    void awaitWarm() {
        warmUp.join();
        try {
            worker().poolStarted().get(FIRST_MEMBER_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // ready all the same: the first container starts fresh, or from a member still starting
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Started started() {
        Started s = started;
        if (s == null) {
            throw new IllegalStateException("dev stack: not started (expected: start() first)");
        }
        return s;
    }

    /** See {@link WorkerRole#classDataArchive}; known before the stack starts. */
    Optional<Path> classDataArchive() throws IOException {
        return WorkerRole.classDataArchive(home, runtimeClasspath);
    }

    int httpPort() {
        return started().gateway().httpPort();
    }

    int httpsPort() {
        return started().gateway().httpsPort();
    }

    /** The local certificate authority HTTPS certificates come from, unless the user gave a certificate. */
    Optional<LocalCertificates> localCertificates() {
        return started().gateway().localCertificates();
    }

    /**
     * The admin API's TLS: none on a loopback address; on any other, a certificate from the local
     * authority, so tokens never cross a network in clear text.
     */
    private SSLContext adminTlsContext() throws IOException {
        if (InetAddress.getByName(host).isLoopbackAddress()) {
            return null;
        }
        LocalCertificates.Pem pem = LocalCertificates.open(home).issue(List.of(host), "admin");
        return AdminTlsContext.fromPem(pem.certificate(), pem.key());
    }

    /** The admin API's base URL, e.g. {@code http://127.0.0.1:7070}. */
    String adminUrl() {
        return (started().controller().adminTls() ? "https://" : "http://") + host + ":" + adminPort();
    }

    int adminPort() {
        return started().controller().adminPort();
    }

    /**
     * The admin token the controller made at start (every start on the in-memory store; on
     * Redis only when it held none): what {@code ferry dev} saves for the {@code ferry} commands.
     */
    Optional<String> adminToken() {
        return started().controller().bootstrapToken().map(AccessTokens.Issued::secret);
    }

    RoutingStore store() {
        return started().store();
    }

    ContainerLogs logs() {
        return started().logs();
    }

    Worker worker() {
        return started().worker().worker();
    }

    List<FunctionDemand> demand() {
        return started().gateway().demand();
    }

    /** Deploys {@code jar}; see {@link AppDeployer#deploy}. The local HTTPS certificate then covers its hosts too. */
    AppDeployment deploy(Path jar, Optional<String> name, String fileName) throws IOException {
        return started().controller().deploy(jar, name, fileName);
    }

    /** See {@link GatewayRole#reissueCertificate()}. */
    void reissueCertificate() throws IOException {
        started().gateway().reissueCertificate();
    }

    /** Deploys the jar file at {@code jar}, named after its file unless it names itself. */
    AppDeployment deploy(Path jar, Optional<String> name) throws IOException {
        return deploy(jar, name, jar.getFileName().toString());
    }

    /** The public URL of function {@code functionId}. */
    String url(String functionId) {
        return started().gateway().url(functionId);
    }

    ObjectNode view() {
        return started().controller().view();
    }

    ObjectNode view(AppDeployment app) {
        return started().controller().view(app);
    }

    /**
     * Stops the controller, then the gateway, then every container; ships their last output;
     * closes the store last. Does nothing when the stack never started.
     */
    @Override
    public void close() {
        Started s = started;
        if (s == null) {
            return;
        }
        s.controller().close();
        s.gateway().close();
        s.worker().close();
        s.shipped().close();
        s.logs().close();
        s.store().close();
    }

    /**
     * Builds a {@link DevStack}. Setters refuse only null; {@link #build()} checks the stack's
     * own options, and {@link DevStack#start()} each role's as it builds the roles. Not
     * thread-safe.
     */
    static final class Builder {
        private String host = "127.0.0.1";
        private int adminPort;
        private Path home;
        private String runtimeClasspath = System.getProperty("java.class.path");
        private Clock clock = Clock.systemUTC();
        private ContainerLogSink logSink = ContainerLogSink.console();
        private RedisEndpoint redis;
        private String cluster = "default";
        private Consumer<GatewayRole.Builder> gatewayOptions = gateway -> {};
        private Consumer<WorkerRole.Builder> workerOptions = worker -> {};
        private boolean warmUpGateway;

        private Builder() {}

        /**
         * The worker's own options (its warm pool, sandbox, offered resources), given to its
         * builder when the stack starts; the stack then sets the worker's store, id, home,
         * runtime class path, log sink and clock itself. Calls add up, in order. Default: the
         * worker role's defaults (no warm pool; {@code ferry dev} passes its {@code --warm-pool}).
         */
        Builder worker(Consumer<WorkerRole.Builder> options) {
            this.workerOptions = workerOptions.andThen(options);
            return this;
        }

        /** The address the gateway and the admin API listen on. Default 127.0.0.1. */
        Builder host(String host) {
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        /**
         * The admin API's port; 0 picks a free one, which {@code ferry deploy} and {@code ferry ls}
         * find through the home. Default 0.
         */
        Builder adminPort(int port) {
            this.adminPort = port;
            return this;
        }

        /** The Ferry home: deployed jars live under {@code home/apps}, the local certificates too. Required. */
        Builder home(Path home) {
            this.home = home;
            return this;
        }

        /** The class path of container processes. Default this JVM's ({@code java.class.path}). */
        Builder runtimeClasspath(String runtimeClasspath) {
            this.runtimeClasspath = Objects.requireNonNull(runtimeClasspath, "runtimeClasspath");
            return this;
        }

        /** The clock of every role. Default the UTC system clock. */
        Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Where container output goes, besides the container logs. Default {@link ContainerLogSink#console()}. */
        Builder logSink(ContainerLogSink logSink) {
            this.logSink = Objects.requireNonNull(logSink, "logSink");
            return this;
        }

        /** The Redis URL of a shared store, e.g. {@code redis://127.0.0.1:6379}. Default none: the in-memory store. */
        Builder redis(String url) {
            return redis(RedisEndpoint.of(url));
        }

        /** A shared store in the Redis {@code endpoint}: for one that needs a CA of its own (TLS). */
        Builder redis(RedisEndpoint endpoint) {
            this.redis = endpoint;
            return this;
        }

        /** The cluster's namespace in Redis. Default "default". */
        Builder cluster(String cluster) {
            this.cluster = Objects.requireNonNull(cluster, "cluster");
            return this;
        }

        /**
         * The gateway's own options (ports, certificate, domain, queue and edge limits), given
         * to its builder when the stack starts; the stack then sets the gateway's store, id,
         * host, home, clock and demand interval ({@link #TICK}) itself. Calls add up, in order.
         * Default: the gateway role's defaults.
         */
        Builder gateway(Consumer<GatewayRole.Builder> options) {
            this.gatewayOptions = gatewayOptions.andThen(options);
            return this;
        }

        /**
         * Whether {@link DevStack#start()} starts warming the gateway's request path up
         * ({@link GatewayWarmUp}: about a second on a small machine, alongside the rest of the
         * start; {@link DevStack#awaitWarm()} waits for it). Default false; {@code ferry dev}
         * turns it on.
         */
        Builder warmUpGateway(boolean warmUp) {
            this.warmUpGateway = warmUp;
            return this;
        }

        /**
         * Checks the stack's own options and makes the stack; nothing opens or starts until
         * {@link DevStack#start()}.
         *
         * @throws IllegalArgumentException naming the option that cannot work, with its value
         */
        DevStack build() {
            if (home == null) {
                throw new IllegalArgumentException("home: null (expected: the Ferry home directory)");
            }
            return new DevStack(this);
        }
    }
}
