package dev.ferry.cli;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A WebSocket client over HTTP/2 (RFC 8441) on Netty's codecs: h2c with prior knowledge, an
 * extended CONNECT on one stream, then RFC 6455 frames (masked) in the stream's DATA. For tests.
 */
final class H2WebSocketClient implements AutoCloseable {

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel connection;
    private final Http2StreamChannel stream;
    final CompletableFuture<Boolean> connectProtocolEnabled = new CompletableFuture<>();
    final CompletableFuture<String> status = new CompletableFuture<>();
    final LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();

    H2WebSocketClient(int port, String authority, String path) throws Exception {
        connection = new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline()
                                .addLast(
                                        Http2FrameCodecBuilder.forClient().build(),
                                        new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()),
                                        new ChannelInboundHandlerAdapter() {
                                            @Override
                                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                                if (msg instanceof Http2SettingsFrame settings) {
                                                    connectProtocolEnabled.complete(Boolean.TRUE.equals(
                                                            settings.settings().connectProtocolEnabled()));
                                                }
                                                ReferenceCountUtil.release(msg);
                                            }
                                        });
                    }
                })
                .connect("127.0.0.1", port)
                .sync()
                .channel();
        if (!connectProtocolEnabled.get(30, TimeUnit.SECONDS)) {
            throw new AssertionError("the server did not enable extended CONNECT (SETTINGS_ENABLE_CONNECT_PROTOCOL)");
        }
        stream = new Http2StreamChannelBootstrap(connection)
                .handler(new ChannelInitializer<Http2StreamChannel>() {
                    @Override
                    protected void initChannel(Http2StreamChannel ch) {
                        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                if (msg instanceof Http2HeadersFrame headers && !status.isDone()) {
                                    String code = headers.headers().status().toString();
                                    if (code.equals("200")) {
                                        ctx.pipeline().addBefore(ctx.name(), null, new DataFrames());
                                        ctx.pipeline()
                                                .addBefore(
                                                        ctx.name(),
                                                        null,
                                                        new WebSocket13FrameDecoder(WebSocketDecoderConfig.newBuilder()
                                                                .expectMaskedFrames(false)
                                                                .build()));
                                        ctx.pipeline().addBefore(ctx.name(), null, new WebSocket13FrameEncoder(true));
                                    }
                                    status.complete(code);
                                } else if (msg instanceof TextWebSocketFrame text) {
                                    received.add(text.text());
                                } else if (msg instanceof CloseWebSocketFrame close) {
                                    received.add("close:" + close.statusCode());
                                }
                                ReferenceCountUtil.release(msg);
                            }
                        });
                    }
                })
                .open()
                .sync()
                .getNow();
        stream.writeAndFlush(new DefaultHttp2HeadersFrame(
                new DefaultHttp2Headers()
                        .method("CONNECT")
                        .scheme("http")
                        .path(path)
                        .authority(authority)
                        .set(":protocol", "websocket")
                        .set("sec-websocket-version", "13"),
                false));
    }

    void send(String text) {
        stream.writeAndFlush(new TextWebSocketFrame(text));
    }

    String next() throws InterruptedException {
        String message = received.poll(FerryStack.WAIT.toSeconds(), TimeUnit.SECONDS);
        if (message == null) {
            throw new AssertionError("no message within " + FerryStack.WAIT.toSeconds() + "s");
        }
        return message;
    }

    @Override
    public void close() throws InterruptedException {
        connection.close().sync();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    /** The stream's DATA frames as the byte stream the WebSocket codec reads and writes. */
    private static final class DataFrames extends ChannelDuplexHandler {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Http2DataFrame data) {
                ctx.fireChannelRead(data.content());
            } else {
                ctx.fireChannelRead(msg);
            }
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            ctx.write(msg instanceof ByteBuf bytes ? new DefaultHttp2DataFrame(bytes) : msg, promise);
        }
    }
}
