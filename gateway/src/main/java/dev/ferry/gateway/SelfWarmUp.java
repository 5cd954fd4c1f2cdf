package dev.ferry.gateway;

import dev.ferry.call.transport.Transport;
import dev.ferry.request.protocol.ContainerSecret;
import dev.ferry.request.protocol.FunctionSettings;
import dev.ferry.routing.ContainerInfo;
import dev.ferry.routing.ContainerResources;
import dev.ferry.routing.ContainerState;
import dev.ferry.routing.DeployedFunction;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Requests a gateway sends itself before its first real one: over a loopback connection to its
 * own HTTP port, through the whole request path (HTTP codec, routing, the exchange, the
 * call to a container and back), to a container's call service that answers the runtime's
 * built-in warm-up function ({@code ferry-pool--warm-up}; the assembly starts one in-process, or
 * gives a pool member's address). A JVM's first request loads and links hundreds of classes
 * on the way, about 0.4 s of the gateway's part of a first cold start on a small machine; after
 * this, a user's first request finds them loaded.
 *
 * <p>The function is private: it is served at a random host under {@code .invalid} (which no
 * name resolves to) only while the warm-up runs, from a pool of its own that no controller
 * hears of; the store and every real function are untouched.
 */
final class SelfWarmUp {

    /** The built-in function a container's call service answers before it has a function of its own. */
    static final String APP = "ferry-pool";

    static final String FUNCTION = "warm-up";

    private static final System.Logger logger = System.getLogger(SelfWarmUp.class.getName());
    private static final SecureRandom random = new SecureRandom();
    private static final byte[] BODY = "x".repeat(512).getBytes(StandardCharsets.US_ASCII);

    /** What a warm-up did: calls answered 200 out of those made, and how long it took. */
    record Result(int ok, int made, Duration took) {}

    private SelfWarmUp() {}

    /**
     * Makes up to {@code calls} requests, one at a time on one connection (GET and POST in
     * turn), through the gateway listening at {@code gateway} to the call service at
     * {@code container}, whose connections open with {@code secret}; stops early after {@code budget} or at the first request not answered
     * 200. Never throws for a failed call: a warm-up that fails costs only its time.
     */
    static Result run(
            FunctionPools pools,
            EventLoopGroup eventLoops,
            InetSocketAddress gateway,
            InetSocketAddress container,
            ContainerSecret secret,
            int calls,
            Duration budget)
            throws InterruptedException {
        long start = System.nanoTime();
        String token = HexFormat.of().formatHex(randomBytes());
        String host = "warm-up-" + token + ".invalid";
        FunctionSettings settings = new FunctionSettings(
                FUNCTION,
                64,
                64,
                Duration.ofSeconds(10),
                Duration.ofMinutes(1),
                0,
                0,
                0,
                0,
                0,
                List.of(),
                0,
                FunctionSettings.DEFAULT_MAX_WEBSOCKET_MESSAGE,
                List.of());
        DeployedFunction function = new DeployedFunction(APP, "warm-up-" + token, "", Path.of(""), "", settings);
        ContainerInfo target = new ContainerInfo(
                "warm-up-" + token,
                function.id(),
                function.version(),
                "self",
                container.getHostString(),
                container.getPort(),
                ContainerState.READY,
                settings.maxInputs(),
                Instant.now(),
                ContainerResources.NONE,
                "",
                "",
                secret);
        FunctionPool pool = pools.startPrivate(host, function);
        ContainerConnections channels = new ContainerConnections(target, eventLoops);
        pool.addContainer(target, channels);
        int ok = 0, made = 0;
        BlockingQueue<Integer> statuses = new LinkedBlockingQueue<>();
        Channel connection = null;
        try {
            connection = new Bootstrap()
                    .group(eventLoops)
                    .channel(Transport.socketChannel())
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline()
                                    .addLast(
                                            new HttpClientCodec(),
                                            new HttpObjectAggregator(1024 * 1024),
                                            new Answers(statuses));
                        }
                    })
                    .connect(gateway)
                    .sync()
                    .channel();
            long deadline = start + budget.toNanos();
            while (made < calls && System.nanoTime() < deadline) {
                connection.writeAndFlush(request(host, made));
                made++;
                Integer status = statuses.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (status == null || status != 200) {
                    logger.log(
                            System.Logger.Level.DEBUG,
                            "gateway warm-up: call " + made + " got " + (status == null ? "no answer" : status));
                    break;
                }
                ok++;
            }
        } catch (RuntimeException e) {
            logger.log(System.Logger.Level.DEBUG, "gateway warm-up", e);
        } finally {
            if (connection != null) {
                connection.close().await(2, TimeUnit.SECONDS);
            }
            pools.endPrivate();
            pool.removeContainer(target.id());
            channels.shutdown();
        }
        return new Result(ok, made, Duration.ofNanos(System.nanoTime() - start));
    }

    private static FullHttpRequest request(String host, int n) {
        boolean post = (n & 1) == 1;
        FullHttpRequest request = new DefaultFullHttpRequest(
                HttpVersion.HTTP_1_1,
                post ? HttpMethod.POST : HttpMethod.GET,
                post ? "/echo" : "/?n=" + n,
                post ? Unpooled.wrappedBuffer(BODY) : Unpooled.EMPTY_BUFFER);
        request.headers().set(HttpHeaderNames.HOST, host);
        request.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, post ? BODY.length : 0);
        return request;
    }

    private static byte[] randomBytes() {
        byte[] bytes = new byte[8];
        random.nextBytes(bytes);
        return bytes;
    }

    /** Hands each response's status to the warm-up; -1 when the connection fails or closes. */
    private static final class Answers extends SimpleChannelInboundHandler<FullHttpResponse> {
        private final BlockingQueue<Integer> statuses;

        Answers(BlockingQueue<Integer> statuses) {
            this.statuses = statuses;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
            statuses.add(response.status().code());
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            statuses.add(-1);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            logger.log(System.Logger.Level.DEBUG, "gateway warm-up connection", cause);
            ctx.close();
        }
    }
}
