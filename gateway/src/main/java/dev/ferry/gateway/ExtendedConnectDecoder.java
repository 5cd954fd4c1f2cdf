package dev.ferry.gateway;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.util.AttributeKey;

/**
 * Readies an RFC 8441 extended CONNECT for Netty's HTTP/2-to-HTTP conversion, which takes a
 * CONNECT's target from {@code :authority} (the plain CONNECT of RFC 9110) and so would lose
 * the WebSocket's {@code :path}: such a request is passed on as a GET to its path, and its
 * {@code :protocol} is kept on the stream channel ({@link #PROTOCOL}) to mark it as a WebSocket.
 */
@ChannelHandler.Sharable
final class ExtendedConnectDecoder extends ChannelInboundHandlerAdapter {

    static final ExtendedConnectDecoder INSTANCE = new ExtendedConnectDecoder();

    /** The {@code :protocol} of the extended CONNECT that opened this stream, if one did. */
    static final AttributeKey<String> PROTOCOL = AttributeKey.valueOf(ExtendedConnectDecoder.class, "protocol");

    private ExtendedConnectDecoder() {}

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Http2HeadersFrame frame) {
            Http2Headers headers = frame.headers();
            CharSequence protocol = headers.get(Http2Headers.PseudoHeaderName.PROTOCOL.value());
            if (HttpMethod.CONNECT.asciiName().contentEquals(headers.method())
                    && protocol != null
                    && headers.path() != null) {
                headers.method(HttpMethod.GET.asciiName());
                ctx.channel().attr(PROTOCOL).set(protocol.toString());
            }
        }
        ctx.fireChannelRead(msg);
    }
}
