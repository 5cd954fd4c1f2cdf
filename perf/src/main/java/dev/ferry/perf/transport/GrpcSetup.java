package dev.ferry.perf.transport;

import dev.ferry.call.transport.Transport;
import io.grpc.BindableService;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The gRPC server and channel as Ferry configured them before call-transport (ContainerMain and
 * the gateway's ContainerChannels): direct executors, a fixed 1 MiB HTTP/2 window (no BDP
 * pings), no retries, 8 MiB messages; here each on a single-thread loop of the process's
 * transport.
 */
final class GrpcSetup {

    static final int FLOW_CONTROL_WINDOW = 1024 * 1024;
    static final int MAX_MESSAGE = 8 * 1024 * 1024;

    private GrpcSetup() {}

    static Server server(BindableService service, EventLoopGroup boss, EventLoopGroup worker) throws IOException {
        return NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .bossEventLoopGroup(boss)
                .workerEventLoopGroup(worker)
                .channelType(Transport.serverChannel())
                .directExecutor()
                .maxInboundMessageSize(MAX_MESSAGE)
                .flowControlWindow(FLOW_CONTROL_WINDOW)
                .addService(service)
                .build()
                .start();
    }

    static ManagedChannel channel(int port, EventLoopGroup loop) {
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port)
                .usePlaintext()
                .eventLoopGroup(loop)
                .channelType(Transport.socketChannel())
                .directExecutor()
                .maxInboundMessageSize(MAX_MESSAGE)
                .flowControlWindow(FLOW_CONTROL_WINDOW)
                .disableRetry()
                .build();
        channel.getState(true); // connect now
        return channel;
    }

    static void close(ManagedChannel channel, Server server) {
        channel.shutdownNow();
        server.shutdownNow();
        try {
            channel.awaitTermination(5, TimeUnit.SECONDS);
            server.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
