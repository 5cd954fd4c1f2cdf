package dev.ferry.call.transport;

import io.netty.channel.Channel;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The socket transport of a process's event loops, gateway and container alike: native epoll
 * where Netty has it (Linux x86_64: fewer system calls per request), else NIO. Chosen once per
 * process, when this class loads.
 *
 * <p>With epoll, a caller and a container on one machine may also talk over a Unix domain socket
 * in Linux's abstract namespace ({@link #localSocket}): no TCP/IP stack between them, and no file
 * to create, clean up or mount into a sandbox. Abstract names live in the network namespace, as
 * loopback ports do, so whoever can reach a container's loopback port can reach its socket.
 */
public final class Transport {

    /** Whether the native epoll transport is in use. */
    public static final boolean EPOLL = Epoll.isAvailable();

    private Transport() {}

    /** What was chosen, and why when it is NIO, for the process's start-up line. */
    public static String describe() {
        return EPOLL ? "epoll" : "nio (epoll unavailable: " + Epoll.unavailabilityCause() + ")";
    }

    public static IoHandlerFactory ioHandlerFactory() {
        return EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    }

    public static Class<? extends ServerChannel> serverChannel() {
        return EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    public static Class<? extends SocketChannel> socketChannel() {
        return EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    /**
     * Whether {@link #localSocket} gives addresses here: with epoll. (NIO has Unix domain sockets
     * too, but only with file names.)
     */
    public static final boolean LOCAL_SOCKETS = EPOLL;

    /** The longest {@link #localSocket} name: {@code sun_path} is 108 bytes, one of them the leading NUL. */
    public static final int MAX_LOCAL_NAME = 107;

    /**
     * The address of the Unix domain socket {@code name} in the abstract namespace, where
     * {@link #LOCAL_SOCKETS}; empty elsewhere. A name that starts with {@code /} is a path
     * instead: a socket file, which unlike an abstract name does not belong to a network
     * namespace, so that a container with a network of its own can still be called from its
     * machine (only from there: only that machine has the file).
     *
     * @throws IllegalArgumentException when {@code name} is empty, longer than
     *     {@value #MAX_LOCAL_NAME} bytes in UTF-8, or holds a NUL
     */
    public static Optional<SocketAddress> localSocket(String name) {
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (bytes == 0 || bytes > MAX_LOCAL_NAME || name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(
                    "local socket name: \"" + name + "\" (expected: 1-" + MAX_LOCAL_NAME + " bytes of UTF-8, no NUL)");
        }
        if (!LOCAL_SOCKETS) {
            return Optional.empty();
        }
        return Optional.of(new DomainSocketAddress(isSocketPath(name) ? name : "\0" + name));
    }

    /** Whether the local socket {@code name} is a path (a socket file) rather than an abstract name. */
    public static boolean isSocketPath(String name) {
        return name.startsWith("/");
    }

    /** Whether {@code address} is a {@link #localSocket} (rather than TCP). */
    public static boolean isLocalSocket(SocketAddress address) {
        return address instanceof DomainSocketAddress;
    }

    /** The server channel for listening on {@code address}: TCP or a {@link #localSocket}. */
    static Class<? extends ServerChannel> serverChannel(SocketAddress address) {
        return isLocalSocket(address) ? EpollServerDomainSocketChannel.class : serverChannel();
    }

    /** The channel for connecting to {@code address}: TCP or a {@link #localSocket}. */
    static Class<? extends Channel> socketChannel(SocketAddress address) {
        return isLocalSocket(address) ? EpollDomainSocketChannel.class : socketChannel();
    }

    /** How logs and errors name {@code address}: a local socket as {@code unix:@NAME}. */
    public static String describe(SocketAddress address) {
        if (address instanceof DomainSocketAddress local) {
            String path = local.path();
            return "unix:" + (path.startsWith("\0") ? "@" + path.substring(1) : path);
        }
        return String.valueOf(address);
    }

    public static Class<? extends DatagramChannel> datagramChannel() {
        return EPOLL ? EpollDatagramChannel.class : NioDatagramChannel.class;
    }
}
