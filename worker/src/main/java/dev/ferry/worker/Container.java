package dev.ferry.worker;

import dev.ferry.request.protocol.ContainerSecret;
import dev.ferry.request.protocol.FunctionId;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;

/**
 * One container: a child JVM process, in the worker's {@link Sandbox}, that runs one function
 * and serves its calls (ferry-call-transport) on a loopback port. Made by {@link Worker#start(ContainerSpec)}; do not implement it
 * elsewhere (in tests, start a real container instead).
 *
 * <p>Thread-safe. No method blocks; the futures complete on the worker's threads, so
 * callbacks attached to them should not block either.
 */
public interface Container {

    /** This container's id: {@code ct-} and 8 base32 characters, unique within its worker. */
    String id();

    /** What this container runs. */
    ContainerSpec spec();

    /** The function id {@code <app>--<function>} this container serves. */
    default FunctionId function() {
        return spec().function();
    }

    /** The TCP port the container serves calls on. */
    int port();

    /** The address to call the container at: the worker's container host (127.0.0.1 by default) and {@link #port()}. */
    InetSocketAddress address();

    /**
     * The name of the Unix domain socket (Linux's abstract namespace) the container also serves
     * calls on, for gateways on this machine, where its JVM has Netty's epoll; a gateway that
     * cannot connect to it uses {@link #address()}. Unguessable: derived from the container's
     * ready token. Under {@link ContainerNetwork#NONE} a path instead (it starts with {@code /}):
     * the socket file the container listens on, its only socket reachable from outside.
     */
    String localSocket();

    /**
     * What every connection to the container's call server must open with: made by the worker
     * for this container alone, handed to it in its environment and published to gateways in its
     * routing record. Never printed.
     */
    ContainerSecret secret();

    /**
     * The operating system's id of the process the worker launched: the container's JVM
     * under the {@code process} sandbox, the {@code bwrap} or {@code runc} process around it
     * under the others (the JVM is among its descendants). It is gone once the container has
     * exited.
     */
    long pid();

    /** The current state; may change right after it is read. */
    ContainerState state();

    /** When the worker launched the process. */
    Instant startedAt();

    /** The process's exit code once {@link ContainerState#EXITED}, else empty. */
    OptionalInt exitCode();

    /**
     * How and why the container ended, once {@link ContainerState#EXITED} (listeners hearing
     * EXITED find it set), else empty.
     */
    Optional<ContainerExit> exit();

    /**
     * Stops the container gracefully: sends SIGTERM, so that it finishes the calls in flight,
     * runs its stop hooks and exits; if it has not exited after the worker's stop grace, it
     * and its own child processes get SIGKILL. A container stopped while
     * {@link ContainerState#STARTING} fails its start. Calling it again, or on a container
     * that has exited, only returns the future.
     *
     * @return completes with the exit code once the process has exited (0 after a clean stop)
     */
    CompletableFuture<Integer> stop();

    /**
     * Stops the container like {@link #stop()}, but lets it take {@code drain} more than the
     * worker's stop grace before SIGKILL: the time its calls in flight may still need (a
     * function's timeout), so a scale-down drains a long stream instead of cutting it.
     */
    CompletableFuture<Integer> stop(java.time.Duration drain);

    /**
     * Kills the container and its own child processes now (SIGKILL), as a crash would. The
     * container moves to {@link ContainerState#EXITED} without passing
     * {@link ContainerState#STOPPING}.
     *
     * @return completes with the exit code once the process has exited (137 on Linux)
     */
    CompletableFuture<Integer> kill();

    /**
     * Completes with the exit code when the process has exited, however that came about. Never
     * completes exceptionally. Listeners hear {@link ContainerState#EXITED} on their own
     * schedule, usually before. Each call returns a new future: completing or cancelling it does
     * not affect the container.
     */
    CompletableFuture<Integer> exited();
}
