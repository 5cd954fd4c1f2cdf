package dev.ferry.gateway;

import dev.ferry.call.transport.Transport;
import dev.ferry.request.protocol.ContainerSecret;
import dev.ferry.routing.RoutingStore;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Ferry's edge: HTTP/1.1 and h2c on the HTTP port, h2 and http/1.1 (by ALPN) over TLS on the
 * HTTPS port, and HTTP/3 over QUIC on the same port number over UDP. It routes each request by Host
 * ({@code <app>--<function>.<domain>}) to a ready container of that function and streams
 * it there as a function call.
 *
 * <p>Start with {@link #builder()}; {@link #close()} stops accepting, closes connections and
 * the container channels. Thread-safe.
 */
public final class GatewayServer implements AutoCloseable {

    private static final System.Logger logger = System.getLogger(GatewayServer.class.getName());

    private final EventLoopGroup bossGroup;
    private final EventLoopGroup workerGroup;
    private final FunctionPools pools;
    private final RoutingStore store;
    private final DemandReporter demandReporter;
    private final Channel serverChannel;
    private final Channel httpsChannel;
    private final Channel http3Channel;

    private GatewayServer(Builder b) throws InterruptedException {
        logger.log(System.Logger.Level.INFO, () -> "gateway sockets: " + Transport.describe());
        this.bossGroup = new MultiThreadIoEventLoopGroup(1, Transport.ioHandlerFactory());
        this.workerGroup = new MultiThreadIoEventLoopGroup(b.eventLoopThreads, Transport.ioHandlerFactory());
        this.pools = new FunctionPools(workerGroup, b.clock);
        this.store = b.store;
        this.demandReporter =
                b.gatewayId == null ? null : new DemandReporter(b.store, b.gatewayId, b.demandInterval, pools, b.clock);
        ScaleUpSignal scaleUp = demandReporter == null
                ? b.scaleUp
                : f -> {
                    demandReporter.scaleUp(f);
                    b.scaleUp.scaleUp(f);
                };
        GatewayConfig config = new GatewayConfig(b, scaleUp);
        b.store.subscribe(pools);
        if (demandReporter != null) {
            b.store.subscribe(demandReporter);
        }
        EdgeHandlers handlers = new EdgeHandlers(config, b.store, pools);
        AtomicReference<String> altSvc = new AtomicReference<>();
        try {
            this.serverChannel = bootstrap(new CleartextInitializer(handlers))
                    .bind(b.host, b.port)
                    .sync()
                    .channel();
            if (b.tls != null) {
                this.httpsChannel = bootstrap(new TlsInitializer(handlers, b.tls, altSvc::get))
                        .bind(b.host, b.httpsPort)
                        .sync()
                        .channel();
                int quicPort = ((InetSocketAddress) httpsChannel.localAddress()).getPort();
                this.http3Channel = new Bootstrap()
                        .group(workerGroup)
                        .channel(Transport.datagramChannel())
                        .handler(Http3Initializer.codec(handlers, b.tls, b.idleTimeout.toMillis()))
                        .bind(b.host, quicPort)
                        .sync()
                        .channel();
                altSvc.set("h3=\":" + quicPort + "\"; ma=86400");
                bossGroup.scheduleWithFixedDelay(
                        b.tls::reloadIfChanged,
                        TLS_RELOAD_CHECK.toMillis(),
                        TLS_RELOAD_CHECK.toMillis(),
                        TimeUnit.MILLISECONDS);
            } else {
                this.httpsChannel = null;
                this.http3Channel = null;
            }
        } catch (RuntimeException | InterruptedException e) {
            stopFollowingStore();
            shutdownGroups();
            throw e;
        }
    }

    private void stopFollowingStore() {
        store.unsubscribe(pools);
        if (demandReporter != null) {
            store.unsubscribe(demandReporter);
            demandReporter.close();
        }
    }

    private ServerBootstrap bootstrap(ChannelHandler initializer) {
        return new ServerBootstrap()
                .group(bossGroup, workerGroup)
                .channel(Transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(initializer);
    }

    /** How often the TLS certificate files are checked for replacement. */
    static final Duration TLS_RELOAD_CHECK = Duration.ofSeconds(2);

    /** The gateway's deadline for a call allows this much beyond the function's timeout, so the container's own 504 wins. */
    static final Duration DEADLINE_GRACE = Duration.ofSeconds(5);
    // The defaults of the builder's options, named so the gateway role's builder shares them.
    /** Default address to listen on. */
    static final String DEFAULT_HOST = "127.0.0.1";
    /** Default HTTP port. */
    static final int DEFAULT_PORT = 8080;
    /** Default HTTPS (and HTTP/3) port. */
    static final int DEFAULT_HTTPS_PORT = 8443;
    /** Default domain of functions. */
    static final String DEFAULT_DOMAIN = "localhost";
    /** Default wait for a slot, for functions that set none. */
    static final Duration DEFAULT_QUEUE_TIMEOUT = Duration.ofSeconds(60);
    /** Default wait while no container of a function can be placed. */
    static final Duration DEFAULT_UNSCHEDULABLE_WAIT = Duration.ofSeconds(10);
    /** Default bound of the requests waiting per function version, for functions that set none. */
    static final int DEFAULT_MAX_QUEUED = 1024;
    /** Default longest request line. */
    static final int MAX_INITIAL_LINE = 8 * 1024;
    /** Default largest request head. */
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

    /** The HTTPS port (useful after binding port 0), also HTTP/3's UDP port; empty without TLS. */
    public java.util.OptionalInt httpsPort() {
        return httpsChannel == null
                ? java.util.OptionalInt.empty()
                : java.util.OptionalInt.of(((InetSocketAddress) httpsChannel.localAddress()).getPort());
    }

    /** The demand this gateway sees, one entry per function version it has served. */
    /**
     * Warms the gateway's own request path before its first real request: up to {@code calls}
     * requests through its HTTP port to the container call service at {@code container}, which
     * must answer the runtime's built-in warm-up function (see {@link SelfWarmUp}) on connections
     * that open with {@code secret}. Blocks for
     * at most {@code budget}; a failed call only ends it early.
     *
     * @return the calls answered 200, of those made, and the time taken
     */
    public WarmUpResult warmUp(InetSocketAddress container, ContainerSecret secret, int calls, Duration budget)
            throws InterruptedException {
        InetSocketAddress local = (InetSocketAddress) serverChannel.localAddress();
        InetSocketAddress self = local.getAddress().isAnyLocalAddress()
                ? new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), local.getPort())
                : local;
        SelfWarmUp.Result r = SelfWarmUp.run(pools, workerGroup, self, container, secret, calls, budget);
        return new WarmUpResult(r.ok(), r.made(), r.took());
    }

    /** What {@link #warmUp} did: calls answered 200, of those made, and the time it took. */
    public record WarmUpResult(int ok, int made, Duration took) {}

    public List<FunctionDemand> demand() {
        return pools.demand();
    }

    @Override
    public void close() throws InterruptedException {
        serverChannel.close().sync();
        if (httpsChannel != null) {
            httpsChannel.close().sync();
            http3Channel.close().sync();
        }
        stopFollowingStore();
        pools.close();
        shutdownGroups();
    }

    private void shutdownGroups() throws InterruptedException {
        bossGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        workerGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    /** Builds a {@link GatewayServer}. Not thread-safe. */
    public static final class Builder {
        // Package-private: GatewayConfig takes the connections' settings from here by name.
        String host = DEFAULT_HOST;
        int port = DEFAULT_PORT;
        String domain = DEFAULT_DOMAIN;
        RoutingStore store;
        ScaleUpSignal scaleUp = f -> {};
        String gatewayId;
        Duration demandInterval;
        Duration queueTimeout = DEFAULT_QUEUE_TIMEOUT;
        Duration unschedulableWait = DEFAULT_UNSCHEDULABLE_WAIT;
        int maxQueuedPerFunction = DEFAULT_MAX_QUEUED;
        int eventLoopThreads = 0;
        Clock clock = Clock.systemUTC();
        ServerTls tls;
        int httpsPort = DEFAULT_HTTPS_PORT;
        Duration headTimeout = Http1Timeouts.DEFAULT_HEAD_TIMEOUT;
        Duration idleTimeout = Http1Timeouts.DEFAULT_IDLE_TIMEOUT;
        int maxRequestLine = MAX_INITIAL_LINE;
        int maxHeaderSize = MAX_HEADER_SIZE;
        int maxConcurrentStreams = EdgeHandlers.MAX_CONCURRENT_STREAMS;

        /** The longest HTTP/1.x request line in bytes; longer gets a 414. Default 8192. */
        public Builder maxRequestLine(int bytes) {
            this.maxRequestLine = atLeast("maxRequestLine", bytes, 256);
            return this;
        }

        /** The largest request head (HTTP/1.x headers, HTTP/2 header list) in bytes; larger gets a 431. Default 16384. */
        public Builder maxHeaderSize(int bytes) {
            this.maxHeaderSize = atLeast("maxHeaderSize", bytes, 1024);
            return this;
        }

        /** Concurrent streams per HTTP/2 or HTTP/3 connection. Default 256. */
        public Builder maxConcurrentStreams(int streams) {
            this.maxConcurrentStreams = atLeast("maxConcurrentStreams", streams, 1);
            return this;
        }

        /** A TCP or UDP port, 0 for a free one. */
        static int checkPort(String name, int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException(name + ": " + port + " (expected: 0-65535)");
            }
            return port;
        }

        private static int atLeast(String name, int value, int min) {
            if (value < min) {
                throw new IllegalArgumentException(name + ": " + value + " (expected: >= " + min + ")");
            }
            return value;
        }

        /** How long an HTTP/1.x request head may take from its first byte; then 408 and close. Default 30 s. */
        public Builder headTimeout(Duration timeout) {
            this.headTimeout = positive("headTimeout", timeout);
            return this;
        }

        /** How long an HTTP/1.x keep-alive connection may wait for its next request. Default 75 s. */
        public Builder idleTimeout(Duration timeout) {
            this.idleTimeout = positive("idleTimeout", timeout);
            return this;
        }

        private static Duration positive(String name, Duration value) {
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
            }
            return value;
        }

        private Builder() {}

        /** Serves HTTPS (h2 and http/1.1 by ALPN) with {@code tls} on {@code port}; 0 picks a free one. Default: no HTTPS. */
        public Builder https(int port, ServerTls tls) {
            this.httpsPort = checkPort("httpsPort", port);
            this.tls = Objects.requireNonNull(tls, "tls");
            return this;
        }

        /** The address to listen on. Default 127.0.0.1. */
        public Builder host(String host) {
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        /** The TCP port; 0 picks a free one. Default 8080. */
        public Builder port(int port) {
            this.port = checkPort("port", port);
            return this;
        }

        /** The domain under which functions live: {@code <app>--<function>.<domain>}. Default "localhost". */
        public Builder domain(String domain) {
            if (domain == null || domain.isEmpty() || domain.startsWith(".") || domain.endsWith(".")) {
                throw new IllegalArgumentException(
                        "domain: " + domain + " (expected: a DNS name like \"localhost\" or \"fn.example.com\")");
            }
            this.domain = domain;
            return this;
        }

        /** Where routes and containers come from. Required. */
        public Builder store(RoutingStore store) {
            this.store = Objects.requireNonNull(store, "store");
            return this;
        }

        /**
         * Reports this gateway's demand to the store as {@code gatewayId}, every
         * {@code interval} while calls are in flight or waiting and at once when a request has
         * to wait: how a controller in another process learns of demand. Off by default. The
         * controller expects a sample from every busy gateway at least once a second: the
         * roles pass 1 s ({@code ferry gateway}) or 250 ms ({@code ferry dev}).
         */
        public Builder reportDemand(String gatewayId, Duration interval) {
            this.gatewayId = Objects.requireNonNull(gatewayId, "gatewayId");
            this.demandInterval = positive("demandInterval", interval);
            return this;
        }

        /** Told whenever a request has to wait for a slot. Default: nobody. */
        public Builder scaleUpSignal(ScaleUpSignal scaleUp) {
            this.scaleUp = Objects.requireNonNull(scaleUp, "scaleUp");
            return this;
        }

        /**
         * How long a request waits for a slot before a 503, for functions that set no
         * {@code queueTimeout} of their own. Default 60 s.
         */
        public Builder queueTimeout(Duration queueTimeout) {
            if (queueTimeout.isNegative() || queueTimeout.isZero()) {
                throw new IllegalArgumentException("queueTimeout: " + queueTimeout + " (expected: > 0)");
            }
            this.queueTimeout = queueTimeout;
            return this;
        }

        /**
         * How long a request waits while the controller reports that no container of its
         * function can be started (no worker fits it, or it is in a crash loop), before a 503
         * that says why. Default 10 s: long enough for a worker that is just joining.
         */
        public Builder unschedulableWait(Duration wait) {
            if (wait.isNegative() || wait.isZero()) {
                throw new IllegalArgumentException("unschedulableWait: " + wait + " (expected: > 0)");
            }
            this.unschedulableWait = wait;
            return this;
        }

        /**
         * How many requests may wait per function version before more get a 503, for functions
         * that set no {@code maxQueued} of their own; 0 queues none. Default 1024.
         */
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
