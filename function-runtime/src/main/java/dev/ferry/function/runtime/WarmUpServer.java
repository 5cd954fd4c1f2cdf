package dev.ferry.function.runtime;

import dev.ferry.call.transport.CallServer;
import dev.ferry.request.protocol.ContainerSecret;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * A container's call service with the runtime's built-in warm-up functions (those a pool member
 * serves before its assignment: {@link WarmUp#FUNCTION}), in the caller's process, on a free
 * loopback port: a target for a gateway that warms up its own request path before its first
 * real request, without a container of anyone's.
 */
public final class WarmUpServer implements AutoCloseable {

    private final ScheduledExecutorService timer;
    private final CallServer server;
    private final ContainerSecret secret;

    private WarmUpServer(ScheduledExecutorService timer, CallServer server, ContainerSecret secret) {
        this.timer = timer;
        this.server = server;
        this.secret = secret;
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
            ContainerSecret secret = ContainerSecret.generate();
            CallServer server = ContainerMain.startServer(host, 0, "", secret, new CallRouter(WarmUp.services(timer)));
            return new WarmUpServer(timer, server, secret);
        } catch (IOException | RuntimeException e) {
            timer.shutdownNow();
            throw e;
        }
    }

    /** Where it listens. */
    public InetSocketAddress address() {
        return server.address();
    }

    /** What connections to it must open with, as with any container: a secret of its own. */
    public ContainerSecret secret() {
        return secret;
    }

    /** The function id its calls must name, {@code <app>--<function>}. */
    public static String function() {
        return WarmUp.FUNCTION.toString();
    }

    /** Stops it; calls still running are cut off. */
    @Override
    public void close() {
        try {
            server.close(Duration.ofSeconds(2));
        } finally {
            timer.shutdownNow();
        }
    }
}
