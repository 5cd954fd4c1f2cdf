package dev.ferry.routing;

import dev.ferry.request.protocol.AppName;
import dev.ferry.request.protocol.ContainerSecret;
import dev.ferry.request.protocol.FunctionId;
import dev.ferry.request.protocol.VersionKey;
import java.time.Instant;
import java.util.Objects;

/**
 * A container as the cluster sees it.
 *
 * @param id unique container id
 * @param function the function it serves
 * @param version the app version it runs (see {@link VersionKey#version()})
 * @param worker the id of the worker it runs on; empty while it is {@linkplain #unplaced() unplaced}
 * @param host the address its call server listens on; empty while {@link ContainerState#PENDING}
 * @param port its call server's TCP port; 0 while {@link ContainerState#PENDING}
 * @param state where it is in its life
 * @param maxInputs the most inputs it runs at once
 * @param startedAt when it was placed or, once started, when its process started
 * @param resources what the scheduler set aside for it on its worker
 * @param reason why it is unplaced (no worker fits, a crash back-off) or why it {@link ContainerState#FAILED};
 *     empty otherwise. Gateways and {@code ferry ls} show it.
 * @param socket the name of the Unix domain socket (Linux's abstract namespace) it also listens on, for
 *     gateways on its machine; empty for none. A random name, so no other process can take it first.
 * @param secret what a connection to its call server must open with, made by its worker at its start;
 *     {@link ContainerSecret#NONE} while {@link ContainerState#PENDING}, and in records of containers
 *     from before secrets. For gateways only: it never prints ({@link ContainerSecret#toString()}).
 */
public record ContainerInfo(
        String id,
        FunctionId function,
        String version,
        String worker,
        String host,
        int port,
        ContainerState state,
        int maxInputs,
        Instant startedAt,
        ContainerResources resources,
        String reason,
        String socket,
        ContainerSecret secret) {

    /** A container with no secret (not started, or from before secrets). */
    public ContainerInfo(
            String id,
            FunctionId function,
            String version,
            String worker,
            String host,
            int port,
            ContainerState state,
            int maxInputs,
            Instant startedAt,
            ContainerResources resources,
            String reason,
            String socket) {
        this(
                id,
                function,
                version,
                worker,
                host,
                port,
                state,
                maxInputs,
                startedAt,
                resources,
                reason,
                socket,
                ContainerSecret.NONE);
    }

    /** A container with no local socket. */
    public ContainerInfo(
            String id,
            FunctionId function,
            String version,
            String worker,
            String host,
            int port,
            ContainerState state,
            int maxInputs,
            Instant startedAt,
            ContainerResources resources,
            String reason) {
        this(id, function, version, worker, host, port, state, maxInputs, startedAt, resources, reason, "");
    }

    /** A container with no resources set aside, no reason and no local socket. */
    public ContainerInfo(
            String id,
            FunctionId function,
            String version,
            String worker,
            String host,
            int port,
            ContainerState state,
            int maxInputs,
            Instant startedAt) {
        this(id, function, version, worker, host, port, state, maxInputs, startedAt, ContainerResources.NONE, "");
    }

    public ContainerInfo {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(function, "function");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(worker, "worker");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(resources, "resources");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(socket, "socket");
        Objects.requireNonNull(secret, "secret");
        if (worker.isEmpty() && state != ContainerState.PENDING) {
            throw new IllegalArgumentException(
                    "container " + id + " is " + state + " on no worker (expected: PENDING while unplaced)");
        }
        if (maxInputs <= 0) {
            throw new IllegalArgumentException("maxInputs: " + maxInputs + " (expected: > 0)");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 0-65535)");
        }
    }

    /** A container the controller has placed on {@code worker} but that has not started. */
    public static ContainerInfo pending(String id, DeployedFunction function, String worker, Instant placedAt) {
        return pending(id, function, worker, ContainerResources.NONE, placedAt);
    }

    /** A container the controller has placed on {@code worker}, holding {@code resources} there, not yet started. */
    public static ContainerInfo pending(
            String id, DeployedFunction function, String worker, ContainerResources resources, Instant placedAt) {
        return new ContainerInfo(
                id,
                function.id(),
                function.version(),
                worker,
                "",
                0,
                ContainerState.PENDING,
                function.settings().maxInputs(),
                placedAt,
                resources,
                "");
    }

    /**
     * A container the function needs but no worker runs yet, and {@code reason} why: no worker
     * fits it, or it waits out a crash back-off. The controller places it when it can.
     */
    public static ContainerInfo unplaced(String id, DeployedFunction function, String reason, Instant since) {
        return new ContainerInfo(
                id,
                function.id(),
                function.version(),
                "",
                "",
                0,
                ContainerState.PENDING,
                function.settings().maxInputs(),
                since,
                ContainerResources.NONE,
                reason);
    }

    /** Whether no worker has been given this container yet (see {@link #unplaced}). */
    public boolean unplaced() {
        return worker.isEmpty();
    }

    /**
     * How the reason of an unplaced container begins when it only waits its turn: written a
     * moment ago ({@link #WAITING_FOR_PLACEMENT}), or fitting on workers busy starting others.
     * Any other reason says no worker has room.
     */
    public static final String WAITING = "waiting for ";

    /** The reason of a container the controller wants and has not yet tried to place. */
    public static final String WAITING_FOR_PLACEMENT = WAITING + "placement";

    /** Whether an unplaced container with {@code reason} only waits its turn (see {@link #WAITING}). */
    public static boolean waitsForTurn(String reason) {
        return reason.startsWith(WAITING);
    }

    /**
     * Whether this container is on its way: placed and not yet ready, or unplaced only while it
     * waits its turn. Not one that no worker has room for.
     */
    public boolean onItsWay() {
        return unplaced() ? waitsForTurn(reason) : state == ContainerState.PENDING || state == ContainerState.STARTING;
    }

    /** This container in {@code newState}. */
    public ContainerInfo withState(ContainerState newState) {
        return new ContainerInfo(
                id, function, version, worker, host, port, newState, maxInputs, startedAt, resources, reason, socket,
                secret);
    }

    /** This container with {@code newReason}. */
    public ContainerInfo withReason(String newReason) {
        return new ContainerInfo(
                id, function, version, worker, host, port, state, maxInputs, startedAt, resources, newReason, socket,
                secret);
    }

    /** This unplaced container, now placed on {@code worker} with {@code resources} at {@code at}. */
    public ContainerInfo placedOn(String newWorker, ContainerResources newResources, Instant at) {
        return new ContainerInfo(
                id, function, version, newWorker, "", 0, ContainerState.PENDING, maxInputs, at, newResources, "");
    }

    /** The app of {@link #function}. */
    public AppName app() {
        return function.app();
    }

    /** The function version it runs: the key of its version's back-off, demand and scaling. */
    public VersionKey versionKey() {
        return VersionKey.of(function, version);
    }
}
