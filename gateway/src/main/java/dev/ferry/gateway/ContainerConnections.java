package dev.ferry.gateway;

import dev.ferry.call.transport.CallConnection;
import dev.ferry.routing.ContainerInfo;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.net.InetSocketAddress;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The connections to one container: one per gateway event loop, each served by its loop, each
 * carrying all of that loop's calls to the container at once.
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

    /** Connects now, from every loop, so that the first call does not wait for it. */
    ContainerConnections(ContainerInfo container, EventLoopGroup eventLoops) {
        this.host = container.host();
        this.port = container.port();
        InetSocketAddress address = new InetSocketAddress(container.host(), container.port());
        for (EventExecutor loop : eventLoops) {
            byLoop.put(loop, CallConnection.open((EventLoop) loop, address));
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
     * it is ready: same address, and none failed to connect (a fresh JVM binds its port late; a
     * call on a connection that found it closed would connect again on its own, but only after
     * the failure was reported to the calls waiting on it).
     */
    boolean usableFor(ContainerInfo container) {
        if (!host.equals(container.host()) || port != container.port()) {
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
