package dev.ferry.gateway;

import dev.ferry.routing.ContainerInfo;
import dev.ferry.routing.ContainerState;
import dev.ferry.routing.RoutingListener;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The gateway's live view of containers: one {@link FunctionPool} per function version and
 * one long-lived gRPC channel per ready container, kept in step with the routing store.
 *
 * <p>Channels run on the gateway's own event loops, so a call's client socket and its gRPC
 * stream are served by the same threads without hand-offs. Thread-safe.
 */
final class FunctionPools implements RoutingListener {

    private final EventLoopGroup eventLoops;
    private final int maxQueued;
    private final Clock clock;
    private final Map<String, FunctionPool> pools = new ConcurrentHashMap<>();
    private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();

    FunctionPools(EventLoopGroup eventLoops, int maxQueued, Clock clock) {
        this.eventLoops = eventLoops;
        this.maxQueued = maxQueued;
        this.clock = clock;
    }

    FunctionPool pool(String function, String version) {
        return pools.computeIfAbsent(key(function, version), k -> new FunctionPool(function, version, maxQueued, clock));
    }

    void rejectWaiting(String function, String version, String reason) {
        FunctionPool pool = pools.get(key(function, version));
        if (pool != null) {
            pool.rejectWaiting(reason);
        }
    }

    List<FunctionDemand> demand() {
        List<FunctionDemand> all = new ArrayList<>();
        pools.values().forEach(p -> all.add(p.demand()));
        return all;
    }

    @Override
    public void containerUpdated(ContainerInfo container) {
        FunctionPool pool = pool(container.function(), container.version());
        if (container.state() == ContainerState.READY) {
            ManagedChannel channel = channels.computeIfAbsent(container.id(), id -> open(container));
            pool.addContainer(container, channel);
        } else if (container.state() == ContainerState.STOPPING) {
            pool.removeContainer(container.id());
        }
    }

    @Override
    public void containerRemoved(ContainerInfo container) {
        pool(container.function(), container.version()).removeContainer(container.id());
        ManagedChannel channel = channels.remove(container.id());
        if (channel != null) {
            channel.shutdown(); // calls in flight end on their own: the process is gone
        }
    }

    void close() throws InterruptedException {
        for (ManagedChannel channel : channels.values()) {
            channel.shutdownNow();
        }
        for (ManagedChannel channel : channels.values()) {
            channel.awaitTermination(5, TimeUnit.SECONDS);
        }
        channels.clear();
    }

    private ManagedChannel open(ContainerInfo container) {
        ManagedChannel channel = NettyChannelBuilder.forAddress(container.host(), container.port())
                .usePlaintext()
                .eventLoopGroup(eventLoops)
                .channelType(NioSocketChannel.class)
                .directExecutor() // every call sets its own executor: its client's event loop
                .maxInboundMessageSize(8 * 1024 * 1024)
                .build();
        channel.getState(true); // connect now, so the first call does not pay for it
        return channel;
    }

    private static String key(String function, String version) {
        return function + '@' + version;
    }
}
