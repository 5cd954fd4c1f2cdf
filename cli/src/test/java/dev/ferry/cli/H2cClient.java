package dev.ferry.cli;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
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
        connection = new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline()
                                .addLast(
                                        Http2FrameCodecBuilder.forClient().build(),
                                        new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
                    }
                })
                .connect("127.0.0.1", port)
                .sync()
                .channel();
    }

    /** Sends {@code method path} to {@code host} on a new stream of the one connection. */
    CompletableFuture<Response> send(String method, String host, String path, String body) {
        CompletableFuture<Response> response = new CompletableFuture<>();
        var opened = new Http2StreamChannelBootstrap(connection)
                .handler(new ChannelInitializer<Http2StreamChannel>() {
                    @Override
                    protected void initChannel(Http2StreamChannel ch) {
                        ch.pipeline()
                                .addLast(new Http2StreamFrameToHttpObjectCodec(false))
                                .addLast(StreamExchanges.collecting(response));
                    }
                })
                .open();
        StreamExchanges.send(opened, response, "http", method, host, path, body);
        return response;
    }

    @Override
    public void close() throws InterruptedException {
        connection.close().sync();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).sync();
    }
}
