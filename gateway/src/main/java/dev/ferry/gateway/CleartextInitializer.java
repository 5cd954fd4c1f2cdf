package dev.ferry.gateway;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http2.CleartextHttp2ServerUpgradeHandler;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2ServerUpgradeCodec;
import io.netty.util.AsciiString;

/**
 * The pipeline of a connection to the plain-text HTTP port: HTTP/1.1, or HTTP/2 without TLS
 * (h2c), reached either by prior knowledge (the client starts with the HTTP/2 preface) or by
 * an {@code Upgrade: h2c} request.
 */
final class CleartextInitializer extends ChannelInitializer<SocketChannel> {

    /** The largest body an {@code Upgrade: h2c} request may carry (it is held in memory). */
    static final int MAX_UPGRADE_BODY = 64 * 1024;

    private final EdgeHandlers handlers;

    CleartextInitializer(EdgeHandlers handlers) {
        this.handlers = handlers;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        HttpServerCodec http1 = handlers.http1Codec();
        HttpServerUpgradeHandler upgrade = new HttpServerUpgradeHandler(
                http1,
                protocol -> AsciiString.contentEquals(Http2CodecUtil.HTTP_UPGRADE_PROTOCOL_NAME, protocol)
                        ? new Http2ServerUpgradeCodec(handlers.http2Codec(), handlers.http2Streams("http"))
                        : null,
                MAX_UPGRADE_BODY);
        // Takes the place of the cleartext detector, so the preface it read reaches the codec.
        ChannelHandler priorKnowledge = new ChannelInboundHandlerAdapter() {
            @Override
            public void handlerAdded(ChannelHandlerContext ctx) {
                String codec = ctx.name() + "-h2";
                ctx.pipeline().replace(this, codec, handlers.http2Codec());
                // They need the codec before them; added last-first, each right after it.
                ChannelHandler[] streams = handlers.http2Streams("http");
                for (int i = streams.length - 1; i >= 0; i--) {
                    ctx.pipeline().addAfter(codec, null, streams[i]);
                }
            }
        };
        ch.pipeline()
                .addLast(
                        handlers.http1Timeouts(), // removes itself once the connection is HTTP/2
                        new CleartextHttp2ServerUpgradeHandler(http1, upgrade, priorKnowledge),
                        handlers.webSocketCompression(),
                        new HttpServerExpectContinueHandler(),
                        handlers.http1("http"));
    }
}
