package dev.ferry.routing;

import java.time.Instant;
import java.util.Objects;

/**
 * A container as the cluster sees it.
 *
 * @param id unique container id
 * @param function the function id it serves, {@code <app>--<function>}
 * @param version the app version it runs
 * @param worker the id of the worker it runs on
 * @param host the address its gRPC server listens on; empty while {@link ContainerState#PENDING}
 * @param port its gRPC port; 0 while {@link ContainerState#PENDING}
 * @param state where it is in its life
 * @param maxInputs the most inputs it runs at once
 * @param startedAt when it was placed or, once started, when its process started
 */
public record ContainerInfo(String id, String function, String version, String worker, String host, int port,
                            ContainerState state, int maxInputs, Instant startedAt) {

    public ContainerInfo {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(function, "function");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(worker, "worker");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(startedAt, "startedAt");
        if (maxInputs <= 0) {
            throw new IllegalArgumentException("maxInputs: " + maxInputs + " (expected: > 0)");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 0-65535)");
        }
    }

    /** A container the controller has placed on {@code worker} but that has not started. */
    public static ContainerInfo pending(String id, DeployedFunction function, String worker, Instant placedAt) {
        return new ContainerInfo(id, function.id(), function.version(), worker, "", 0, ContainerState.PENDING,
                function.settings().maxInputs(), placedAt);
    }

    /** This container in {@code newState}. */
    public ContainerInfo withState(ContainerState newState) {
        return new ContainerInfo(id, function, version, worker, host, port, newState, maxInputs, startedAt);
    }

    /** The app part of {@link #function}. */
    public String app() {
        return function.substring(0, function.indexOf("--"));
    }
}
