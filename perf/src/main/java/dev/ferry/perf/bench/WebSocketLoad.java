package dev.ferry.perf.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * WebSocket echo round trips: each socket sends a short text message and waits for its echo,
 * over and over for a fixed time (closed loop). Gives round trips per second and the
 * round-trip latency distribution.
 */
final class WebSocketLoad {

    static final String MESSAGE = "ping from the Ferry bench";

    private WebSocketLoad() {}

    static LoadDriver.Result run(EventLoop loop, int port, Target.Route route, int sockets, Duration duration)
            throws Exception {
        URI uri = URI.create("ws://" + route.authority() + route.path());
        List<Socket> all = new ArrayList<>();
        List<Channel> channels = new ArrayList<>();
        try {
            for (int i = 0; i < sockets; i++) {
                Socket socket = new Socket();
                all.add(socket);
                channels.add(new Bootstrap()
                        .group(loop)
                        .channel(ClientTransport.socketChannel())
                        .option(ChannelOption.TCP_NODELAY, true)
                        .handler(new ChannelInitializer<Channel>() {
                            @Override
                            protected void initChannel(Channel ch) {
                                ch.pipeline()
                                        .addLast(
                                                new HttpClientCodec(),
                                                new HttpObjectAggregator(1 << 16),
                                                new WebSocketClientProtocolHandler(
                                                        WebSocketClientProtocolConfig.newBuilder()
                                                                .webSocketUri(uri)
                                                                .version(WebSocketVersion.V13)
                                                                .build()),
                                                socket);
                            }
                        })
                        .connect("127.0.0.1", port)
                        .sync()
                        .channel());
            }
            for (Socket socket : all) {
                socket.open.get(30, TimeUnit.SECONDS);
            }
            long deadline = System.nanoTime() + duration.toNanos();
            loop.execute(() -> all.forEach(s -> s.start(deadline)));
            Latencies latencies = new Latencies();
            for (Socket socket : all) {
                latencies.add(
                        socket.done.get(duration.toSeconds() + LoadDriver.DRAIN_LIMIT.toSeconds(), TimeUnit.SECONDS));
            }
            return new LoadDriver.Result(latencies.count() / (duration.toNanos() / 1e9), latencies);
        } finally {
            for (Channel channel : channels) {
                channel.close().await(5, TimeUnit.SECONDS);
            }
        }
    }

    /** One socket's loop: send, await the echo, record, again until the deadline. */
    private static final class Socket extends SimpleChannelInboundHandler<TextWebSocketFrame> {
        final CompletableFuture<Void> open = new CompletableFuture<>();
        final CompletableFuture<Latencies> done = new CompletableFuture<>();
        final Latencies latencies = new Latencies();
        ChannelHandlerContext ctx;
        long deadline;
        long sent;

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (event == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
                this.ctx = ctx;
                open.complete(null);
            }
            ctx.fireUserEventTriggered(event);
        }

        void start(long deadline) {
            this.deadline = deadline;
            send();
        }

        private void send() {
            sent = System.nanoTime();
            ctx.writeAndFlush(new TextWebSocketFrame(MESSAGE));
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame frame) {
            long now = System.nanoTime();
            if (now > deadline) {
                done.complete(latencies);
                return;
            }
            if (MESSAGE.equals(frame.text())) {
                latencies.record(sent, now);
            } else {
                latencies.error();
            }
            send();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            open.completeExceptionally(
                    new IllegalStateException("the WebSocket closed before its handshake completed"));
            if (!done.isDone()) {
                latencies.error();
                done.complete(latencies);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            open.completeExceptionally(cause);
            ctx.close();
        }
    }
}
