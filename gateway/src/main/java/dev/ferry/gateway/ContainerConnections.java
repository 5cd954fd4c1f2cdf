package dev.ferry.gateway;

import dev.ferry.call.transport.CallConnection;
import dev.ferry.call.transport.Transport;
import dev.ferry.request.protocol.ContainerSecret;
import dev.ferry.routing.ContainerInfo;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The connections to one container: one per gateway event loop, each served by its loop, each
 * carrying all of that loop's calls to the container at once.
 *
 * <p>A container on this machine (one whose address is a loopback address, which only this
 * machine can reach) that names a local socket is called over that Unix domain socket, where this
 * gateway's transport has them: no TCP/IP stack between the two. A connection that cannot reach
 * it there (a container on NIO) falls back to the TCP address. A container with a network of
 * its own ({@code network none}) names a socket file instead (a path): it is called there only,
 * which only a gateway on its machine can.
 *
 * <p>Each connection opens with the container's secret from its record
 * ({@link ContainerInfo#secret()}), which the container requires before it takes a call.
 *
 * <p>A call made from a client connection's loop goes out on that loop's connection, so the
 * client socket, the call and the container connection are all served by one thread: no
 * hand-off between threads and no selector wake-ups per message. Thread-safe (immutable after
 * construction).
 */
final class ContainerConnections {

    private final Map<EventExecutor, CallConnection> byLoop = new IdentityHashMap<>();
    private final String host;
    private final int port;
    private final String socket;
    private final ContainerSecret secret;

    /** Connects now, from every loop, so that the first call does not wait for it. */
    ContainerConnections(ContainerInfo container, EventLoopGroup eventLoops) {
        this.host = container.host();
        this.port = container.port();
        this.socket = container.socket();
        this.secret = container.secret();
        InetSocketAddress address = new InetSocketAddress(container.host(), container.port());
        Optional<SocketAddress> local = localSocket(container, address);
        // A socket file is all a container with a network of its own can be called on: its TCP
        // port is in its namespace, and the same port here may be anything else's.
        boolean only = local.isPresent() && Transport.isSocketPath(container.socket());
        for (EventExecutor loop : eventLoops) {
            byLoop.put(
                    loop,
                    only
                            ? CallConnection.open((EventLoop) loop, local.get(), secret)
                            : local.isPresent()
                                    ? CallConnection.open((EventLoop) loop, local.get(), address, secret)
                                    : CallConnection.open((EventLoop) loop, address, secret));
        }
    }

    /** The container's local socket, when it has one this gateway can use. */
    static Optional<SocketAddress> localSocket(ContainerInfo container, InetSocketAddress address) {
        if (Transport.isSocketPath(container.socket())) {
            // Whatever its host address: the file is on the container's machine, and this gateway
            // can call it only if it runs there too.
            try {
                return Transport.localSocket(container.socket());
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
        }
        if (container.socket().isEmpty()
                || address.isUnresolved()
                || !address.getAddress().isLoopbackAddress()) {
            return Optional.empty();
        }
        try {
            return Transport.localSocket(container.socket());
        } catch (IllegalArgumentException e) {
            return Optional.empty(); // a name no socket can have: TCP it is
        }
    }

    /** The connection that runs on {@code loop}. */
    CallConnection on(EventExecutor loop) {
        CallConnection connection = byLoop.get(loop);
        if (connection == null) {
            throw new IllegalArgumentException("loop: " + loop + " (expected: one of the gateway's event loops)");
        }
        return connection;
    }

    /**
     * Whether these connections, opened while {@code container} started, can serve it now that
     * it is ready: same address and secret, and none failed to connect (a fresh JVM binds its port late; a
     * call on a connection that found it closed would connect again on its own, but only after
     * the failure was reported to the calls waiting on it).
     */
    boolean usableFor(ContainerInfo container) {
        if (!host.equals(container.host())
                || port != container.port()
                || !socket.equals(container.socket())
                || !secret.equals(container.secret())) {
            return false;
        }
        for (CallConnection connection : byLoop.values()) {
            if (connection.failed()) {
                return false;
            }
        }
        return true;
    }

    /** Lets calls in flight end on their own, then closes; new calls fail. */
    void shutdown() {
        byLoop.values().forEach(CallConnection::shutdown);
    }

    /** Closes now: calls in flight end as lost. */
    void close() {
        byLoop.values().forEach(CallConnection::close);
    }
}
