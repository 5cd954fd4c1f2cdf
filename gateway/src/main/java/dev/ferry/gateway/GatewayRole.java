package dev.ferry.gateway;

import dev.ferry.gateway.FunctionDemand;
import dev.ferry.gateway.GatewayServer;
import dev.ferry.gateway.ServerTls;
import dev.ferry.routing.AppDeployment;
import dev.ferry.routing.RoutingListener;
import dev.ferry.routing.RoutingStore;
import java.io.IOException;
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
 */
public final class GatewayRole implements RoutingListener, AutoCloseable {

    /**
     * What a gateway is started with.
     *
     * @param id this gateway's id in demand reports
     * @param host the address to listen on
     * @param httpPort the HTTP port, 0 for a free one
     * @param httpsPort the HTTPS (and HTTP/3) port, 0 for a free one
     * @param tls the HTTPS certificate and key; null for certificates from the local authority under {@code home}
     * @param domain the functions' domain
     * @param home the Ferry home
     * @param queueTimeout how long a request waits for a container
     * @param limits the edge's limits
     * @param demandInterval how often demand is reported
     * @param clock the clock of demand samples
     */
    public record Options(String id, String host, int httpPort, int httpsPort, LocalCertificates.Pem tls, String domain, Path home,
                   Duration queueTimeout, EdgeLimits limits, Duration demandInterval, Clock clock) {
        public Options {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(domain, "domain");
            Objects.requireNonNull(home, "home");
            Objects.requireNonNull(queueTimeout, "queueTimeout");
            Objects.requireNonNull(limits, "limits");
            Objects.requireNonNull(demandInterval, "demandInterval");
            Objects.requireNonNull(clock, "clock");
        }
    }

    private final RoutingStore store;
    private final Options options;
    private final GatewayServer gateway;
    private final ServerTls serverTls;
    /** Issues the HTTPS certificate when the user gave none; null when they did. */
    private final LocalCertificates localCertificates;
    /** Reissues certificates off the store's feed thread. */
    /** How long after a change of hosts the certificate is reissued; changes meanwhile join in. */
    static final Duration REISSUE_DELAY = Duration.ofMillis(250);

    private final AtomicBoolean reissuePending = new AtomicBoolean();
    /** The hosts of the certificate served now; null when the user gave the certificate. */
    private volatile List<String> issuedHosts;
    private final ScheduledExecutorService certificates = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("ferry-certificates").daemon().factory());

    public GatewayRole(RoutingStore store, Options options) throws IOException, InterruptedException {
        this.store = store;
        this.options = options;
        try {
            this.localCertificates = options.tls() == null ? LocalCertificates.open(options.home()) : null;
            this.issuedHosts = options.tls() == null ? hosts() : null;
            LocalCertificates.Pem pem = options.tls() != null ? options.tls() : localCertificates.issue(issuedHosts);
            this.serverTls = ServerTls.fromPem(pem.certificate(), pem.key());
            this.gateway = GatewayServer.builder()
                    .host(options.host())
                    .port(options.httpPort())
                    .https(options.httpsPort(), serverTls)
                    .domain(options.domain())
                    .store(store)
                    .reportDemand(options.id(), options.demandInterval())
                    .queueTimeout(options.queueTimeout())
                    .headTimeout(options.limits().head())
                    .idleTimeout(options.limits().idle())
                    .maxRequestLine(options.limits().maxRequestLine())
                    .maxHeaderSize(options.limits().maxHeaderSize())
                    .maxConcurrentStreams(options.limits().maxConcurrentStreams())
                    .unschedulableWait(options.limits().unschedulableWait())
                    .maxQueuedPerFunction(options.limits().maxQueued())
                    .clock(options.clock())
                    .start();
        } catch (RuntimeException | IOException | InterruptedException e) {
            certificates.shutdownNow();
            throw e;
        }
        if (localCertificates != null) {
            store.subscribe(this);
        }
    }

    public int httpPort() {
        return gateway.port();
    }

    public int httpsPort() {
        return gateway.httpsPort().orElseThrow();
    }

    /** The local certificate authority HTTPS certificates come from, unless the user gave a certificate. */
    public Optional<LocalCertificates> localCertificates() {
        return Optional.ofNullable(localCertificates);
    }

    public List<FunctionDemand> demand() {
        return gateway.demand();
    }

    /** The public URL of function {@code functionId} on this gateway. */
    public String url(String functionId) {
        return url(functionId, options.domain(), gateway.port());
    }

    public static String url(String functionId, String domain, int port) {
        return "http://" + functionId + "." + domain + ":" + port + "/";
    }

    @Override
    public void appDeployed(AppDeployment deployment) {
        scheduleReissue();
    }

    @Override
    public void routeUpdated(String host, String function) {
        scheduleReissue();
    }

    /**
     * Reissues a moment after a change, so a burst of changes (a resync, many routes) costs
     * one reissue, and not at all when the hosts did not change (a redeploy): a new key and
     * two TLS contexts cost the gateway tens of milliseconds of CPU.
     */
    private void scheduleReissue() {
        if (reissuePending.compareAndSet(false, true)) {
            certificates.schedule(() -> {
                reissuePending.set(false);
                if (!hosts().equals(issuedHosts)) {
                    reissueQuietly();
                }
            }, REISSUE_DELAY.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Issues a new local HTTPS certificate for every function host and custom route and
     * serves it from the next handshake on; does nothing when the user gave a certificate.
     */
    public void reissueCertificate() throws IOException {
        if (localCertificates != null) {
            // ServerTls.reload holds this monitor, and so does the gateway's check for changed
            // files: neither a concurrent reissue nor that check can load the new key with the
            // old certificate (or the reverse) between the two files' writes.
            synchronized (serverTls) {
                List<String> hosts = hosts();
                localCertificates.issue(hosts);
                serverTls.reload();
                issuedHosts = hosts;
            }
        }
    }

    private void reissueQuietly() {
        try {
            reissueCertificate();
        } catch (IOException | RuntimeException e) {
            System.err.println("ferry: cannot reissue the local HTTPS certificate: " + e);
        }
    }

    /** Every function host and custom route, sorted, so equal sets compare equal. */
    private List<String> hosts() {
        TreeSet<String> hosts = new TreeSet<>();
        store.apps().forEach(app -> app.functions().forEach(f -> hosts.add(f.id() + "." + options.domain())));
        hosts.addAll(store.routes().keySet());
        return List.copyOf(hosts);
    }

    @Override
    public void close() {
        store.unsubscribe(this);
        certificates.shutdownNow();
        try {
            gateway.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
