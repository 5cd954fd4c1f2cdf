package dev.ferry.perf.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One request on a new HTTP/1.1 connection, timed from the connect: to the end of the
 * response (a cold start) or to the first server-sent event's data (SSE time to first event).
 */
final class OneShot {

    enum Until {
        RESPONSE_END,
        FIRST_EVENT
    }

    private OneShot() {}

    /** Nanoseconds from connecting to {@code until}; throws when the answer is not a 200 or does not come within {@code timeout}. */
    static long time(EventLoop loop, int port, Target.Route route, Until until, Duration timeout) throws Exception {
        CompletableFuture<Long> result = new CompletableFuture<>();
        long start = System.nanoTime();
        Channel channel = new Bootstrap()
                .group(loop)
                .channel(ClientTransport.socketChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new HttpClientCodec(), new Probe(start, until, result));
                    }
                })
                .connect("127.0.0.1", port)
                .sync()
                .channel();
        try {
            DefaultFullHttpRequest request =
                    new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, route.path());
            request.headers().set(HttpHeaderNames.HOST, route.authority());
            channel.writeAndFlush(request);
            return result.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } finally {
            channel.close().await(5, TimeUnit.SECONDS);
        }
    }

    private static final class Probe extends SimpleChannelInboundHandler<HttpObject> {
        private final long start;
        private final Until until;
        private final CompletableFuture<Long> result;
        private final StringBuilder seen = new StringBuilder();

        Probe(long start, Until until, CompletableFuture<Long> result) {
            this.start = start;
            this.until = until;
            this.result = result;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            if (msg instanceof HttpResponse response && response.status().code() != 200) {
                result.completeExceptionally(
                        new IllegalStateException("status " + response.status().code() + " (expected: 200)"));
                return;
            }
            if (msg instanceof HttpContent content) {
                ByteBuf bytes = content.content();
                if (until == Until.FIRST_EVENT && seen.length() < 4096) {
                    seen.append(bytes.toString(StandardCharsets.UTF_8));
                    if (seen.indexOf("data:") >= 0 && seen.indexOf("\n\n") >= 0) {
                        result.complete(System.nanoTime() - start);
                    }
                }
                if (msg instanceof LastHttpContent) {
                    if (until == Until.RESPONSE_END) {
                        result.complete(System.nanoTime() - start);
                    } else {
                        result.completeExceptionally(new IllegalStateException("the response ended without an event: "
                                + ByteBufUtil.hexDump(bytes, 0, Math.min(64, bytes.readableBytes()))));
                    }
                }
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            result.completeExceptionally(new IllegalStateException("the connection closed before the answer"));
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            result.completeExceptionally(cause);
            ctx.close();
        }
    }
}
