package dev.ferry.worker;

import java.util.Locale;
import java.util.Objects;

/**
 * The network a container sees: the function's setting ({@code FunctionSettings.network()}),
 * else its worker's default ({@code ferry worker --container-network}).
 */
public enum ContainerNetwork {
    /** The worker's default ({@link Worker.Builder#containerNetwork}); a spec's only. */
    DEFAULT,
    /**
     * A network namespace of its own holding only a loopback interface: the container reaches
     * nothing and nothing reaches it over TCP. Gateways on the same machine call it over a Unix
     * domain socket at a path (see worker/README.md). Under bwrap and runc; the process sandbox
     * has no namespaces, and runs it on the host's network.
     */
    NONE,
    /** The machine's network, as the worker has it. */
    HOST;

    /**
     * The network called {@code name}: {@code ""} ({@link #DEFAULT}), {@code none} or
     * {@code host}, case-insensitive, as {@code FunctionSettings.network()} and the command line
     * write them.
     *
     * @throws IllegalArgumentException naming the value and the accepted ones
     */
    public static ContainerNetwork parse(String name) {
        Objects.requireNonNull(name, "name");
        return switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "" -> DEFAULT;
            case "none" -> NONE;
            case "host" -> HOST;
            default -> throw new IllegalArgumentException("network: \"" + name + "\" (expected: none or host)");
        };
    }

    /** This network, or {@code workerDefault} when it is {@link #DEFAULT}. */
    ContainerNetwork or(ContainerNetwork workerDefault) {
        return this == DEFAULT ? workerDefault : this;
    }

    /** How the command line and the function's settings write it. */
    @Override
    public String toString() {
        return this == DEFAULT ? "" : name().toLowerCase(Locale.ROOT);
    }
}
