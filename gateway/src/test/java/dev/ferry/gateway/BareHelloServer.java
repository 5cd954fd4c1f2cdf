package dev.ferry.gateway;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/**
 * The baseline for the gateway's figures: a bare Netty HTTP/1.1 server, configured as the
 * gateway's edge is (same transport, codec limits and TCP_NODELAY), that answers every request with
 * the bytes {@code examples--hello} returns. {@code scripts/bench-hello} runs it beside the
 * gateway. Usage: {@code BareHelloServer PORT}.
 */
public final class BareHelloServer {

    private static final byte[] BODY = "Hello from Ferry!\n".getBytes(StandardCharsets.UTF_8);

    private BareHelloServer() {}

    public static void main(String[] args) throws InterruptedException {
        int port = Integer.parseInt(args[0]);
        EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, Transport.ioHandlerFactory());
        EventLoopGroup workers = new MultiThreadIoEventLoopGroup(0, Transport.ioHandlerFactory());
        new ServerBootstrap().group(boss, workers).channel(Transport.serverChannel())
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(GatewayServer.MAX_INITIAL_LINE,
                                GatewayServer.MAX_HEADER_SIZE, GatewayServer.MAX_CHUNK_SIZE), new Hello());
                    }
                })
                .bind("127.0.0.1", port).sync().channel().closeFuture().sync();
    }

    private static final class Hello extends SimpleChannelInboundHandler<HttpObject> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            if (msg instanceof HttpRequest request) {
                FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                        Unpooled.wrappedBuffer(BODY));
                response.headers().set("content-type", "text/plain; charset=utf-8").setInt("content-length", BODY.length);
                boolean keepAlive = HttpUtil.isKeepAlive(request);
                HttpUtil.setKeepAlive(response, keepAlive);
                ctx.writeAndFlush(response).addListener(keepAlive ? ChannelFutureListener.CLOSE_ON_FAILURE : ChannelFutureListener.CLOSE);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close(); // as the gateway does: a reset by the load generator is not news
        }
    }
}
