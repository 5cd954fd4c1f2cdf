package dev.ferry.function.runtime;

import io.grpc.Server;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A container's call service with the runtime's built-in warm-up functions (those a pool member
 * serves before its assignment: {@link WarmUp#FUNCTION}), in the caller's process, on a free
 * loopback port: a target for a gateway that warms up its own request path before its first
 * real request, without a container of anyone's.
 */
public final class WarmUpServer implements AutoCloseable {

    private final ScheduledExecutorService timer;
    private final Server server;
    private final InetSocketAddress address;

    private WarmUpServer(ScheduledExecutorService timer, Server server, InetSocketAddress address) {
        this.timer = timer;
        this.server = server;
        this.address = address;
    }

    /**
     * Starts one on {@code host}, a loopback address.
     *
     * @throws IOException when it cannot bind
     */
    public static WarmUpServer start(String host) throws IOException {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("ferry-warm-up-timer").daemon().factory());
        try {
            Server server = ContainerMain.startServer(host, 0, new CallRouter(WarmUp.services(timer)));
            return new WarmUpServer(timer, server, new InetSocketAddress(host, server.getPort()));
        } catch (IOException | RuntimeException e) {
            timer.shutdownNow();
            throw e;
        }
    }

    /** Where it listens. */
    public InetSocketAddress address() {
        return address;
    }

    /** The function id its calls must name, {@code <app>--<function>}. */
    public static String function() {
        return WarmUp.FUNCTION.toString();
    }

    /** Stops it; calls still running are cut off. */
    @Override
    public void close() {
        server.shutdownNow();
        try {
            server.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            timer.shutdownNow();
        }
    }
}
