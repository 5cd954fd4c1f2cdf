package dev.ferry.routing;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Collection;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;

/**
 * Lettuce clients as Ferry's Redis stores ({@link RedisRoutingStore}, {@link RedisContainerLogs})
 * want them: quick to reconnect, failing fast while disconnected, never replaying a write, and
 * every command bounded in time; and what the stores say when that Redis fails.
 */
final class RedisClients {

    /** A client, its threads, whether it speaks TLS, and how to name its Redis in messages without the password. */
    record Client(
            String describe,
            RedisRoutingStore.Redactor redactor,
            boolean tls,
            ClientResources resources,
            RedisClient client) {
        /** Closes the client and stops its threads; quiet, bounded. */
        void shutdown() {
            RedisClients.shutdown(client, resources);
        }

        /**
         * Runs {@code op} against this Redis, turning any failure into a {@link StoreUnavailableException}
         * naming it: "refused the command" for an error reply, "is unreachable" for the rest.
         */
        <T> T call(Supplier<T> op) {
            try {
                return op.get();
            } catch (RedisCommandExecutionException e) {
                throw new StoreUnavailableException(
                        describe + " refused the command: " + redactor.scrub(e.getMessage()), e);
            } catch (RuntimeException e) {
                throw unreachable(e);
            }
        }

        /** This Redis is unreachable because of {@code e}; the message hides the password. */
        StoreUnavailableException unreachable(Throwable e) {
            return new StoreUnavailableException(describe + " is unreachable: " + redactor.scrub(reason(e)), e);
        }

        /**
         * Opening a store on this Redis failed because of {@code e}, with a message that says
         * why: the credentials were refused (WRONGPASS, NOAUTH), the TLS handshake failed (an
         * untrusted certificate, another host's), or Redis is unreachable. It hides the password.
         */
        StoreUnavailableException refusedToOpen(Throwable e) {
            String why = redactor.scrub(reason(e));
            for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
                String m = t.getMessage() == null ? "" : t.getMessage();
                if (t instanceof RedisCommandExecutionException
                        && (m.startsWith("WRONGPASS")
                                || m.startsWith("NOAUTH")
                                || m.startsWith("ERR invalid password"))) {
                    String refused = redactor.hasPassword()
                            ? " refused the credentials (" + redactor.user() + "): "
                            : " wants credentials, and the URI has none: ";
                    return new StoreUnavailableException(describe + refused + redactor.scrub(m), e);
                }
                if (t instanceof SSLException) {
                    String hint = t instanceof SSLHandshakeException && m.contains("PKIX")
                            ? "; its certificate is not signed by a CA this process trusts (the JVM's trust"
                                    + " store, or the CA certificates given for it)"
                            : "";
                    return new StoreUnavailableException(
                            describe + " failed the TLS handshake: " + redactor.scrub(m) + hint, e);
                }
            }
            if (!tls && (why.contains("Connection reset") || why.contains("Connection closed"))) {
                // What a TLS-only port does with a client that does not start a handshake.
                why += " (if it speaks only TLS, use rediss://)";
            }
            return new StoreUnavailableException(describe + " is unreachable: " + why, e);
        }

