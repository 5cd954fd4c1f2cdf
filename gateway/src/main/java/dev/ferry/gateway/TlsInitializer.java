package dev.ferry.gateway;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;

/**
 * The pipeline of a connection to the HTTPS port: TLS with the current {@link ServerTls}
 * identity, then HTTP/2 or HTTP/1.1 as ALPN chose (HTTP/1.1 for clients without ALPN).
 */
final class TlsInitializer extends ChannelInitializer<SocketChannel> {

    private final EdgeHandlers handlers;
    private final ServerTls tls;
    private final AltSvc altSvc;

    TlsInitializer(EdgeHandlers handlers, ServerTls tls, java.util.function.Supplier<String> altSvc) {
        this.handlers = handlers;
        this.tls = tls;
        this.altSvc = new AltSvc(altSvc);
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ch.pipeline()
                .addLast(
                        tls.context().newHandler(ch.alloc()),
                        new ApplicationProtocolNegotiationHandler(ApplicationProtocolNames.HTTP_1_1) {
                            @Override
                            protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
                                if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
                                    ctx.pipeline()
                                            .addLast(handlers.http2Codec())
                                            .addLast(handlers.http2Streams("https", altSvc));
                                } else if (ApplicationProtocolNames.HTTP_1_1.equals(protocol)) {
                                    ctx.pipeline()
                                            .addLast(
                                                    handlers.http1Timeouts(),
                                                    handlers.http1Codec(),
                                                    altSvc,
                                                    handlers.webSocketCompression(),
                                                    new HttpServerExpectContinueHandler(),
                                                    handlers.http1("https"));
                                } else {
                                    throw new IllegalStateException(
                                            "ALPN protocol: " + protocol + " (expected: h2 or http/1.1)");
                                }
                            }

                            @Override
                            protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
                                ctx.close(); // a client that cannot agree on TLS gets a closed connection; nothing
                                // to log
                            }
                        });
    }
}
