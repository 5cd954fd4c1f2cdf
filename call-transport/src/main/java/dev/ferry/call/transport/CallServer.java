package dev.ferry.call.transport;

import dev.ferry.request.protocol.ContainerSecret;
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
 *
 * <p>It serves gateways only: every connection must open with the container's secret (a
 * {@code ConnectionOpen} frame, {@link CallConnection} sends it) within
 * {@link #HANDSHAKE_TIMEOUT}, before it acts on any other frame; anything else is refused and
 * closed, and reaches no acceptor ({@link ConnectionOpenHandler}).
 */
public final class CallServer implements AutoCloseable {

    /** How long a new connection has to open with the secret before it is closed. */
    public static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(5);

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
     * Listens on {@code host:port} (0: any free port) for connections that open with {@code secret}.
     *
     * @throws IOException when it cannot bind
     */
    public static CallServer start(String host, int port, ContainerSecret secret, CallAcceptor acceptor)
            throws IOException {
        return start(host, port, "", secret, acceptor);
    }

    /**
     * Listens on {@code host:port} (0: any free port) and, where the transport has them, on the
     * Unix domain socket {@code localName} ({@link Transport#localSocket}; empty for none), for
     * connections that open with {@code secret}.
     *
     * @throws IOException when it cannot bind one of them, for instance because another process
     *     holds {@code localName}
     */
    public static CallServer start(
            String host, int port, String localName, ContainerSecret secret, CallAcceptor acceptor) throws IOException {
        return start(host, port, localName, secret, HANDSHAKE_TIMEOUT, acceptor);
    }

    /** As {@link #start(String, int, String, ContainerSecret, CallAcceptor)}, with another handshake timeout (tests). */
    static CallServer start(
            String host,
            int port,
            String localName,
            ContainerSecret secret,
            Duration handshakeTimeout,
            CallAcceptor acceptor)
            throws IOException {
        if (secret.isNone()) {
            throw new IllegalArgumentException("secret: none (expected: the container's secret)");
        }
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
                Frames.Decoder decoder = new Frames.Decoder(Frames.MAX_UNAUTHENTICATED_FRAME);
                ch.pipeline()
                        .addLast(
                                decoder,
                                new ConnectionOpenHandler(secret, handshakeTimeout, decoder),
                                new ServerConnection(acceptor));
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
