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
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A container's listening sockets for gateway connections: each call on them goes to the
 * acceptor. One TCP socket, for gateways anywhere; optionally a Unix domain socket too
 * ({@link Transport#localSocket}), for a gateway on the same machine. Its event loops are its
 * own: a few, since a container's work runs on its inputs' threads, not on these.
 */
public final class CallServer implements AutoCloseable {

    private final EventLoopGroup loops;
    private final Channel listener;
    /** The Unix domain socket's listener; null without one. */
    private final Channel localListener;

    private final ChannelGroup connections;
    private final InetSocketAddress address;

    private CallServer(EventLoopGroup loops, Channel listener, Channel localListener, ChannelGroup connections) {
        this.loops = loops;
        this.listener = listener;
        this.localListener = localListener;
        this.connections = connections;
        this.address = (InetSocketAddress) listener.localAddress();
    }

    /**
     * Listens on {@code host:port} (0: any free port).
     *
     * @throws IOException when it cannot bind
     */
    public static CallServer start(String host, int port, CallAcceptor acceptor) throws IOException {
        return start(host, port, "", acceptor);
    }

    /**
     * Listens on {@code host:port} (0: any free port) and, where the transport has them, on the
     * Unix domain socket {@code localName} ({@link Transport#localSocket}; empty for none).
     *
     * @throws IOException when it cannot bind one of them, for instance because another process
     *     holds {@code localName}
     */
    public static CallServer start(String host, int port, String localName, CallAcceptor acceptor) throws IOException {
        Optional<SocketAddress> local = localName.isEmpty() ? Optional.empty() : Transport.localSocket(localName);
        if (local.isEmpty() && Transport.isSocketPath(localName)) {
            // Its only reachable socket (a container with a network of its own): no serving without it.
            throw new IOException(
                    "cannot listen on unix:" + localName + ": needs the epoll transport, here " + Transport.describe());
        }
        int threads = Math.clamp(Runtime.getRuntime().availableProcessors(), 1, 4);
        EventLoopGroup loops = new MultiThreadIoEventLoopGroup(
                threads, new DefaultThreadFactory("ferry-calls", true), Transport.ioHandlerFactory());
        ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
        ChannelInitializer<Channel> connection = new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                connections.add(ch);
                ch.pipeline().addLast(new Frames.Decoder(), new ServerConnection(acceptor));
            }
        };
        Channel listener = null;
        Channel localListener = null;
        SocketAddress binding = null;
        try {
            // The local socket first: a gateway that reaches the TCP port then finds it there too,
            // rather than falling back to TCP for good.
            if (local.isPresent()) {
                binding = local.get();
                localListener = new ServerBootstrap()
                        .group(loops)
                        .channel(Transport.serverChannel(binding))
                        .childHandler(connection)
                        .bind(binding)
                        .syncUninterruptibly()
                        .channel();
            }
            binding = new InetSocketAddress(host, port);
            listener = new ServerBootstrap()
                    .group(loops)
                    .channel(Transport.serverChannel())
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(connection)
                    .bind(binding)
                    .syncUninterruptibly()
                    .channel();
            return new CallServer(loops, listener, localListener, connections);
        } catch (Exception e) { // Netty rethrows a failed bind's IOException unchecked
            if (localListener != null) {
                localListener.close().awaitUninterruptibly();
            }
            loops.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw new IOException("cannot listen on " + Transport.describe(binding) + ": " + e.getMessage(), e);
        }
    }

    public InetSocketAddress address() {
        return address;
    }

    /** The Unix domain socket it also listens on, if any. */
    public Optional<SocketAddress> localAddress() {
        return Optional.ofNullable(localListener).map(Channel::localAddress);
    }

    public int port() {
        return address.getPort();
    }

    /** Takes no new connections; those open go on. */
    public void stopAccepting() {
        listener.close().syncUninterruptibly();
        if (localListener != null) {
            localListener.close().syncUninterruptibly();
        }
    }

    /** Closes every connection (their calls are cancelled) and stops the loops, waiting at most {@code wait}. */
    public void close(Duration wait) {
        listener.close();
        if (localListener != null) {
            localListener.close();
        }
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
