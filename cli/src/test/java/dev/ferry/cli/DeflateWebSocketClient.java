package dev.ferry.cli;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.handler.codec.http.websocketx.extensions.compression.WebSocketClientCompressionHandler;
import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A Netty WebSocket client that offers permessage-deflate (RFC 7692), which the JDK's client
 * does not. For tests: connect, then send texts and take the texts that come back.
 */
final class DeflateWebSocketClient implements AutoCloseable {

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel channel;
    final CompletableFuture<String> acceptedExtensions = new CompletableFuture<>();
    final LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();

    DeflateWebSocketClient(URI uri, int port) throws Exception {
        WebSocketClientHandshaker handshaker = WebSocketClientHandshakerFactory.newHandshaker(
                uri, WebSocketVersion.V13, null, true, new DefaultHttpHeaders());
        channel = new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline()
                                .addLast(
                                        new HttpClientCodec(),
                                        new HttpObjectAggregator(64 * 1024),
                                        WebSocketClientCompressionHandler.INSTANCE,
                                        new SimpleChannelInboundHandler<Object>() {
                                            @Override
                                            public void channelActive(ChannelHandlerContext ctx) {
                                                handshaker.handshake(ctx.channel());
                                            }

                                            @Override
                                            protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
                                                if (!handshaker.isHandshakeComplete()
                                                        && msg instanceof FullHttpResponse response) {
                                                    handshaker.finishHandshake(ctx.channel(), response);
                                                    acceptedExtensions.complete(
                                                            response.headers().get("sec-websocket-extensions", ""));
                                                } else if (msg instanceof TextWebSocketFrame text) {
                                                    received.add(text.text());
                                                }
                                            }
                                        });
                    }
                })
                .connect("127.0.0.1", port)
                .sync()
                .channel();
    }

    void send(String text) {
        channel.writeAndFlush(new TextWebSocketFrame(text));
    }

    String next() throws InterruptedException {
        String text = received.poll(FerryStack.WAIT.toSeconds(), TimeUnit.SECONDS);
        if (text == null) {
            throw new AssertionError("no message within " + FerryStack.WAIT.toSeconds() + "s");
        }
        return text;
    }

    @Override
    public void close() throws InterruptedException {
        channel.close().sync();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
}
