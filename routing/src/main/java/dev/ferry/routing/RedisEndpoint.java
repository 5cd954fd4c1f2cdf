package dev.ferry.routing;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * A Redis to keep the cluster's state in, and how to trust it: its URI, and for TLS
 * ({@code rediss://}) the certificates of the CAs that may sign its certificate. Without them,
 * the JVM's trust store decides. The peer's certificate and its host name are always verified.
 *
 * <pre>{@code
 * RedisEndpoint redis = RedisEndpoint.builder("rediss://ferry:pw@redis.internal:6380/0")
 *         .trustedCertificates(Path.of("/etc/ferry/redis-ca.pem"))
 *         .build();
 * RoutingStore store = RoutingStore.redis(redis, "default");
 * }</pre>
 *
 * <p>Immutable. {@link #toString} hides the password.
 */
public final class RedisEndpoint {

    private final String uri;
    private final Path trustedCertificates; // null: the JVM's trust store

    private RedisEndpoint(String uri, Path trustedCertificates) {
        this.uri = uri;
        this.trustedCertificates = trustedCertificates;
    }

    /**
     * The Redis at {@code uri}, trusted as the JVM trusts it.
     *
     * @param uri {@code redis://[[user]:password@]host:port[/db]}, or {@code rediss://...} for TLS;
     *     checked when a store opens it
     */
    public static RedisEndpoint of(String uri) {
        return builder(uri).build();
    }

    /** A builder for the Redis at {@code uri} (as for {@link #of}). */
    public static Builder builder(String uri) {
        return new Builder(Objects.requireNonNull(uri, "uri"));
    }

    /** The URI, password included: never log it, log {@link #toString} instead. */
    public String uri() {
        return uri;
    }

    /** The PEM file of CA certificates that a {@code rediss://} Redis's certificate must chain to, if given. */
    public Optional<Path> trustedCertificates() {
        return Optional.ofNullable(trustedCertificates);
    }

    /** The URI with its password replaced by ***, and the CA file if any. */
    @Override
    public String toString() {
        String redacted = new RedisRoutingStore.Redactor(uri).redactedUri();
        return trustedCertificates == null ? redacted : redacted + " (trusting " + trustedCertificates + ")";
    }

    /** Builds a {@link RedisEndpoint}; not thread-safe. */
    public static final class Builder {
        private final String uri;
        private Path trustedCertificates;

        private Builder(String uri) {
            this.uri = uri;
        }

        /**
         * Trust the CA certificates in {@code pemFile} (one or more {@code -----BEGIN
         * CERTIFICATE-----} blocks) instead of the JVM's trust store, for a Redis whose
         * certificate a private CA signed. Only for {@code rediss://}: a store refuses it with
         * {@code redis://}. The file is read when a store opens. Default: none, the JVM's trust store.
         */
        public Builder trustedCertificates(Path pemFile) {
            this.trustedCertificates = Objects.requireNonNull(pemFile, "pemFile");
            return this;
        }

        public RedisEndpoint build() {
            return new RedisEndpoint(uri, trustedCertificates);
        }
    }
}
