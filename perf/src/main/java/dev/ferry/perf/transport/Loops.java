package dev.ferry.perf.transport;

import dev.ferry.call.transport.Transport;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.TimeUnit;

/** The benchmark's event loops: one thread each, of the process's transport (epoll where there is one). */
final class Loops {

    private Loops() {}

    static EventLoopGroup single(String name) {
        return new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory(name, true), Transport.ioHandlerFactory());
    }

    static void shutdown(EventLoopGroup... groups) {
        for (EventLoopGroup group : groups) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        }
        for (EventLoopGroup group : groups) {
            group.terminationFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }
}
