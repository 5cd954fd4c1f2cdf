package dev.ferry.gateway;

import dev.ferry.request.protocol.ContainerSecret;
import dev.ferry.request.protocol.FunctionId;
import dev.ferry.routing.AppDeployment;
import dev.ferry.routing.RoutingListener;
import dev.ferry.routing.RoutingStore;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The gateway role: the edge server on the store's routing copy, reporting its demand, with
 * HTTPS from the user's certificate or from the local authority, whose certificate is
 * reissued to cover every function host and custom route as they are deployed.
 *
 * <p>Made by {@link #builder()}, which checks the options; {@link #start()} issues the
 * certificate and binds the ports. Thread-safe once started.
 */
public final class GatewayRole implements RoutingListener, AutoCloseable {

    private static final System.Logger logger = System.getLogger(GatewayRole.class.getName());

    /** How long after a change of hosts the certificate is reissued; changes meanwhile join in. */
    static final Duration REISSUE_DELAY = Duration.ofMillis(250);

    /** How often a gateway of a cluster reports demand by default: the controller wants a sample a second. */
    public static final Duration DEFAULT_DEMAND_INTERVAL = Duration.ofSeconds(1);

    private final RoutingStore store;
    private final String id;
    private final String domain;
    private final Path home;
    private final int httpsPort;
    /** The user's certificate and key; null for the local authority's. */
    private final LocalCertificates.Pem tls;
    /** The edge server's options, checked by {@link Builder#build()}; started by {@link #start()}. */
    private final GatewayServer.Builder server;
    /** Reissues certificates off the store's feed thread. */
    private final ScheduledExecutorService certificates = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("ferry-certificates").daemon().factory());

    private final AtomicBoolean reissuePending = new AtomicBoolean();
    /** What {@link #start()} made; null before. */
    private volatile Started started;
    /** The hosts of the certificate served now; null when the user gave the certificate. */
    private volatile List<String> issuedHosts;

    /**
     * What a started gateway runs.
     *
     * @param localCertificates issues the HTTPS certificate when the user gave none; null when they did
     */
    private record Started(GatewayServer gateway, ServerTls serverTls, LocalCertificates localCertificates) {}

    private GatewayRole(Builder b, GatewayServer.Builder server) {
        this.store = b.store;
        this.id = b.id;
        this.domain = b.domain;
        this.home = b.home;
        this.httpsPort = b.httpsPort;
        this.tls = b.tls;
        this.server = server;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Issues the HTTPS certificate (unless the user gave one), binds the HTTP and HTTPS ports
     * and starts serving. Blocks until bound.
     *
     * @return this role
     * @throws IllegalStateException when started before
     */
    public GatewayRole start() throws IOException, InterruptedException {
        if (started != null) {
            throw new IllegalStateException("gateway " + id + ": started already (expected: one start)");
        }
        Started s;
        try {
            LocalCertificates local = tls == null ? LocalCertificates.open(home) : null;
            this.issuedHosts = tls == null ? hosts() : null;
            LocalCertificates.Pem pem = tls != null ? tls : local.issue(issuedHosts);
            ServerTls serverTls = ServerTls.fromPem(pem.certificate(), pem.key());
            s = new Started(server.https(httpsPort, serverTls).start(), serverTls, local);
        } catch (RuntimeException | IOException | InterruptedException e) {
            certificates.shutdownNow();
            throw e;
        }
        started = s;
        if (s.localCertificates() != null) {
            store.subscribe(this);
        }
        return this;
    }

    private Started started() {
        Started s = started;
        if (s == null) {
            throw new IllegalStateException("gateway " + id + ": not started (expected: start() first)");
        }
        return s;
    }

    /** The HTTP port (useful after binding port 0). */
    public int httpPort() {
        return started().gateway().port();
    }

    /** The HTTPS port (useful after binding port 0), also HTTP/3's UDP port. */
    public int httpsPort() {
        return started().gateway().httpsPort().orElseThrow();
    }

    /** The local certificate authority HTTPS certificates come from, unless the user gave a certificate. */
    public Optional<LocalCertificates> localCertificates() {
        return Optional.ofNullable(started().localCertificates());
    }

    public List<FunctionDemand> demand() {
        return started().gateway().demand();
    }

    /** See {@link GatewayServer#warmUp}. */
    public GatewayServer.WarmUpResult warmUp(
            InetSocketAddress container, ContainerSecret secret, int calls, Duration budget)
            throws InterruptedException {
        return started().gateway().warmUp(container, secret, calls, budget);
    }

    /** The public URL of function {@code functionId} on this gateway. */
    public String url(String functionId) {
        return url(functionId, domain, httpPort());
    }

    public static String url(String functionId, String domain, int port) {
        return "http://" + functionId + "." + domain + ":" + port + "/";
    }

    @Override
    public void appDeployed(AppDeployment deployment) {
        scheduleReissue();
    }

    @Override
    public void routeUpdated(String host, FunctionId function) {
        scheduleReissue();
    }

    /**
     * Reissues a moment after a change, so a burst of changes (a resync, many routes) costs
     * one reissue, and not at all when the hosts did not change (a redeploy): a new key and
     * two TLS contexts cost the gateway tens of milliseconds of CPU.
     */
    private void scheduleReissue() {
        if (reissuePending.compareAndSet(false, true)) {
            certificates.schedule(
                    () -> {
                        reissuePending.set(false);
                        if (!hosts().equals(issuedHosts)) {
                            reissueQuietly();
                        }
                    },
                    REISSUE_DELAY.toMillis(),
                    TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Issues a new local HTTPS certificate for every function host and custom route and
     * serves it from the next handshake on; does nothing when the user gave a certificate.
     */
    public void reissueCertificate() throws IOException {
        Started s = started();
        if (s.localCertificates() != null) {
            // ServerTls.reload holds this monitor, and so does the gateway's check for changed
            // files: neither a concurrent reissue nor that check can load the new key with the
            // old certificate (or the reverse) between the two files' writes.
            synchronized (s.serverTls()) {
                List<String> hosts = hosts();
                s.localCertificates().issue(hosts);
                s.serverTls().reload();
                issuedHosts = hosts;
            }
        }
    }

    private void reissueQuietly() {
        try {
            reissueCertificate();
        } catch (IOException | RuntimeException e) {
            logger.log(System.Logger.Level.WARNING, "cannot reissue the local HTTPS certificate: " + e);
        }
    }

    /** Every function host and custom route, sorted, so equal sets compare equal. */
    private List<String> hosts() {
        TreeSet<String> hosts = new TreeSet<>();
        store.apps().forEach(app -> app.functions().forEach(f -> hosts.add(f.id() + "." + domain)));
        hosts.addAll(store.routes().keySet());
        return List.copyOf(hosts);
    }

    /** Stops serving; does nothing more when it never started. */
    @Override
    public void close() {
        store.unsubscribe(this);
        certificates.shutdownNow();
        Started s = started;
        if (s == null) {
            return;
        }
        try {
            s.gateway().close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Builds a {@link GatewayRole}. Setters refuse only null; {@link #build()} checks every value.
     * Not thread-safe.
     */
    public static final class Builder {
        private RoutingStore store;
        private String id;
        private String host = GatewayServer.DEFAULT_HOST;
        private int httpPort = GatewayServer.DEFAULT_PORT;
        private int httpsPort = GatewayServer.DEFAULT_HTTPS_PORT;
        private LocalCertificates.Pem tls;
        private String domain = GatewayServer.DEFAULT_DOMAIN;
        private Path home;
        private Duration queueTimeout = GatewayServer.DEFAULT_QUEUE_TIMEOUT;
        private Duration unschedulableWait = GatewayServer.DEFAULT_UNSCHEDULABLE_WAIT;
        private int maxQueuedPerFunction = GatewayServer.DEFAULT_MAX_QUEUED;
        private Duration headTimeout = Http1Timeouts.DEFAULT_HEAD_TIMEOUT;
        private Duration idleTimeout = Http1Timeouts.DEFAULT_IDLE_TIMEOUT;
        private int maxRequestLine = GatewayServer.MAX_INITIAL_LINE;
        private int maxHeaderSize = GatewayServer.MAX_HEADER_SIZE;
        private int maxConcurrentStreams = EdgeHandlers.MAX_CONCURRENT_STREAMS;
        private Duration demandInterval = DEFAULT_DEMAND_INTERVAL;
        private Clock clock = Clock.systemUTC();

        private Builder() {}

        /** Where routes and containers come from, and demand goes. Required. */
        public Builder store(RoutingStore store) {
            this.store = store;
            return this;
        }

        /** This gateway's id in demand reports, e.g. {@code gateway-<hostname>-<pid>}. Required. */
        public Builder id(String id) {
            this.id = id;
            return this;
        }

        /** The address to listen on. Default 127.0.0.1. */
        public Builder host(String host) {
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        /** The HTTP (HTTP/1.1 and h2c) port; 0 picks a free one. Default 8080. */
        public Builder httpPort(int port) {
            this.httpPort = port;
            return this;
        }

        /** The HTTPS port, over TCP, and HTTP/3's over UDP; 0 picks a free one. Default 8443. */
        public Builder httpsPort(int port) {
            this.httpsPort = port;
            return this;
        }

        /**
         * The HTTPS certificate chain and key, both PEM files, reloaded when they change.
         * Default: none, for certificates from the local authority under the {@link #home}, made
         * on first start, that cover every function host and custom route.
         */
        public Builder tls(LocalCertificates.Pem tls) {
            this.tls = tls;
            return this;
        }

        /** Functions are served at {@code <app>--<function>.<domain>}. Default "localhost". */
        public Builder domain(String domain) {
            this.domain = domain;
            return this;
        }

        /** The Ferry home, where the local certificate authority lives. Required. */
        public Builder home(Path home) {
            this.home = home;
            return this;
        }

        /** How long a request waits for a container before a 503, unless its function sets queueTimeout. Default 60 s. */
        public Builder queueTimeout(Duration timeout) {
            this.queueTimeout = Objects.requireNonNull(timeout, "queueTimeout");
            return this;
        }

        /**
         * How long a request waits while no container of its function can be placed (no worker
         * fits it, or it is in a crash loop), before a 503 that says why. Default 10 s.
         */
        public Builder unschedulableWait(Duration wait) {
            this.unschedulableWait = Objects.requireNonNull(wait, "unschedulableWait");
            return this;
        }

        /**
         * How many requests may wait per function version for a container before more get a
         * 503, unless the function sets maxQueued; 0 queues none. Default 1024.
         */
        public Builder maxQueuedPerFunction(int max) {
            this.maxQueuedPerFunction = max;
            return this;
        }

        /** How long an HTTP/1.x request head may take from its first byte; then 408 and close. Default 30 s. */
        public Builder headTimeout(Duration timeout) {
            this.headTimeout = Objects.requireNonNull(timeout, "headTimeout");
            return this;
        }

        /** How long a keep-alive HTTP/1.x connection may wait for its next request; then it is closed. Default 75 s. */
        public Builder idleTimeout(Duration timeout) {
            this.idleTimeout = Objects.requireNonNull(timeout, "idleTimeout");
            return this;
        }

        /** The longest HTTP/1.x request line in bytes, at least 256; longer gets a 414. Default 8192. */
        public Builder maxRequestLine(int bytes) {
            this.maxRequestLine = bytes;
            return this;
        }

        /** The largest request head in bytes, at least 1024; larger gets a 431. Default 16384. */
        public Builder maxHeaderSize(int bytes) {
            this.maxHeaderSize = bytes;
            return this;
        }

        /** Concurrent streams per HTTP/2 or HTTP/3 connection, at least 1. Default 256. */
        public Builder maxConcurrentStreams(int streams) {
            this.maxConcurrentStreams = streams;
            return this;
        }

        /**
         * How often demand is reported while calls are in flight or waiting (a waiting request
         * is reported at once). Default 1 s: the controller expects a sample a second from
         * every busy gateway; {@code ferry dev} reports at each of its controller's ticks.
         */
        public Builder demandInterval(Duration interval) {
            this.demandInterval = Objects.requireNonNull(interval, "demandInterval");
            return this;
        }

        /** The clock of demand samples. Default the UTC system clock. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Checks every option and makes the role; nothing is bound or issued until
         * {@link GatewayRole#start()}.
         *
         * @throws IllegalArgumentException naming the first option that cannot work, with its value
         */
        public GatewayRole build() {
            if (store == null) {
                throw new IllegalArgumentException("store: null (expected: the RoutingStore the gateway serves from)");
            }
            if (id == null || id.isBlank()) {
                throw new IllegalArgumentException(
                        "id: " + id + " (expected: this gateway's id, e.g. gateway-<hostname>-<pid>)");
            }
            if (home == null) {
                throw new IllegalArgumentException("home: null (expected: the Ferry home directory)");
            }
            GatewayServer.Builder.checkPort("httpsPort", httpsPort);
            // The edge server's builder checks the rest, each by name; the role starts it as built here.
            GatewayServer.Builder server = GatewayServer.builder()
                    .host(host)
                    .port(httpPort)
                    .domain(domain)
                    .store(store)
                    .reportDemand(id, demandInterval)
                    .queueTimeout(queueTimeout)
                    .unschedulableWait(unschedulableWait)
                    .maxQueuedPerFunction(maxQueuedPerFunction)
                    .headTimeout(headTimeout)
                    .idleTimeout(idleTimeout)
                    .maxRequestLine(maxRequestLine)
                    .maxHeaderSize(maxHeaderSize)
                    .maxConcurrentStreams(maxConcurrentStreams)
                    .clock(clock);
            return new GatewayRole(this, server);
        }
    }
}
