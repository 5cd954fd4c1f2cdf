package dev.ferry.gateway;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpResponse;
import java.util.function.Supplier;

/**
 * Advertises HTTP/3 on responses sent over TCP TLS ({@code alt-svc: h3=":8443"; ma=86400}), so
 * clients that speak it move to QUIC for their next requests. Stateless and sharable.
 */
@ChannelHandler.Sharable
final class AltSvc extends ChannelOutboundHandlerAdapter {

    private final Supplier<String> value;

    AltSvc(Supplier<String> value) {
        this.value = value;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        String advertised = value.get();
        if (msg instanceof HttpResponse response && advertised != null) {
            response.headers().set("alt-svc", advertised);
        }
        ctx.write(msg, promise);
    }
}
