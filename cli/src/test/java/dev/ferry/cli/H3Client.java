package dev.ferry.cli;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.http3.Http3;
import io.netty.handler.codec.http3.Http3ClientConnectionHandler;
import io.netty.handler.codec.http3.Http3FrameToHttpObjectCodec;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicConnectionCloseEvent;
import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.codec.quic.QuicSslContextBuilder;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.handler.codec.quic.QuicStreamType;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** An HTTP/3 client on Netty's QUIC and HTTP/3 codecs, trusting one CA. For tests; close after use. */
final class H3Client implements AutoCloseable {

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel datagram;
    private final QuicChannel connection;
    private final CompletableFuture<QuicConnectionCloseEvent> peerClose = new CompletableFuture<>();

    H3Client(int port, Path trustedCa) throws Exception {
        QuicSslContext ssl = QuicSslContextBuilder.forClient()
                .trustManager(trustedCa.toFile())
                .applicationProtocols(Http3.supportedApplicationProtocols())
                .build();
        ChannelHandler codec = Http3.newQuicClientCodecBuilder()
                .sslContext(ssl)
                // Verify the certificate for a name on it ("localhost"), as a browser would for its host.
                .sslEngineProvider(quic -> ssl.newEngine(quic.alloc(), "localhost", port))
                .maxIdleTimeout(30, TimeUnit.SECONDS)
                .initialMaxData(16 * 1024 * 1024)
                .initialMaxStreamDataBidirectionalLocal(1024 * 1024)
                .build();
        datagram = new Bootstrap()
                .group(group)
                .channel(NioDatagramChannel.class)
                .handler(codec)
                .bind(0)
                .sync()
                .channel();
        ChannelHandler closeWatch = new ChannelInboundHandlerAdapter() {
            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
                if (event instanceof QuicConnectionCloseEvent close) {
                    peerClose.complete(close);
                }
                ctx.fireUserEventTriggered(event);
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) {
                peerClose.completeExceptionally(
                        new IllegalStateException("the connection closed without a CONNECTION_CLOSE from the server"));
                ctx.fireChannelInactive();
            }
        };
        connection = QuicChannel.newBootstrap(datagram)
                .handler(new ChannelInitializer<QuicChannel>() {
                    @Override
                    protected void initChannel(QuicChannel ch) {
                        ch.pipeline().addLast(new Http3ClientConnectionHandler(), closeWatch);
                    }
                })
                .remoteAddress(new InetSocketAddress("127.0.0.1", port))
                .connect()
                .get(30, TimeUnit.SECONDS);
    }

    /** Sends {@code method path} to {@code host} on a new request stream of the one connection. */
    CompletableFuture<H2cClient.Response> send(String method, String host, String path, String body) {
        CompletableFuture<H2cClient.Response> response = new CompletableFuture<>();
        var opened = Http3.newRequestStream(connection, new ChannelInitializer<QuicStreamChannel>() {
            @Override
            protected void initChannel(QuicStreamChannel ch) {
                ch.pipeline()
                        .addLast(new Http3FrameToHttpObjectCodec(false))
                        .addLast(StreamExchanges.collecting(response));
            }
        });
        StreamExchanges.send(opened, response, "https", method, host, path, body);
        return response;
    }

    /** Opens a request stream without the HTTP/3 codec and writes {@code bytes} on it as they are. */
    void sendRaw(byte[] bytes) throws Exception {
        QuicStreamChannel stream = connection
                .createStream(QuicStreamType.BIDIRECTIONAL, new ChannelInboundHandlerAdapter())
                .get(30, TimeUnit.SECONDS);
        stream.writeAndFlush(Unpooled.wrappedBuffer(bytes)).sync();
    }

    /** Completes with the server's CONNECTION_CLOSE, if the server closes the connection. */
    CompletableFuture<QuicConnectionCloseEvent> peerClose() {
        return peerClose;
    }

    @Override
    public void close() throws InterruptedException {
        connection.close().sync();
        datagram.close().sync();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
}
