package dev.ferry.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.util.ReferenceCountUtil;

/**
 * The byte stream of a WebSocket over HTTP/2 (RFC 8441): DATA frames of the stream in, DATA
 * frames out, so the RFC 6455 frame codec can sit on top as it does on a TCP connection. The
 * peer ending its side of the stream ends the WebSocket.
 */
final class Http2WebSocketFrames extends ChannelDuplexHandler {

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Http2DataFrame data) {
            boolean end = data.isEndStream();
            ctx.fireChannelRead(data.content());
            if (end) {
                ctx.close();
            }
        } else {
            ReferenceCountUtil.release(msg); // trailers or other frames carry nothing for a WebSocket
        }
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof ByteBuf bytes) {
            ctx.write(new DefaultHttp2DataFrame(bytes), promise);
        } else {
            ctx.write(msg, promise);
        }
    }
}
