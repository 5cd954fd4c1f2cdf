package dev.ferry.gateway;

import dev.ferry.request.protocol.Address;
import dev.ferry.request.protocol.ErrorCode;
import dev.ferry.request.protocol.FunctionId;
import dev.ferry.request.protocol.HttpScope;
import dev.ferry.request.protocol.WebSocketScope;
import dev.ferry.routing.AccessToken;
import dev.ferry.routing.FunctionLookup;
import dev.ferry.routing.RoutingStore;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One HTTP/1.x client connection, or one HTTP/2 stream seen as HTTP objects: routes each request
 * (or, on HTTP/1.1, a WebSocket upgrade, which the connection then becomes) by its Host header and runs it as an
 * {@link HttpExchange}, one at a time. Pipelined requests wait in a small backlog; past
 * {@link #MAX_BACKLOG} messages the socket is no longer read.
 *
 * <p>Malformed requests get a 400 and the connection is closed; unknown hosts, apps and
 * functions get a 404 naming what was not found. Runs on the channel's event loop only.
 */
final class HttpConnectionHandler extends ChannelInboundHandlerAdapter {

    private static final System.Logger logger = System.getLogger(HttpConnectionHandler.class.getName());

    static final int MAX_BACKLOG = 64;
    /**
     * How long a connection that is being closed after a response keeps reading (and dropping)
     * what the client still sends, so its unread bytes do not turn the close into a reset that
     * destroys the response before the client reads it (lingering close, as nginx does).
     */
    static final long LINGER_MILLIS = 2000;

    private static final AtomicLong CALL_IDS = new AtomicLong();

    private final GatewayConfig config;
    private final RoutingStore store;
    private final FunctionPools pools;
    private final String scheme;
    /** The HTTP version the scope reports when the request object cannot tell ("2" on an HTTP/2 stream); null for HTTP/1.x. */
    private final String httpVersion;

    private final ArrayDeque<Object> backlog = new ArrayDeque<>();
    private ChannelHandlerContext ctx;
    private HttpExchange current;
    /** The response that ends this connection has been sent; whatever arrives is dropped. */
    private boolean closing;
    /** The WebSocket this connection became, if it did; it then takes every message. */
    private WebSocketExchange webSocket;
    /** The scope's client: the connection's remote end, made for its first request (null: not an IP address). */
    private Address clientAddress;
    /** The scope's server: the connection's local end, made with {@link #clientAddress}. */
    private Address serverAddress;
    /** Whether the two above are made. */
    private boolean addressesMade;

    HttpConnectionHandler(
            GatewayConfig config, RoutingStore store, FunctionPools pools, String scheme, String httpVersion) {
        this.config = config;
        this.store = store;
        this.pools = pools;
        this.scheme = scheme;
        this.httpVersion = httpVersion;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (closing) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (webSocket != null) {
            if (msg instanceof WebSocketFrame frame) {
                webSocket.onFrame(frame);
            } else {
                ReferenceCountUtil.release(msg); // the upgrade request's empty end
            }
            return;
        }
        if (current != null
                && !current.requestEnded()
                && msg instanceof HttpContent content
                && !(msg instanceof HttpRequest)) {
            current.onContent(content);
        } else if (current != null) {
            backlog.add(msg);
            if (!backlogHasRoom()) {
                ctx.channel().config().setAutoRead(false);
            }
        } else {
            handle(msg);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (webSocket != null) {
            webSocket.clientGone();
        }
        if (current != null) {
            current.clientGone();
            current = null;
        }
        backlog.forEach(ReferenceCountUtil::release);
        backlog.clear();
        ctx.fireChannelInactive();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (webSocket != null) {
            webSocket.onWritabilityChanged();
        }
        if (current != null) {
            current.onWritabilityChanged();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (webSocket != null && cause instanceof TooLongFrameException) {
            webSocket.messageTooBig();
            return;
        }
        // Socket errors (reset by peer and the like) end the connection quietly; anything else
        // is a fault of ours, worth a log line. channelInactive cleans up either way.
        if (!(cause instanceof java.io.IOException)) {
            logger.log(
                    System.Logger.Level.ERROR,
                    "closing " + ctx.channel() + " after an unexpected error: " + cause,
                    cause);
        }
        ctx.close();
    }

    /**
     * The exchange has sent its whole response. With {@code reuse} the connection takes the
     * next request; otherwise it is being closed.
     */
    void exchangeDone(HttpExchange exchange, boolean reuse) {
        if (exchange != current) {
            return;
        }
        current = null; // any rest of its request body arrives with no exchange and is dropped
        if (!reuse) {
            return;
        }
        waitForNextRequest();
        drainBacklog();
        if (current == null) {
            ctx.channel().config().setAutoRead(true); // else the next exchange decides
        }
    }

    /** Feeds pipelined messages that arrived during the last exchange, up to the next request's end. */
    private void drainBacklog() {
        while (!backlog.isEmpty() && (current == null || !current.requestEnded())) {
            Object msg = backlog.poll();
            if (current != null && msg instanceof HttpContent content) {
                current.onContent(content);
            } else if (current == null) {
                handle(msg);
            } else {
                ReferenceCountUtil.release(msg); // unreachable: the decoder ends each body before the next request
            }
        }
    }

    private void waitForNextRequest() {
        Http1Timeouts timeouts = ctx.pipeline().get(Http1Timeouts.class);
        if (timeouts != null) {
            timeouts.idle();
        }
    }

    /**
     * Closes the connection once {@code lastWrite} is done: at once on an HTTP/2 stream, else
     * after the output is shut down and the client's remaining bytes are read and dropped for
     * up to {@link #LINGER_MILLIS}.
     */
    void closeAfter(ChannelFuture lastWrite) {
        closing = true;
        lastWrite.addListener(done -> {
            if (!done.isSuccess() || !(ctx.channel() instanceof DuplexChannel duplex)) {
                ctx.close();
                return;
            }
            duplex.shutdownOutput().addListener(shut -> {
                ctx.channel().config().setAutoRead(true);
                ctx.executor().schedule(() -> ctx.close(), LINGER_MILLIS, TimeUnit.MILLISECONDS);
            });
        });
    }

    /** Whether pipelined messages may still be read into the backlog. */
    boolean backlogHasRoom() {
        return backlog.size() < MAX_BACKLOG;
    }

    private void handle(Object msg) {
        if (msg instanceof HttpRequest request) {
            try {
                start(request);
                // A whole request in one object (an HTTP/2 stream without a body, an aggregated
                // upgrade request) carries its body and end too.
                if (msg instanceof HttpContent content && current != null) {
                    current.onContent(content.retain());
                }
            } finally {
                ReferenceCountUtil.release(request);
            }
        } else if (msg instanceof HttpContent content) {
            if (current != null) {
                current.onContent(content);
            } else {
                // The body of a request that was already answered (an error, or a response
                // that did not read it): drop it.
                content.release();
            }
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    private void start(HttpRequest request) {
        Http1Timeouts timeouts = ctx.pipeline().get(Http1Timeouts.class);
        if (timeouts != null) {
            timeouts.headComplete();
        }
        if (request.decoderResult().isFailure()) {
            Throwable cause = request.decoderResult().cause();
            if (cause instanceof TooLongHttpLineException) {
                reject(
                        request,
                        ErrorCode.URI_TOO_LONG,
                        "request line longer than " + config.maxRequestLine() + " bytes",
                        false);
            } else if (cause instanceof TooLongHttpHeaderException) {
                reject(
                        request,
                        ErrorCode.HEADERS_TOO_LARGE,
                        "request headers larger than " + config.maxHeaderSize() + " bytes",
                        false);
            } else {
                reject(
                        request,
                        ErrorCode.BAD_REQUEST,
                        "malformed request: " + (cause.getMessage() == null ? cause : cause.getMessage()),
                        false);
            }
            return;
        }
        String host = request.headers().get(HttpHeaderNames.HOST);
        if (host == null || host.isEmpty()) {
            reject(request, ErrorCode.BAD_REQUEST, "missing Host header", false);
            return;
        }
        FunctionLookup lookup = pools.privateLookup(host);
        if (lookup == null) {
            Optional<FunctionId> route = HostRoute.resolve(host, config.domain(), store);
            if (route.isEmpty()) {
                reject(
                        request,
                        ErrorCode.FUNCTION_NOT_FOUND,
                        "no function at host " + host + " (expected: <app>--<function>." + config.domain()
                                + " or a custom domain routed with ferry route)",
                        true);
                return;
            }
            lookup = store.lookup(route.get().app().value(), route.get().name());
        }
        switch (lookup) {
            case FunctionLookup.AppNotFound missing ->
                reject(request, ErrorCode.APP_NOT_FOUND, "app not found: " + missing.app(), true);
            case FunctionLookup.FunctionNotFound missing ->
                reject(
                        request,
                        ErrorCode.FUNCTION_NOT_FOUND,
                        "function not found: " + missing.function() + " in app " + missing.app(),
                        true);
            case FunctionLookup.Found found
            when isWebSocketUpgrade(request) -> {
                WebSocketScope scope;
                try {
                    scope = HttpScopeEncoder.encodeWebSocket(
                            request,
                            scheme.equals("https"),
                            httpVersion,
                            ctx.channel().remoteAddress(),
                            ctx.channel().localAddress());
                } catch (IllegalArgumentException e) {
                    reject(request, ErrorCode.BAD_REQUEST, e.getMessage(), false);
                    return;
                }
                var function = found.function();
                if (function.settings().requiresAuth()) {
                    AccessToken caller = authenticate(request, function.app());
                    if (caller == null) {
                        return;
                    }
                    scope = EndpointAuth.seenBy(scope, caller);
                }
                FullHttpRequest upgrade = new DefaultFullHttpRequest(
                        request.protocolVersion(),
                        request.method(),
                        request.uri(),
                        Unpooled.EMPTY_BUFFER,
                        request.headers().copy(),
                        EmptyHttpHeaders.INSTANCE);
                webSocket = new WebSocketExchange(
                        this,
                        ctx,
                        config,
                        function,
                        pools.poolFor(function.versionKey()),
                        upgrade,
                        "2".equals(httpVersion),
                        scope,
                        Long.toString(CALL_IDS.incrementAndGet(), 36));
                webSocket.begin();
            }
            case FunctionLookup.Found found -> {
                HttpScope scope;
                try {
                    scope = HttpScopeEncoder.encode(request, scheme, httpVersion, clientAddress(), serverAddress());
                } catch (IllegalArgumentException e) {
                    reject(request, ErrorCode.BAD_REQUEST, e.getMessage(), false);
                    return;
                }
                var function = found.function();
                if (function.settings().requiresAuth()) {
                    AccessToken caller = authenticate(request, function.app());
                    if (caller == null) {
                        return;
                    }
                    scope = EndpointAuth.seenBy(scope, caller);
                }
                current = new HttpExchange(
                        this,
                        ctx,
                        config,
                        function,
                        pools.poolFor(function.versionKey()),
                        request,
                        scope,
                        Long.toString(CALL_IDS.incrementAndGet(), 36));
                current.begin();
            }
        }
    }

    /**
     * The token a request to a function that requires one came with, or null once the request
     * is answered 401 or 403: before anything is queued or started. The connection stays open
     * (the request is whole or its body is dropped), so a client can retry with a token.
     */
    private AccessToken authenticate(HttpRequest request, String app) {
        switch (EndpointAuth.check(request.headers(), app, store)) {
            case EndpointAuth.Allowed allowed -> {
                return allowed.token();
            }
            case EndpointAuth.Refused refused -> {
                reject(request, refused.error().getCode(), refused.error().getDetail(), true);
                return null;
            }
        }
    }

    /** An RFC 6455 upgrade on HTTP/1.1, or an RFC 8441 extended CONNECT on an HTTP/2 stream. */
    private boolean isWebSocketUpgrade(HttpRequest request) {
        if ("2".equals(httpVersion)) {
            // ExtendedConnectDecoder turned the CONNECT into a GET and kept its :protocol.
            return "websocket"
                    .equalsIgnoreCase(
                            ctx.channel().attr(ExtendedConnectDecoder.PROTOCOL).get());
        }
        return httpVersion == null
                && request.method().equals(HttpMethod.GET)
                && request.headers().containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)
                && request.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true);
    }

    private Address clientAddress() {
        makeAddresses();
        return clientAddress;
    }

    private Address serverAddress() {
        makeAddresses();
        return serverAddress;
    }

    /** Once per connection: its ends do not change, and formatting an IP address is not free. */
    private void makeAddresses() {
        if (!addressesMade) {
            clientAddress = HttpScopeEncoder.address(ctx.channel().remoteAddress());
            serverAddress = HttpScopeEncoder.address(ctx.channel().localAddress());
            addressesMade = true;
        }
    }

    /** Answers {@code request} with an error; the connection survives only when asked and safe. */
    private void reject(HttpRequest request, ErrorCode code, String detail, boolean mayKeepAlive) {
        boolean keepAlive = mayKeepAlive && HttpUtil.isKeepAlive(request);
        ChannelFuture written = ctx.writeAndFlush(ErrorResponses.of(ctx.alloc(), code, detail, keepAlive));
        if (keepAlive) {
            written.addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        } else {
            closeAfter(written);
        }
        if (keepAlive) {
            waitForNextRequest();
        } else {
            ctx.channel().config().setAutoRead(false);
        }
    }
}
