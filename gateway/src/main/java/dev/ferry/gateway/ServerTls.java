package dev.ferry.gateway;

import io.netty.handler.codec.http3.Http3;
import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.codec.quic.QuicSslContextBuilder;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The gateway's TLS identity, from a PEM certificate chain and an unencrypted PKCS#8 PEM key
 * (as {@code openssl genpkey} and certbot write them): TLS 1.3 and 1.2 only, ALPN offering
 * h2 then http/1.1; and the same identity for QUIC (HTTP/3).
 *
 * <p>The files can be replaced while the gateway runs: {@link #reloadIfChanged()} (called
 * every few seconds by the gateway) picks up new ones for new connections; connections already
 * open keep theirs. New files that do not load leave the old identity in place. Thread-safe.
 */
public final class ServerTls {

    private static final System.Logger logger = System.getLogger(ServerTls.class.getName());

    private final Path certificate;
    private final Path key;
    private volatile SslContext context;
    private volatile QuicSslContext quicContext;
    /** What the files looked like when loaded: replaced by a rename, a file has a new key even within one mtime tick. */
    private volatile List<Object> loadedVersion;

    private ServerTls(Path certificate, Path key) throws IOException {
        this.certificate = certificate;
        this.key = key;
        reload();
    }

    /**
     * The identity in {@code certificate} and {@code key}.
     *
     * @throws IOException naming the file and the problem when they cannot be read or used
     */
    public static ServerTls fromPem(Path certificate, Path key) throws IOException {
        return new ServerTls(Objects.requireNonNull(certificate, "certificate"), Objects.requireNonNull(key, "key"));
    }

    SslContext context() {
        return context;
    }

    /** The same identity for QUIC (HTTP/3): TLS 1.3, ALPN h3. */
    QuicSslContext quicContext() {
        return quicContext;
    }

    /** Loads the files again if either changed since the last load; true when it did. Never throws. */
    public boolean reloadIfChanged() {
        try {
            if (version().equals(loadedVersion)) {
                return false;
            }
            reload();
            return true;
        } catch (IOException e) {
            logger.log(System.Logger.Level.WARNING, "keeping the current TLS certificate: " + e.getMessage());
            return false;
        }
    }

    /**
     * Loads the files again now; new connections get the new identity.
     *
     * @throws IOException when they cannot be used (the old identity stays)
     */
    public synchronized void reload() throws IOException {
        List<Object> version = version();
        try {
            context = SslContextBuilder.forServer(certificate.toFile(), key.toFile())
                    .protocols("TLSv1.3", "TLSv1.2")
                    .applicationProtocolConfig(new ApplicationProtocolConfig(
                            ApplicationProtocolConfig.Protocol.ALPN,
                            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                            ApplicationProtocolNames.HTTP_2,
                            ApplicationProtocolNames.HTTP_1_1))
                    .build();
            quicContext = QuicSslContextBuilder.forServer(key.toFile(), null, certificate.toFile())
                    .applicationProtocols(Http3.supportedApplicationProtocols())
                    .build();
        } catch (IllegalArgumentException | javax.net.ssl.SSLException e) {
            throw new IOException(
                    "TLS certificate " + certificate + " with key " + key
                            + " cannot be used (expected: a PEM certificate chain and an unencrypted PKCS#8 PEM key): "
                            + e.getMessage(),
                    e);
        }
        loadedVersion = version;
    }

    private List<Object> version() throws IOException {
        List<Object> version = new ArrayList<>();
        for (Path file : List.of(certificate, key)) {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            version.add(attributes.fileKey());
            version.add(attributes.lastModifiedTime());
            version.add(attributes.size());
        }
        return version;
    }
}
