package dev.ferry.cli;

import dev.ferry.request.protocol.FunctionSettings;
import dev.ferry.routing.ContainerLogs;
import dev.ferry.routing.RoutingStore;
import dev.ferry.routing.StoreUnavailableException;
import java.time.Duration;
import picocli.CommandLine.Option;

/** Where the cluster's shared state lives: {@code --redis URL} and {@code --cluster NAME}. */
final class StoreOptions {

    @Option(
            names = "--redis",
            paramLabel = "URL",
            description = "Redis holding the cluster's state: redis://[:password@]host:port[/db], rediss:// for TLS.")
    String redis;

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
                return RoutingStore.redis(redis, cluster);
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
        return ContainerLogs.redis(redis, cluster);
    }
}
