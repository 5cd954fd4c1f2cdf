package dev.ferry.gateway;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2CodecUtil;
import java.io.IOException;

/**
 * The end of an HTTP/2 connection's pipeline, after the stream multiplexer. A protocol error
 * reaches it after the HTTP/2 codec has already given the peer the protocol's answer — a
 * GOAWAY with the error code for a connection error, a RST_STREAM for a stream error — and
 * the codec closes the connection when it must, so it is dropped here. Closing at this point
 * would race the codec's GOAWAY with one saying NO_ERROR, and on a prior-knowledge or
 * upgraded connection the HTTP/1.1 handlers further down would do just that.
 */
@ChannelHandler.Sharable
final class Http2ConnectionErrors extends ChannelInboundHandlerAdapter {

    private static final System.Logger logger = System.getLogger(Http2ConnectionErrors.class.getName());

    static final Http2ConnectionErrors INSTANCE = new Http2ConnectionErrors();

    private Http2ConnectionErrors() {}

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (Http2CodecUtil.getEmbeddedHttp2Exception(cause) != null) {
            return;
        }
        if (!(cause instanceof IOException)) {
            logger.log(
                    System.Logger.Level.ERROR,
                    "closing " + ctx.channel() + " after an unexpected error: " + cause,
                    cause);
        }
        ctx.close();
    }
}
