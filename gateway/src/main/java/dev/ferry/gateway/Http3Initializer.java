package dev.ferry.gateway;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http3.Http3;
import io.netty.handler.codec.http3.Http3FrameToHttpObjectCodec;
import io.netty.handler.codec.http3.Http3ServerConnectionHandler;
import io.netty.handler.codec.quic.InsecureQuicTokenHandler;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicSslContextBuilder;
import io.netty.handler.codec.quic.QuicStreamChannel;
import java.util.concurrent.TimeUnit;

/**
 * HTTP/3 over QUIC on the HTTPS port's number, over UDP: each request stream is turned into
 * HTTP objects and served by its own {@link HttpConnectionHandler}, as HTTP/2 streams are; the
 * scope says http_version "3". Certificates come from the same {@link ServerTls} (looked up per
 * connection, so a reload reaches new connections).
 */
final class Http3Initializer {

    /** Bytes in flight per stream and per connection before the receiver must grant more. */
    static final long STREAM_WINDOW = EdgeHandlers.STREAM_WINDOW;

    static final long CONNECTION_WINDOW = 16L * STREAM_WINDOW;

    private Http3Initializer() {}

    /** The handler of the UDP channel: the QUIC server codec with HTTP/3 on every connection. */
    static ChannelHandler codec(EdgeHandlers handlers, ServerTls tls, long idleTimeoutMillis) {
        ChannelHandler requestStream = new ChannelInitializer<QuicStreamChannel>() {
            @Override
            protected void initChannel(QuicStreamChannel stream) {
                stream.pipeline().addLast(new Http3FrameToHttpObjectCodec(true), handlers.http3Stream());
            }
        };
        return Http3.newQuicServerCodecBuilder()
                .sslContext(QuicSslContextBuilder.buildForServerWithSni(name -> tls.quicContext()))
                .maxIdleTimeout(idleTimeoutMillis, TimeUnit.MILLISECONDS)
                .initialMaxData(CONNECTION_WINDOW)
                .initialMaxStreamDataBidirectionalLocal(STREAM_WINDOW)
                .initialMaxStreamDataBidirectionalRemote(STREAM_WINDOW)
                .initialMaxStreamsBidirectional(handlers.config().maxConcurrentStreams())
                // Address validation tokens are not worth a round trip on loopback and LANs yet.
                .tokenHandler(InsecureQuicTokenHandler.INSTANCE)
                .handler(new ChannelInitializer<QuicChannel>() {
                    @Override
                    protected void initChannel(QuicChannel connection) {
                        connection.pipeline().addLast(new Http3ServerConnectionHandler(requestStream));
                    }
                })
                .build();
    }
}
