package dev.ferry.gateway;

import dev.ferry.routing.RoutingStore;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.extensions.compression.WebSocketServerCompressionHandler;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;

/**
 * Makes the handlers of the gateway's pipelines, for every port and protocol: the HTTP/1.1
 * codec and request handler of a connection, and the HTTP/2 codec and stream multiplexer.
 *
 * <p>Each HTTP/2 stream becomes a child channel whose frames are turned into HTTP objects, so
 * one {@link HttpConnectionHandler} serves a stream exactly as it serves an HTTP/1.1
 * connection. Streams are independent calls; a stream that is not read holds back only its
 * own flow-control window.
 */
record EdgeHandlers(GatewayConfig config, RoutingStore store, FunctionPools pools) {

    /** Default concurrent streams per HTTP/2 or HTTP/3 connection. */
    static final int MAX_CONCURRENT_STREAMS = 256;
    /** Bytes a client may send on one stream before the gateway asks for more: uploads stream at loopback speed. */
    static final int STREAM_WINDOW = 1024 * 1024;

    /** Goes before {@link #http1Codec()}: ends connections that stall between or inside request heads. */
    Http1Timeouts http1Timeouts() {
        return new Http1Timeouts(config.headTimeout(), config.idleTimeout());
    }

    /** Goes after {@link #http1Codec()}: negotiates permessage-deflate (RFC 7692) for WebSockets that offer it. */
    WebSocketServerCompressionHandler webSocketCompression() {
        return new WebSocketServerCompressionHandler(WebSocketExchange.MAX_INFLATED);
    }

    HttpServerCodec http1Codec() {
        return new HttpServerCodec(config.maxRequestLine(), config.maxHeaderSize(), GatewayServer.MAX_CHUNK_SIZE);
    }

    /** Runs the requests of one HTTP/1.x connection. */
    HttpConnectionHandler http1(String scheme) {
        return new HttpConnectionHandler(config, store, pools, scheme, null);
    }

    Http2FrameCodec http2Codec() {
        return Http2FrameCodecBuilder.forServer()
                .initialSettings(Http2Settings.defaultSettings()
                        .maxConcurrentStreams(config.maxConcurrentStreams())
                        .initialWindowSize(STREAM_WINDOW)
                        .maxHeaderListSize(config.maxHeaderSize())
                        .connectProtocolEnabled(true)) // RFC 8441: WebSockets over HTTP/2
                .build();
    }

    /** Serves one HTTP/3 request stream, after Netty's HTTP/3-to-HTTP-object codec. */
    HttpConnectionHandler http3Stream() {
        return new HttpConnectionHandler(config, store, pools, "https", "3");
    }

    /**
     * Serves each stream of an HTTP/2 connection: the stream multiplexer, then the end of the
     * connection's pipeline ({@link Http2ConnectionErrors}). They follow {@link #http2Codec()}.
     */
    ChannelHandler[] http2Streams(String scheme) {
        return http2Streams(scheme, null);
    }

    /** As {@link #http2Streams(String)}, adding {@code altSvc} to every response when given. */
    ChannelHandler[] http2Streams(String scheme, AltSvc altSvc) {
        ChannelHandler stream = new ChannelInitializer<Http2StreamChannel>() {
            @Override
            protected void initChannel(Http2StreamChannel ch) {
                ch.pipeline().addLast(ExtendedConnectDecoder.INSTANCE, new Http2StreamFrameToHttpObjectCodec(true));
                if (altSvc != null) {
                    ch.pipeline().addLast(altSvc);
                }
                ch.pipeline().addLast(new HttpConnectionHandler(config, store, pools, scheme, "2"));
            }
        };
        // The second handler serves stream 1 of a connection upgraded from HTTP/1.1.
        return new ChannelHandler[] {new Http2MultiplexHandler(stream, stream), Http2ConnectionErrors.INSTANCE};
    }
}
