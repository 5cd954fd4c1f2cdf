package dev.ferry.cli;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.concurrent.Future;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/** One request on one HTTP/2 or HTTP/3 stream, seen as HTTP objects: what H2cClient and H3Client share. */
final class StreamExchanges {

    private StreamExchanges() {}

    /** Handlers, after the stream's frame-to-object codec, that complete {@code response} with the whole response. */
    static ChannelHandler[] collecting(CompletableFuture<H2cClient.Response> response) {
        return new ChannelHandler[] {
            new HttpObjectAggregator(16 * 1024 * 1024),
            new SimpleChannelInboundHandler<FullHttpResponse>() {
                @Override
                protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse r) {
                    response.complete(new H2cClient.Response(
                            r.status().code(),
                            r.content().toString(StandardCharsets.UTF_8),
                            r.trailingHeaders().get("x-checksum")));
                }

                @Override
                public void channelInactive(ChannelHandlerContext ctx) {
                    response.completeExceptionally(new IllegalStateException("stream closed without a response"));
                }
            }
        };
    }

    /** Once {@code opened} gives the stream, writes the request {@code method path} to {@code host} on it. */
    static void send(
            Future<? extends Channel> opened,
            CompletableFuture<H2cClient.Response> response,
            String scheme,
            String method,
            String host,
            String path,
            String body) {
        opened.addListener(done -> {
            if (!done.isSuccess()) {
                response.completeExceptionally(done.cause());
                return;
            }
            DefaultFullHttpRequest request = new DefaultFullHttpRequest(
                    HttpVersion.HTTP_1_1,
                    HttpMethod.valueOf(method),
                    path,
                    Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
            request.headers()
                    .set(HttpHeaderNames.HOST, host)
                    .set(HttpConversionUtil.ExtensionHeaderNames.SCHEME.text(), scheme)
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, request.content().readableBytes());
            ((Channel) done.getNow()).writeAndFlush(request);
        });
    }
}
