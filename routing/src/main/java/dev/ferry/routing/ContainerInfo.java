package dev.ferry.routing;

import java.time.Instant;
import java.util.Objects;

/**
 * A container as the cluster sees it.
 *
 * @param id unique container id
 * @param function the function id it serves, {@code <app>--<function>}
 * @param version the app version it runs
 * @param host the address its gRPC server listens on
 * @param port its gRPC port
 * @param state where it is in its life
 * @param maxInputs the most inputs it runs at once
 * @param startedAt when its process started
 */
public record ContainerInfo(String id, String function, String version, String host, int port,
                            ContainerState state, int maxInputs, Instant startedAt) {

    public ContainerInfo {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(function, "function");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(startedAt, "startedAt");
        if (maxInputs <= 0) {
            throw new IllegalArgumentException("maxInputs: " + maxInputs + " (expected: > 0)");
        }
    }

    /** This container in {@code newState}. */
    public ContainerInfo withState(ContainerState newState) {
        return new ContainerInfo(id, function, version, host, port, newState, maxInputs, startedAt);
    }
}