        /** This Redis is unreachable, for a reason of the caller's own, e.g. "this store is closed". */
        StoreUnavailableException unreachable(String why) {
            return new StoreUnavailableException(describe + " is unreachable: " + why, null);
        }
    }

    private RedisClients() {}

    /**
     * A store on a new client of {@code endpoint}: {@code store} connects it. If that fails, the
     * client is shut down and the failure becomes a {@link StoreUnavailableException} that says
     * why: the credentials were refused, the TLS handshake failed, or Redis is unreachable.
     *
     * @throws IllegalArgumentException if the endpoint's URI is malformed (the message hides the
     *     password), or its CA file cannot be used
     * @throws StoreUnavailableException if {@code store} fails
     */
    static <T> T connect(RedisEndpoint endpoint, Duration commandTimeout, Function<Client, T> store) {
        Client redis = create(endpoint, commandTimeout);
        try {
            return store.apply(redis);
        } catch (RuntimeException e) {
            redis.shutdown();
            throw redis.refusedToOpen(e);
        }
    }

    /**
     * A client of {@code uri} whose commands time out after {@code commandTimeout}; it has not
     * connected yet.
     *
     * @throws IllegalArgumentException if {@code uri} is malformed (the message hides the password)
     */
    private static Client create(RedisEndpoint endpoint, Duration commandTimeout) {
        String uri = Objects.requireNonNull(endpoint, "endpoint").uri();
        RedisRoutingStore.Redactor redactor = new RedisRoutingStore.Redactor(uri);
        RedisURI redisUri;
        try {
            redisUri = RedisURI.create(uri);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("Redis URI: " + redactor.redactedUri() + " (expected: "
                    + "redis://[[user]:password@]host:port[/db], or rediss://... for TLS): "
                    + redactor.scrub(e.getMessage()));
        }
        redisUri.setTimeout(commandTimeout);
        SslOptions ssl = sslOptions(endpoint, redisUri, redactor, commandTimeout);
        ClientResources resources = DefaultClientResources.builder()
                .ioThreadPoolSize(2)
                .computationThreadPoolSize(2)
                // Lettuce's default backs off to 30 s; a control plane wants its store back sooner.
                .reconnectDelay(
                        Delay.exponential(Duration.ofMillis(50), Duration.ofSeconds(2), 2, TimeUnit.MILLISECONDS))
                .build();
        RedisClient client = RedisClient.create(resources, redisUri);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                // Fail fast while disconnected: callers get StoreUnavailableException, not a hang.
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                // A write that failed must not happen behind the caller's back after a reconnect.
                .replayFilter(command -> true)
                // Every command times out, after its connection's timeout: the URI's (the
                // command timeout), or one a connection sets for itself (jars).
                .timeoutOptions(TimeoutOptions.enabled())
                .socketOptions(SocketOptions.builder()
                        .connectTimeout(commandTimeout)
                        .keepAlive(true)
                        .build())
                .sslOptions(ssl)
                .build());
        return new Client("Redis at " + redactor.describe(redisUri), redactor, redisUri.isSsl(), resources, client);
    }

    /**
     * TLS settings for {@code uri}: the CA certificates of {@code endpoint} as trust material,
     * if given, else the JVM's trust store; the handshake bounded like a connect.
     *
     * @throws IllegalArgumentException if CA certificates are given for a {@code redis://} URI,
     *     or cannot be read
     */
    private static SslOptions sslOptions(
            RedisEndpoint endpoint, RedisURI uri, RedisRoutingStore.Redactor redactor, Duration handshakeTimeout) {
        SslOptions.Builder ssl = SslOptions.builder().jdkSslProvider().handshakeTimeout(handshakeTimeout);
        if (endpoint.trustedCertificates().isEmpty()) {
            return ssl.build();
        }
        Path file = endpoint.trustedCertificates().get();
        if (!uri.isSsl()) {
            throw new IllegalArgumentException("Redis CA certificates: " + file + " (expected: a rediss:// URI to "
                    + "trust them for, not " + redactor.redactedUri() + ")");
        }
        return ssl.trustManager(trustManagers(file)).build();
    }

    /** Trust managers that trust the CA certificates in the PEM file {@code file}, and no others. */
    private static TrustManagerFactory trustManagers(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            Collection<? extends Certificate> certificates =
                    CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certificates.isEmpty()) {
                throw new CertificateException("no certificate in it");
            }
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            for (Certificate certificate : certificates) {
                store.setCertificateEntry("ca-" + i++, certificate);
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            return factory;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException(
                    "Redis CA certificates: " + file + " (expected: a readable PEM file of X.509 certificates): " + e,
                    e);
        }
    }

    /** {@code e}'s message, with its root cause's when that says more ("Connection refused"). */
    static String reason(Throwable e) {
        String message = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root != e && root.getMessage() != null && !message.contains(root.getMessage())) {
            message += ": " + root.getMessage();
        }
        return message;
    }

    private static void shutdown(RedisClient client, ClientResources resources) {
        try {
            // A short quiet period: a connection still being set up (a follower's reconnect
            // racing the close) finishes registering and is closed and unregistered, which frees
            // the buffer Lettuce's handler took when it registered; without one, that buffer leaks.
            client.shutdown(Duration.ofMillis(50), Duration.ofSeconds(2));
        } catch (RuntimeException e) {
            Complaints.log(Level.DEBUG, "Closing the Redis client failed: " + e);
        }
        try {
            resources.shutdown(0, 2, TimeUnit.SECONDS).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            Complaints.log(Level.DEBUG, "Shutting down the Redis client's threads failed: " + e);
        }
    }
}
