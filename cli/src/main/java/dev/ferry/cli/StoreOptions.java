package dev.ferry.cli;

import dev.ferry.routing.RoutingStore;
import picocli.CommandLine.Option;

/** Where the cluster's shared state lives: {@code --redis URL} and {@code --cluster NAME}. */
final class StoreOptions {

    @Option(names = "--redis", paramLabel = "URL",
            description = "Redis holding the cluster's state: redis://[:password@]host:port[/db], rediss:// for TLS.")
    String redis;

    @Option(names = "--cluster", defaultValue = "default", paramLabel = "NAME",
            description = "The cluster's namespace in Redis, so clusters can share one (default: ${DEFAULT-VALUE}).")
    String cluster;

    /** The Redis store; the role commands require {@code --redis}. */
    RoutingStore connect() {
        if (redis == null) {
            throw new IllegalArgumentException("--redis URL is required (expected: e.g. --redis redis://127.0.0.1:6379); "
                    + "ferry dev runs every role in one process without it");
        }
        return RoutingStore.redis(redis, cluster);
    }
}
