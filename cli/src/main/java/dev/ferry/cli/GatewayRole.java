package dev.ferry.cli;

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
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The gateway role: the edge server on the store's routing copy, reporting its demand, with
 * HTTPS from the user's certificate or from the local authority, whose certificate is
 * reissued to cover every function host and custom route as they are deployed.
 */
final class GatewayRole implements RoutingListener, AutoCloseable {

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
    record Options(String id, String host, int httpPort, int httpsPort, LocalCertificates.Pem tls, String domain, Path home,
                   Duration queueTimeout, DevStack.EdgeLimits limits, Duration demandInterval, Clock clock) {
        Options {
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
    private final AtomicBoolean reissuePending = new AtomicBoolean();
    private final ExecutorService certificates = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("ferry-certificates").daemon().factory());

    GatewayRole(RoutingStore store, Options options) throws IOException, InterruptedException {
        this.store = store;
        this.options = options;
        try {
            this.localCertificates = options.tls() == null ? LocalCertificates.open(options.home()) : null;
            LocalCertificates.Pem pem = options.tls() != null ? options.tls() : localCertificates.issue(hosts());
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

    List<FunctionDemand> demand() {
        return gateway.demand();
    }

    /** The public URL of function {@code functionId} on this gateway. */
    String url(String functionId) {
        return url(functionId, options.domain(), gateway.port());
    }

    static String url(String functionId, String domain, int port) {
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

    /** One reissue covers every change before it starts, so a burst of changes costs one. */
    private void scheduleReissue() {
        if (reissuePending.compareAndSet(false, true)) {
            certificates.execute(() -> {
                reissuePending.set(false);
                reissueQuietly();
            });
        }
    }

    /**
     * Issues a new local HTTPS certificate for every function host and custom route and
     * serves it from the next handshake on; does nothing when the user gave a certificate.
     */
    void reissueCertificate() throws IOException {
        if (localCertificates != null) {
            // ServerTls.reload holds this monitor, and so does the gateway's check for changed
            // files: neither a concurrent reissue nor that check can load the new key with the
            // old certificate (or the reverse) between the two files' writes.
            synchronized (serverTls) {
                localCertificates.issue(hosts());
                serverTls.reload();
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

    private List<String> hosts() {
        List<String> hosts = new ArrayList<>();
        store.apps().forEach(app -> app.functions().forEach(f -> hosts.add(f.id() + "." + options.domain())));
        hosts.addAll(store.routes().keySet());
        return hosts;
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
