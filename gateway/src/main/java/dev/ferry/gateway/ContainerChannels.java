package dev.ferry.gateway;

import dev.ferry.routing.ContainerInfo;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The gRPC channels to one container: one per gateway event loop, each running on its loop.
 *
 * <p>A call made from a client connection's loop goes out on that loop's channel, so the
 * client socket, the call's callbacks and the container connection are all served by one
 * thread: no hand-off between threads and no selector wake-ups per message, which is most
 * of the cost of a proxied call otherwise. Thread-safe (immutable after construction).
 */
final class ContainerChannels {

    /** Per-stream HTTP/2 window: bytes in flight per call before the receiver must ask for more. */
    static final int FLOW_CONTROL_WINDOW = 1024 * 1024;

    private final Map<EventExecutor, ManagedChannel> byLoop = new IdentityHashMap<>();
    private final String host;
    private final int port;

    ContainerChannels(ContainerInfo container, EventLoopGroup eventLoops) {
        this.host = container.host();
        this.port = container.port();
        for (EventExecutor loop : eventLoops) {
            ManagedChannel channel = NettyChannelBuilder.forAddress(container.host(), container.port())
                    .usePlaintext()
                    .eventLoopGroup((EventLoop) loop)
                    .channelType(Transport.socketChannel())
                    .directExecutor() // every call sets its own executor: its client's event loop
                    .maxInboundMessageSize(8 * 1024 * 1024)
                    // A fixed window: BDP auto-tuning pings on every read, which loopback does not need.
                    .flowControlWindow(FLOW_CONTROL_WINDOW)
                    // No transparent retries: they buffer every message of every call until it
                    // commits, and a call must never reach a function twice.
                    .disableRetry()
                    .build();
            channel.getState(true); // connect now, so the first call does not pay for it
            byLoop.put(loop, channel);
        }
    }

    /** The channel that runs on {@code loop}. */
    ManagedChannel on(EventExecutor loop) {
        ManagedChannel channel = byLoop.get(loop);
        if (channel == null) {
            throw new IllegalArgumentException("loop: " + loop + " (expected: one of the gateway's event loops)");
        }
        return channel;
    }

    /**
     * Whether these channels, opened while {@code container} started, can serve it now that it
     * is ready: same address, and no channel failed to connect (a fresh JVM binds its port late;
     * a channel that found it closed waits out a back-off, which a call must not wait for).
     */
    boolean usableFor(ContainerInfo container) {
        if (!host.equals(container.host()) || port != container.port()) {
            return false;
        }
        for (ManagedChannel channel : byLoop.values()) {
            ConnectivityState state = channel.getState(false);
            if (state == ConnectivityState.TRANSIENT_FAILURE || state == ConnectivityState.SHUTDOWN) {
                return false;
            }
        }
        return true;
    }

    /** Lets calls in flight end on their own; new calls fail. */
    void shutdown() {
        byLoop.values().forEach(ManagedChannel::shutdown);
    }

    void shutdownNow(long timeout, TimeUnit unit) throws InterruptedException {
        byLoop.values().forEach(ManagedChannel::shutdownNow);
        for (ManagedChannel channel : byLoop.values()) {
            channel.awaitTermination(timeout, unit);
        }
    }
}
