package dev.ferry.cli;

import dev.ferry.gateway.GatewayRole;
import dev.ferry.gateway.LocalCertificates;
import dev.ferry.request.protocol.FunctionSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;
import picocli.CommandLine.Option;

/** The gateway's listening and limit options, shared by {@code ferry dev} and {@code ferry gateway}. */
final class EdgeOptions {

    @Option(
            names = "--http-port",
            defaultValue = "8080",
            description = "Gateway HTTP port (default: ${DEFAULT-VALUE}).")
    int httpPort;

    @Option(
            names = "--https-port",
            defaultValue = "8443",
            description = "Gateway HTTPS port (default: ${DEFAULT-VALUE}).")
    int httpsPort;

    @Option(
            names = "--tls-cert",
            description =
                    "PEM certificate chain for HTTPS (default: certificates for localhost and every function host from a local authority made on first run).")
    Path tlsCert;

    @Option(
            names = "--tls-key",
            description = "Unencrypted PKCS#8 PEM key of --tls-cert. Both files are reloaded when they change.")
    Path tlsKey;

    @Option(
            names = "--host",
            defaultValue = "127.0.0.1",
            description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(
            names = "--domain",
            defaultValue = "localhost",
            description = "Functions are served at <app>--<function>.<domain> (default: ${DEFAULT-VALUE}).")
    String domain;

    @Option(
            names = "--queue-timeout",
            defaultValue = "60s",
            description =
                    "How long a request waits for a container before a 503, unless its function sets queueTimeout "
                            + "(default: ${DEFAULT-VALUE}).")
    String queueTimeout;

    @Option(
            names = "--max-queued",
            defaultValue = "1024",
            description = "How many requests may wait per function for a container before more get a 503, unless the "
                    + "function sets maxQueued (default: ${DEFAULT-VALUE}).")
    int maxQueued;

    @Option(
            names = "--unschedulable-wait",
            defaultValue = "10s",
            description =
                    "How long a request waits while no container of its function can be placed (no worker fits it, or "
                            + "it is in a crash loop) before a 503 that says why (default: ${DEFAULT-VALUE}).")
    String unschedulableWait;

    @Option(
            names = "--head-timeout",
            defaultValue = "30s",
            description =
                    "How long an HTTP/1.x request head may take from its first byte before a 408 (default: ${DEFAULT-VALUE}).")
    String headTimeout;

    @Option(
            names = "--idle-timeout",
            defaultValue = "75s",
            description =
                    "How long a keep-alive HTTP/1.x connection may wait for its next request (default: ${DEFAULT-VALUE}).")
    String idleTimeout;

    @Option(
            names = "--max-request-line",
            defaultValue = "8192",
            description = "Longest request line in bytes; longer gets a 414 (default: ${DEFAULT-VALUE}).")
    int maxRequestLine;

    @Option(
            names = "--max-header-size",
            defaultValue = "16384",
            description = "Largest request head in bytes; larger gets a 431 (default: ${DEFAULT-VALUE}).")
    int maxHeaderSize;

    @Option(
            names = "--max-streams",
            defaultValue = "256",
            description = "Concurrent streams per HTTP/2 or HTTP/3 connection (default: ${DEFAULT-VALUE}).")
    int maxStreams;

    /** The user's certificate, or null for the local authority's. */
    LocalCertificates.Pem tls() {
        if ((tlsCert == null) != (tlsKey == null)) {
            throw new IllegalArgumentException("--tls-cert and --tls-key go together (expected: both or neither)");
        }
        return tlsCert == null ? null : new LocalCertificates.Pem(tlsCert, tlsKey);
    }

    /**
     * These options for a gateway role's builder. Parsed now, so a malformed one fails before
     * anything connects; the role's builder checks the values.
     */
    Consumer<GatewayRole.Builder> gatewayOptions() {
        LocalCertificates.Pem pem = tls();
        Duration queue = FunctionSettings.parseDuration("--queue-timeout", queueTimeout);
        Duration head = FunctionSettings.parseDuration("--head-timeout", headTimeout);
        Duration idle = FunctionSettings.parseDuration("--idle-timeout", idleTimeout);
        Duration unschedulable = FunctionSettings.parseDuration("--unschedulable-wait", unschedulableWait);
        return gateway -> gateway.host(host)
                .httpPort(httpPort)
                .httpsPort(httpsPort)
                .tls(pem)
                .domain(domain)
                .queueTimeout(queue)
                .maxQueuedPerFunction(maxQueued)
                .unschedulableWait(unschedulable)
                .headTimeout(head)
                .idleTimeout(idle)
                .maxRequestLine(maxRequestLine)
                .maxHeaderSize(maxHeaderSize)
                .maxConcurrentStreams(maxStreams);
    }
}
