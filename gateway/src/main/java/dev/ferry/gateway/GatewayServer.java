package dev.ferry.gateway;

import dev.ferry.routing.RoutingStore;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Ferry's edge: an HTTP/1.1 and cleartext HTTP/2 (h2c) server that routes each request by Host
 * ({@code <app>--<function>.<domain>}) to a ready container of that function and streams
 * it there as a function call.
 *
 * <p>Start with {@link #builder()}; {@link #close()} stops accepting, closes connections and
 * the container channels. Thread-safe.
 */
public final class GatewayServer implements AutoCloseable {

    private final Builder settings;
    private final EventLoopGroup bossGroup;
    private final EventLoopGroup workerGroup;
    private final FunctionPools pools;
    private final Channel serverChannel;

    private GatewayServer(Builder b) throws InterruptedException {
        this.settings = b;
        this.bossGroup = new MultiThreadIoEventLoopGroup(1, Transport.ioHandlerFactory());
        this.workerGroup = new MultiThreadIoEventLoopGroup(b.eventLoopThreads, Transport.ioHandlerFactory());
        this.pools = new FunctionPools(workerGroup, b.maxQueuedPerFunction, b.clock);
        GatewayConfig config = new GatewayConfig(b.domain, b.queueTimeout, DEADLINE_GRACE, b.clock, b.scaleUp);
        b.store.subscribe(pools);
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(bossGroup, workerGroup)
                .channel(Transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new CleartextInitializer(new Handlers(config, b.store, pools)));
        try {
            this.serverChannel = bootstrap.bind(b.host, b.port).sync().channel();
        } catch (RuntimeException | InterruptedException e) {
            shutdownGroups();
            throw e;
        }
    }

    /** Makes the handler that runs the requests of one HTTP/1.1 connection or one HTTP/2 stream. */
    record Handlers(GatewayConfig config, RoutingStore store, FunctionPools pools) {
        HttpConnectionHandler http1(String scheme) {
            return new HttpConnectionHandler(config, store, pools, scheme, null);
        }

        HttpConnectionHandler http2Stream(String scheme) {
            return new HttpConnectionHandler(config, store, pools, scheme, "2");
        }
    }

    /** The gRPC deadline allows this much beyond the function's timeout, so the container's own 504 wins. */
    static final Duration DEADLINE_GRACE = Duration.ofSeconds(5);
    static final int MAX_INITIAL_LINE = 8 * 1024;
    static final int MAX_HEADER_SIZE = 16 * 1024;
    /** Request body pieces are cut at this size; bigger pieces mean fewer messages per upload. */
    static final int MAX_CHUNK_SIZE = 64 * 1024;

    public static Builder builder() {
        return new Builder();
    }

    /** The port the server listens on (useful after binding port 0). */
    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    /** The demand this gateway sees, one entry per function version it has served. */
    public List<FunctionDemand> demand() {
        return pools.demand();
    }

    /**
     * Answers every request waiting for {@code function} at {@code version} with a 503 that
     * gives {@code reason}: used when its container could not start, so clients learn why at
     * once instead of waiting out the queue timeout.
     */
    public void rejectWaiting(String function, String version, String reason) {
        pools.rejectWaiting(function, version, reason);
    }

    @Override
    public void close() throws InterruptedException {
        serverChannel.close().sync();
        pools.close();
        shutdownGroups();
    }

    private void shutdownGroups() throws InterruptedException {
        bossGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        workerGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    /** Builds a {@link GatewayServer}. Not thread-safe. */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port = 8080;
        private String domain = "localhost";
        private RoutingStore store;
        private ScaleUpSignal scaleUp = f -> { };
        private Duration queueTimeout = Duration.ofSeconds(60);
        private int maxQueuedPerFunction = 1024;
        private int eventLoopThreads = 0;
        private Clock clock = Clock.systemUTC();

        private Builder() {}

        /** The address to listen on. Default 127.0.0.1. */
        public Builder host(String host) {
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        /** The TCP port; 0 picks a free one. Default 8080. */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port: " + port + " (expected: 0-65535)");
            }
            this.port = port;
            return this;
        }

        /** The domain under which functions live: {@code <app>--<function>.<domain>}. Default "localhost". */
        public Builder domain(String domain) {
            if (domain == null || domain.isEmpty() || domain.startsWith(".") || domain.endsWith(".")) {
                throw new IllegalArgumentException("domain: " + domain + " (expected: a DNS name like \"localhost\" or \"fn.example.com\")");
            }
            this.domain = domain;
            return this;
        }

        /** Where routes and containers come from. Required. */
        public Builder store(RoutingStore store) {
            this.store = Objects.requireNonNull(store, "store");
            return this;
        }

        /** Told whenever a request has to wait for a slot. Default: nobody. */
        public Builder scaleUpSignal(ScaleUpSignal scaleUp) {
            this.scaleUp = Objects.requireNonNull(scaleUp, "scaleUp");
            return this;
        }

        /** How long a request waits for a slot before a 503. Default 60 s. */
        public Builder queueTimeout(Duration queueTimeout) {
            if (queueTimeout.isNegative() || queueTimeout.isZero()) {
                throw new IllegalArgumentException("queueTimeout: " + queueTimeout + " (expected: > 0)");
            }
            this.queueTimeout = queueTimeout;
            return this;
        }

        /** How many requests may wait per function version before more get a 503. Default 1024. */
        public Builder maxQueuedPerFunction(int max) {
            if (max < 0) {
                throw new IllegalArgumentException("maxQueuedPerFunction: " + max + " (expected: >= 0)");
            }
            this.maxQueuedPerFunction = max;
            return this;
        }

        /** Event loop threads; 0 means Netty's default (twice the cores). */
        public Builder eventLoopThreads(int threads) {
            if (threads < 0) {
                throw new IllegalArgumentException("eventLoopThreads: " + threads + " (expected: >= 0)");
            }
            this.eventLoopThreads = threads;
            return this;
        }

        /** The clock for demand timestamps. Default UTC system clock. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Binds and starts the server. */
        public GatewayServer start() throws InterruptedException {
            if (store == null) {
                throw new IllegalStateException("store: not set (expected: a RoutingStore)");
            }
            return new GatewayServer(this);
        }
    }
}
