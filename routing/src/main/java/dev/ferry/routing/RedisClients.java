package dev.ferry.routing;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Lettuce clients as Ferry's Redis stores ({@link RedisRoutingStore}, {@link RedisContainerLogs})
 * want them: quick to reconnect, failing fast while disconnected, never replaying a write, and
 * every command bounded in time; and what the stores say when that Redis fails.
 */
final class RedisClients {

    /** A client, its threads, and how to name its Redis in messages without the password. */
    record Client(String describe, RedisRoutingStore.Redactor redactor, ClientResources resources, RedisClient client) {
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

        /** This Redis is unreachable, for a reason of the caller's own, e.g. "this store is closed". */
        StoreUnavailableException unreachable(String why) {
            return new StoreUnavailableException(describe + " is unreachable: " + why, null);
        }
    }

    private RedisClients() {}

    /**
     * A store on a new client of {@code uri}: {@code store} connects it. If that fails, the
     * client is shut down and the failure becomes "unreachable".
     *
     * @throws IllegalArgumentException if {@code uri} is malformed (the message hides the password)
     * @throws StoreUnavailableException if {@code store} fails
     */
    static <T> T connect(String uri, Duration commandTimeout, Function<Client, T> store) {
        Client redis = create(uri, commandTimeout);
        try {
            return store.apply(redis);
        } catch (RuntimeException e) {
            redis.shutdown();
            throw redis.unreachable(e);
        }
    }

    /**
     * A client of {@code uri} whose commands time out after {@code commandTimeout}; it has not
     * connected yet.
     *
     * @throws IllegalArgumentException if {@code uri} is malformed (the message hides the password)
     */
    private static Client create(String uri, Duration commandTimeout) {
        Objects.requireNonNull(uri, "uri");
        RedisRoutingStore.Redactor redactor = new RedisRoutingStore.Redactor(uri);
        RedisURI redisUri;
        try {
            redisUri = RedisURI.create(uri);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("Redis URI: " + redactor.redactedUri() + " (expected: "
                    + "redis://[:password@]host:port[/db], or rediss://... for TLS): "
                    + redactor.scrub(e.getMessage()));
        }
        redisUri.setTimeout(commandTimeout);
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
                .build());
        return new Client("Redis at " + redactor.describe(redisUri), redactor, resources, client);
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
