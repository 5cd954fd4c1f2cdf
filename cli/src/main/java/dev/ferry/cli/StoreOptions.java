package dev.ferry.cli;

import dev.ferry.request.protocol.FunctionSettings;
import dev.ferry.routing.ContainerLogs;
import dev.ferry.routing.RedisEndpoint;
import dev.ferry.routing.RoutingStore;
import dev.ferry.routing.StoreUnavailableException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.UnaryOperator;
import picocli.CommandLine.Option;

/**
 * Where the cluster's shared state lives: {@code --redis URL} and {@code --cluster NAME}, and
 * how to trust a TLS Redis whose certificate a private CA signed ({@code --redis-ca FILE}).
 */
final class StoreOptions {

    @Option(
            names = "--redis",
            paramLabel = "URL",
            description = "Redis holding the cluster's state: redis://[[user]:password@]host:port[/db], rediss:// for"
                    + " TLS.")
    String redis;

    @Option(
            names = "--redis-ca",
            paramLabel = "FILE",
            description = "PEM file of the CA certificates that a rediss:// Redis's certificate must chain to, for"
                    + " a private CA (default: $FERRY_REDIS_CA, else the JVM's trust store).")
    Path redisCa;

    @Option(
            names = "--cluster",
            defaultValue = "default",
            paramLabel = "NAME",
            description = "The cluster's namespace in Redis, so clusters can share one (default: ${DEFAULT-VALUE}).")
    String cluster;

    @Option(
            names = "--redis-wait",
            defaultValue = "60s",
            paramLabel = "DURATION",
            description =
                    "How long to keep trying to reach Redis at start-up, so roles may start before it (default: ${DEFAULT-VALUE}).")
    String redisWait;

    /** How often start-up tries Redis again. */
    private static final Duration RETRY = Duration.ofSeconds(1);

    /**
     * The Redis store, once Redis answers; the role commands require {@code --redis}.
     *
     * @throws StoreUnavailableException when Redis did not answer within {@code --redis-wait}
     */
    RoutingStore connect() throws InterruptedException {
        if (redis == null) {
            throw new IllegalArgumentException(
                    "--redis URL is required (expected: e.g. --redis redis://127.0.0.1:6379); "
                            + "ferry dev runs every role in one process without it");
        }
        long deadline = System.nanoTime()
                + FunctionSettings.parseDuration("--redis-wait", redisWait).toNanos();
        boolean told = false;
        while (true) {
            try {
                return RoutingStore.redis(endpoint(), cluster);
            } catch (StoreUnavailableException e) {
                if (System.nanoTime() - deadline > 0) {
                    throw e;
                }
                if (!told) {
                    told = true;
                    // Asked for here, not held in a static field: picocli makes this mixin before
                    // the command installs logging, and the first logger fixes JUL's manager.
                    System.getLogger(StoreOptions.class.getName())
                            .log(System.Logger.Level.WARNING, e.getMessage() + "; trying again for up to " + redisWait);
                }
                Thread.sleep(RETRY.toMillis()); // a start-up retry loop, not a wait for a condition
            }
        }
    }

    /** Where containers' output goes, in the same Redis and cluster; call after {@link #connect()} succeeded. */
    ContainerLogs containerLogs() {
        return ContainerLogs.redis(endpoint(), cluster);
    }

    /** The variable that stands for {@code --redis-ca} when the option is not given. */
    static final String CA_VARIABLE = "FERRY_REDIS_CA";

    /** Where the environment comes from: tests replace it. */
    UnaryOperator<String> environment = System::getenv;

    /**
     * The Redis of {@code --redis}, trusting {@code --redis-ca} (or {@code $FERRY_REDIS_CA}) if
     * given; null without {@code --redis}, when the variable is ignored.
     *
     * @throws IllegalArgumentException when {@code --redis-ca} is given without {@code --redis}
     */
    RedisEndpoint endpoint() {
        if (redis == null) {
            if (redisCa != null) {
                throw new IllegalArgumentException(
                        "--redis-ca: " + redisCa + " (expected: with --redis rediss://..., the Redis it is for)");
            }
            return null;
        }
        RedisEndpoint.Builder endpoint = RedisEndpoint.builder(redis);
        String variable = environment.apply(CA_VARIABLE);
        if (redisCa != null) {
            endpoint.trustedCertificates(redisCa);
        } else if (variable != null && !variable.isBlank()) {
            endpoint.trustedCertificates(Path.of(variable));
        }
        return endpoint.build();
    }
}
