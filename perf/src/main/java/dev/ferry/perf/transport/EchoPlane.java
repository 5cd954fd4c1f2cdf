package dev.ferry.perf.transport;

import io.netty.channel.EventLoop;

/**
 * One design of the gateway ↔ container data plane, both ends in this process over loopback
 * TCP: a container that answers {@link EchoCall}s on its event loop, and a gateway's connection
 * to it, served by a single-thread event loop of its own.
 */
public interface EchoPlane extends AutoCloseable {

    /** The gateway's event loop: {@link #call} runs on it only, and {@link EchoCall.Done} hears there. */
    EventLoop clientLoop();

    /** Starts echo call number {@code n}. On {@link #clientLoop()} only. */
    void call(long n, EchoCall.Done done);

    /** Closes the connection, the server and the loops. */
    @Override
    void close();
}
