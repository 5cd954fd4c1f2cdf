package dev.ferry.cli;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.codec.http2.HttpConversionUtil;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/**
 * An HTTP/2 client over cleartext with prior knowledge (it opens with the HTTP/2 preface), on
 * Netty's own codec: one connection, one stream per request. For tests; close it after use.
 */
final class H2cClient implements AutoCloseable {

    /** A whole response: status, UTF-8 body and the value of the trailer x-checksum, if any. */
    record Response(int status, String body, String checksumTrailer) {
        Response(int status, String body) {
            this(status, body, null);
        }
    }

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel connection;

    H2cClient(int port) throws InterruptedException {
        connection = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(Http2FrameCodecBuilder.forClient().build(),
                                new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
                    }
                })
                .connect("127.0.0.1", port).sync().channel();
    }

    /** Sends {@code method path} to {@code host} on a new stream of the one connection. */
    CompletableFuture<Response> send(String method, String host, String path, String body) {
        CompletableFuture<Response> response = new CompletableFuture<>();
        new Http2StreamChannelBootstrap(connection).handler(new ChannelInitializer<Http2StreamChannel>() {
            @Override
            protected void initChannel(Http2StreamChannel ch) {
                ch.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(false), new HttpObjectAggregator(16 * 1024 * 1024),
                        new SimpleChannelInboundHandler<FullHttpResponse>() {
                            @Override
                            protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse r) {
                                response.complete(new Response(r.status().code(), r.content().toString(StandardCharsets.UTF_8),
                                        r.trailingHeaders().get("x-checksum")));
                            }

                            @Override
                            public void channelInactive(ChannelHandlerContext ctx) {
                                response.completeExceptionally(new IllegalStateException("stream closed without a response"));
                            }
                        });
            }
        }).open().addListener(opened -> {
            if (!opened.isSuccess()) {
                response.completeExceptionally(opened.cause());
                return;
            }
            Http2StreamChannel stream = (Http2StreamChannel) opened.getNow();
            DefaultFullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(method), path,
                    Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
            request.headers().set(HttpHeaderNames.HOST, host)
                    .set(HttpConversionUtil.ExtensionHeaderNames.SCHEME.text(), "http")
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, request.content().readableBytes());
            stream.writeAndFlush(request);
        });
        return response;
    }

    @Override
    public void close() throws InterruptedException {
        connection.close().sync();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).sync();
    }
}
