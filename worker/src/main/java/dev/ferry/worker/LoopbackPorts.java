package dev.ferry.worker;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;

/** Finds free TCP ports for containers to bind: on 127.0.0.1 unless the worker was given another address. */
final class LoopbackPorts {

    /**
     * 127.0.0.1 itself, not {@link InetAddress#getLoopbackAddress()}, which may be ::1: the
     * container binds 127.0.0.1.
     */
    static final InetAddress LOOPBACK;

    static {
        try {
            LOOPBACK = InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private LoopbackPorts() {}

    /**
     * A port that was free a moment ago: binds port 0, reads the port the system chose and
     * releases it. Another process may take it before the container binds it; the container
     * then fails to start with the reason on stderr, and the caller may start another.
     */
    static int pick(InetAddress host) throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(host, 0), 1);
            return socket.getLocalPort();
        }
    }
}
