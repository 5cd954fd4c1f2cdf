package dev.ferry.gateway;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http2.CleartextHttp2ServerUpgradeHandler;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ServerUpgradeCodec;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.AsciiString;

/**
 * The pipeline of a connection to the plain-text HTTP port: HTTP/1.1, or HTTP/2 without TLS
 * (h2c), reached either by prior knowledge (the client starts with the HTTP/2 preface) or by
 * an {@code Upgrade: h2c} request.
 *
 * <p>Each HTTP/2 stream becomes a child channel whose frames are turned into HTTP objects, so
 * one {@link HttpConnectionHandler} serves a stream exactly as it serves an HTTP/1.1
 * connection. Streams are independent calls; a stream that is not read holds back only its
 * own flow-control window.
 */
final class CleartextInitializer extends ChannelInitializer<SocketChannel> {

    /** Concurrent streams per HTTP/2 connection. */
    static final int MAX_CONCURRENT_STREAMS = 256;
    /** Bytes a client may send on one stream before the gateway asks for more: uploads stream at loopback speed. */
    static final int STREAM_WINDOW = 1024 * 1024;
    /** The largest body an {@code Upgrade: h2c} request may carry (it is held in memory). */
    static final int MAX_UPGRADE_BODY = 64 * 1024;

    private final GatewayServer.Handlers handlers;

    CleartextInitializer(GatewayServer.Handlers handlers) {
        this.handlers = handlers;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        HttpServerCodec http1 = new HttpServerCodec(
                GatewayServer.MAX_INITIAL_LINE, GatewayServer.MAX_HEADER_SIZE, GatewayServer.MAX_CHUNK_SIZE);
        HttpServerUpgradeHandler upgrade = new HttpServerUpgradeHandler(http1, protocol ->
                AsciiString.contentEquals(Http2CodecUtil.HTTP_UPGRADE_PROTOCOL_NAME, protocol)
                        ? new Http2ServerUpgradeCodec(http2Codec(), http2Streams())
                        : null,
                MAX_UPGRADE_BODY);
        // Takes the place of the cleartext detector, so the preface it read reaches the codec.
        ChannelHandler priorKnowledge = new ChannelInboundHandlerAdapter() {
            @Override
            public void handlerAdded(ChannelHandlerContext ctx) {
                String codec = ctx.name() + "-h2";
                ctx.pipeline().replace(this, codec, http2Codec());
                ctx.pipeline().addAfter(codec, null, http2Streams()); // it needs the codec before it
            }
        };
        ch.pipeline().addLast(
                new CleartextHttp2ServerUpgradeHandler(http1, upgrade, priorKnowledge),
                new HttpServerExpectContinueHandler(),
                handlers.http1("http"));
    }

    private static io.netty.handler.codec.http2.Http2FrameCodec http2Codec() {
        return Http2FrameCodecBuilder.forServer()
                .initialSettings(Http2Settings.defaultSettings()
                        .maxConcurrentStreams(MAX_CONCURRENT_STREAMS)
                        .initialWindowSize(STREAM_WINDOW)
                        .maxHeaderListSize(GatewayServer.MAX_HEADER_SIZE))
                .build();
    }

    private Http2MultiplexHandler http2Streams() {
        ChannelHandler stream = new ChannelInitializer<Http2StreamChannel>() {
            @Override
            protected void initChannel(Http2StreamChannel ch) {
                ch.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(true), handlers.http2Stream("http"));
            }
        };
        // The second handler serves stream 1 of a connection upgraded from HTTP/1.1.
        return new Http2MultiplexHandler(stream, stream);
    }
}
