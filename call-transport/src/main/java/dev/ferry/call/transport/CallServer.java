package dev.ferry.call.transport;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A container's listening socket for gateway connections: each call on them goes to the
 * acceptor. Its event loops are its own: a few, since a container's work runs on its inputs'
 * threads, not on these.
 */
public final class CallServer implements AutoCloseable {

    private final EventLoopGroup loops;
    private final Channel listener;
    private final ChannelGroup connections;
    private final InetSocketAddress address;

    private CallServer(EventLoopGroup loops, Channel listener, ChannelGroup connections) {
        this.loops = loops;
        this.listener = listener;
        this.connections = connections;
        this.address = (InetSocketAddress) listener.localAddress();
    }

    /**
     * Listens on {@code host:port} (0: any free port).
     *
     * @throws IOException when it cannot bind
     */
    public static CallServer start(String host, int port, CallAcceptor acceptor) throws IOException {
        int threads = Math.clamp(Runtime.getRuntime().availableProcessors(), 1, 4);
        EventLoopGroup loops = new MultiThreadIoEventLoopGroup(
                threads, new DefaultThreadFactory("ferry-calls", true), Transport.ioHandlerFactory());
        ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
        try {
            Channel listener = new ServerBootstrap()
                    .group(loops)
                    .channel(Transport.serverChannel())
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            connections.add(ch);
                            ch.pipeline().addLast(new Frames.Decoder(), new ServerConnection(acceptor));
                        }
                    })
                    .bind(new InetSocketAddress(host, port))
                    .syncUninterruptibly()
                    .channel();
            return new CallServer(loops, listener, connections);
        } catch (RuntimeException e) {
            loops.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException("cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }

    public InetSocketAddress address() {
        return address;
    }

    public int port() {
        return address.getPort();
    }

    /** Takes no new connections; those open go on. */
    public void stopAccepting() {
        listener.close().syncUninterruptibly();
    }

    /** Closes every connection (their calls are cancelled) and stops the loops, waiting at most {@code wait}. */
    public void close(Duration wait) {
        listener.close();
        connections.close().awaitUninterruptibly(wait.toMillis());
        loops.shutdownGracefully(0, wait.toMillis(), TimeUnit.MILLISECONDS).awaitUninterruptibly(wait.toMillis());
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(2));
    }

    /** Blocks until the server has been closed. */
    public void awaitTermination() throws InterruptedException {
        loops.terminationFuture().await();
    }
}
