package dev.ferry.perf.bench;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketHandshakeException;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.handler.codec.http2.AbstractHttp2ConnectionHandlerBuilder;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Flags;
import io.netty.handler.codec.http2.Http2FrameListener;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.internal.logging.InternalLoggerFactory;
import io.netty.util.internal.logging.JdkLoggerFactory;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The bench's baseline: the trivial handler with nothing in front of it, in its own process,
 * so that "direct" measures the client, the loopback and Netty alone. nginx and HAProxy proxy
 * to it, and it answers what Ferry's example functions answer, byte for byte where the bench
 * looks, so that every target serves the same work.
 *
 * <p>Usage: {@code BareServer PORT}. One loopback port speaks HTTP/1.1 and HTTP/2 with prior
 * knowledge (h2c), told apart by the connection's first bytes:
 * <ul>
 *   <li>any request → 200, {@code content-type: text/plain; charset=utf-8}, "Hello from Ferry!\n"
 *       (the example {@code examples--hello}); HTTP/1.x keep-alive as the request asks;</li>
 *   <li>{@code GET /sse} → 200 {@code text/event-stream} with one event, flushed at once, then
 *       the end of the response (chunked over HTTP/1.1);</li>
 *   <li>a WebSocket upgrade on {@code /ws} (HTTP/1.1) → echoes text and binary frames, up to
 *       {@value #MAX_WEBSOCKET_FRAME} bytes each.</li>
 * </ul>
 * Prints {@value #READY} on stdout once it listens, and nothing else there (diagnostics go to
 * stderr). Exits on SIGTERM, on EOF of stdin and when its parent process exits, so a bench that
 * dies never leaves one behind. Netty's default event loop count (twice the processors), epoll
 * where available, TCP_NODELAY.
 */
final class BareServer {

    static {
        // Before any Netty class logs: under surefire the class path carries Gatling's logback,
        // which logs everything at DEBUG unless configured; the JDK's logger stays at INFO.
        InternalLoggerFactory.setDefaultFactory(JdkLoggerFactory.INSTANCE);
    }

    /** The one line printed on stdout once the port accepts connections. */
    static final String READY = "bare-server ready";
    /** The body of every ordinary response: what the example function hello returns. */
    static final String HELLO = "Hello from Ferry!\n";
    /** The one event of {@code /sse}: what the example function sse sends first, without its timestamp. */
    static final String SSE_EVENT = "id: 1\nevent: tick\ndata: {\"n\": 1}\n\n";

    static final int MAX_WEBSOCKET_FRAME = 16 * 1024 * 1024;
    /** Per HTTP/2 connection, as Ferry's gateway allows by default and nginx and HAProxy are set to. */
    static final int MAX_CONCURRENT_STREAMS = 256;

    static final String TEXT_PLAIN = "text/plain; charset=utf-8";
    static final String EVENT_STREAM = "text/event-stream";

    /**
     * Shared by every response: unreleasable, so writing a duplicate costs no reference count
     * update on a buffer all event loops share.
     */
    private static final ByteBuf HELLO_BODY = constant(HELLO);

    private static final ByteBuf SSE_BODY = constant(SSE_EVENT);

    private BareServer() {}

    public static void main(String[] args) throws InterruptedException {
        if (args.length != 1) {
            System.err.println("usage: BareServer PORT (expected: one argument, got " + args.length + ")");
            System.exit(2);
        }
        int port;
        try {
            port = Integer.parseInt(args[0]);
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 1 || port > 65535) {
            System.err.println("BareServer: port: " + args[0] + " (expected: 1-65535)");
            System.exit(2);
        }
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        Class<? extends ServerChannel> channelType =
                epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        EventLoopGroup acceptor = new MultiThreadIoEventLoopGroup(1, io);
        EventLoopGroup workers = new MultiThreadIoEventLoopGroup(io);
        Channel server;
        try {
            server = new ServerBootstrap()
                    .group(acceptor, workers)
                    .channel(channelType)
                    .option(ChannelOption.SO_BACKLOG, 4096)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast("protocol-detector", new ProtocolDetector());
                        }
                    })
                    .bind(InetAddress.getLoopbackAddress(), port)
                    .sync()
                    .channel();
        } catch (Exception e) {
            System.err.println("BareServer: cannot listen on 127.0.0.1:" + port + ": " + e);
            acceptor.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            workers.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            System.exit(1);
            return;
        }
        Runtime.getRuntime()
                .addShutdownHook(Thread.ofPlatform().name("bare-server-stop").unstarted(() -> {
                    server.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
                    acceptor.shutdownGracefully(0, 1, TimeUnit.SECONDS);
                    workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(2, TimeUnit.SECONDS);
                }));
        exitWithParent();
        System.err.println("BareServer: listening on 127.0.0.1:" + port + " for HTTP/1.1 and h2c ("
                + (epoll ? "epoll" : "nio") + ", " + Runtime.getRuntime().availableProcessors() + " processors)");
        System.out.println(READY);
        System.out.flush();
        server.closeFuture().sync();
    }

    /**
     * Exits when the parent exits or our stdin ends. Either alone can miss: stdin only ends when
     * every holder of its other end has gone (a shell in between may keep it open), and the
     * parent's exit is noticed by polling, since it is not our child. Whoever starts the server
     * by hand must therefore leave stdin open (a terminal does; {@code </dev/null} does not).
     */
    private static void exitWithParent() {
        ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(() -> System.exit(0)));
        Thread.ofPlatform().daemon().name("bare-server-stdin").start(() -> {
            try {
                byte[] discard = new byte[256];
                while (System.in.read(discard) >= 0) {
                    // the parent may write; nothing it writes means anything
                }
            } catch (IOException e) {
                // stdin gone: same as EOF
            }
            System.exit(0);
        });
    }

    private static ByteBuf constant(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return Unpooled.unreleasableBuffer(Unpooled.directBuffer(bytes.length).writeBytes(bytes));
    }

    /** The path of a request target, without its query. */
    static String path(CharSequence target) {
        String s = target.toString();
        int query = s.indexOf('?');
        return query < 0 ? s : s.substring(0, query);
    }

    /**
     * Tells HTTP/2 with prior knowledge from HTTP/1.x by the connection's first bytes, installs
     * the matching handlers and steps aside, handing on every byte it has seen. HTTP/1.x is known
     * at the first byte that differs from the preface ("GET" differs at the first).
     */
    static final class ProtocolDetector extends ByteToMessageDecoder {

        private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, java.util.List<Object> out) {
            int n = Math.min(in.readableBytes(), PREFACE.length);
            for (int i = 0; i < n; i++) {
                if (in.getByte(in.readerIndex() + i) != PREFACE[i]) {
                    ctx.pipeline()
                            .addAfter(ctx.name(), "http1-codec", new HttpServerCodec())
                            .addAfter("http1-codec", "http1", new Http1Handler());
                    ctx.pipeline().remove(this);
                    return;
                }
            }
            if (n == PREFACE.length) {
                ctx.pipeline().addAfter(ctx.name(), "http2", new Http2HandlerBuilder().build());
                ctx.pipeline().remove(this);
            }
        }
    }

    /**
     * HTTP/1.x: answers each request once its end has arrived, so pipelined requests are
     * answered in order, and flushes once per read so that pipelined answers share a write.
     * Request bodies are read and dropped.
     */
    static final class Http1Handler extends ChannelInboundHandlerAdapter {

        private static final HttpHeaders HELLO_HEADERS = helloHeaders(null);
        private static final HttpHeaders HELLO_HEADERS_CLOSE = helloHeaders(HttpHeaderValues.CLOSE);
        /** An HTTP/1.0 client keeps the connection only when told so. */
        private static final HttpHeaders HELLO_HEADERS_KEEP_ALIVE = helloHeaders(HttpHeaderValues.KEEP_ALIVE);

        private static final WebSocketDecoderConfig WEBSOCKET = WebSocketDecoderConfig.newBuilder()
                .maxFramePayloadLength(MAX_WEBSOCKET_FRAME)
                .allowExtensions(false)
                .build();

        private enum Reply {
            HELLO,
            SSE,
            WEBSOCKET
        }

        /** The request whose end has not arrived yet; null between requests. */
        private HttpRequest request;

        private Reply reply;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpRequest head) {
                if (head.decoderResult().isFailure()) {
                    ReferenceCountUtil.release(msg);
                    badRequest(ctx);
                    return;
                }
                request = head;
                reply = classify(head);
                if (reply != Reply.WEBSOCKET && HttpUtil.is100ContinueExpected(head)) {
                    ctx.write(
                            new DefaultFullHttpResponse(
                                    HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE, Unpooled.EMPTY_BUFFER),
                            ctx.voidPromise());
                }
            }
            if (msg instanceof HttpContent content) {
                boolean last = content instanceof LastHttpContent;
                if (content.decoderResult().isFailure()) {
                    content.release();
                    badRequest(ctx);
                    return;
                }
                content.release();
                if (last && request != null) {
                    HttpRequest head = request;
                    request = null;
                    respond(ctx, head);
                }
            } else if (!(msg instanceof HttpRequest)) {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }

        private static Reply classify(HttpRequest head) {
            String path = path(head.uri());
            if (path.equals("/ws")
                    && head.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)) {
                return Reply.WEBSOCKET;
            }
            if (path.equals("/sse") && head.method().equals(HttpMethod.GET)) {
                return Reply.SSE;
            }
            return Reply.HELLO;
        }

        private void respond(ChannelHandlerContext ctx, HttpRequest head) {
            boolean keepAlive = HttpUtil.isKeepAlive(head);
            switch (reply) {
                case HELLO -> {
                    HttpHeaders headers = !keepAlive
                            ? HELLO_HEADERS_CLOSE
                            : head.protocolVersion().equals(HttpVersion.HTTP_1_0)
                                    ? HELLO_HEADERS_KEEP_ALIVE
                                    : HELLO_HEADERS;
                    ByteBuf body =
                            head.method().equals(HttpMethod.HEAD) ? Unpooled.EMPTY_BUFFER : HELLO_BODY.duplicate();
                    DefaultFullHttpResponse response = new DefaultFullHttpResponse(
                            HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body, headers, EmptyHttpHeaders.INSTANCE);
                    if (keepAlive) {
                        ctx.write(response, ctx.voidPromise());
                    } else {
                        ctx.write(response).addListener(ChannelFutureListener.CLOSE);
                    }
                }
                case SSE -> {
                    DefaultHttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                    response.headers()
                            .set(HttpHeaderNames.CONTENT_TYPE, EVENT_STREAM)
                            .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE)
                            .set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
                    if (!keepAlive) {
                        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                    }
                    ctx.write(response, ctx.voidPromise());
                    ctx.writeAndFlush(new DefaultHttpContent(SSE_BODY.duplicate()), ctx.voidPromise());
                    if (keepAlive) {
                        ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT, ctx.voidPromise());
                    } else {
                        ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE);
                    }
                }
                case WEBSOCKET -> upgrade(ctx, head);
            }
        }

        /** Answers the upgrade and hands the connection to an echo handler. */
        private void upgrade(ChannelHandlerContext ctx, HttpRequest head) {
            FullHttpRequest full = new DefaultFullHttpRequest(
                    head.protocolVersion(),
                    head.method(),
                    head.uri(),
                    Unpooled.EMPTY_BUFFER,
                    head.headers(),
                    EmptyHttpHeaders.INSTANCE);
            String host = head.headers().get(HttpHeaderNames.HOST, "127.0.0.1");
            WebSocketServerHandshaker handshaker = new WebSocketServerHandshakerFactory(
                            "ws://" + host + head.uri(), null, WEBSOCKET)
                    .newHandshaker(full);
            if (handshaker == null) {
                WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel());
                return;
            }
            Channel channel = ctx.channel();
            ctx.pipeline().replace(this, "websocket-echo", new WebSocketEchoHandler(handshaker));
            try {
                handshaker.handshake(channel, full).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
            } catch (WebSocketHandshakeException e) {
                DefaultFullHttpResponse response = new DefaultFullHttpResponse(
                        HttpVersion.HTTP_1_1,
                        HttpResponseStatus.BAD_REQUEST,
                        Unpooled.copiedBuffer(e.getMessage() + "\n", StandardCharsets.UTF_8));
                HttpUtil.setContentLength(response, response.content().readableBytes());
                response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                channel.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            }
        }

        private static void badRequest(ChannelHandlerContext ctx) {
            DefaultFullHttpResponse response = new DefaultFullHttpResponse(
                    HttpVersion.HTTP_1_1, HttpResponseStatus.BAD_REQUEST, Unpooled.EMPTY_BUFFER);
            response.headers()
                    .set(HttpHeaderNames.CONTENT_LENGTH, 0)
                    .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }

        /** Built once and only read afterwards, so every event loop can share them. */
        private static HttpHeaders helloHeaders(AsciiString connection) {
            HttpHeaders headers = new DefaultHttpHeaders()
                    .set(HttpHeaderNames.CONTENT_TYPE, TEXT_PLAIN)
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, HELLO_BODY.readableBytes());
            if (connection != null) {
                headers.set(HttpHeaderNames.CONNECTION, connection);
            }
            return headers;
        }
    }

    /**
     * A WebSocket after the handshake: echoes text, binary and continuation frames as they
     * came, answers pings and close. Stops reading while the peer does not read its echoes, so
     * a slow reader cannot grow our memory without bound.
     */
    static final class WebSocketEchoHandler extends ChannelInboundHandlerAdapter {

        private final WebSocketServerHandshaker handshaker;

        WebSocketEchoHandler(WebSocketServerHandshaker handshaker) {
            this.handshaker = handshaker;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            switch (msg) {
                case CloseWebSocketFrame close -> handshaker.close(ctx, close);
                case PingWebSocketFrame ping -> ctx.write(new PongWebSocketFrame(ping.content()), ctx.voidPromise());
                case PongWebSocketFrame pong -> pong.release();
                case WebSocketFrame frame -> ctx.write(frame, ctx.voidPromise());
                default -> ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
            if (!ctx.channel().isWritable()) {
                ctx.channel().config().setAutoRead(false);
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (ctx.channel().isWritable()) {
                ctx.channel().config().setAutoRead(true);
            }
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /**
     * HTTP/2: answers on the connection's own frame listener, with no child channel per stream,
     * the cheapest way Netty offers. Each request is answered once its end has arrived; the
     * connection handler flushes at the end of every read.
     */
    static final class Http2Handler extends Http2ConnectionHandler implements Http2FrameListener {

        private static final Http2Headers HELLO_HEADERS = new DefaultHttp2Headers()
                .status(HttpResponseStatus.OK.codeAsText())
                .set(HttpHeaderNames.CONTENT_TYPE, TEXT_PLAIN)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, HELLO_BODY.readableBytes());
        private static final Http2Headers SSE_HEADERS = new DefaultHttp2Headers()
                .status(HttpResponseStatus.OK.codeAsText())
                .set(HttpHeaderNames.CONTENT_TYPE, EVENT_STREAM)
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE);

        /** The request headers of a stream whose body is still arriving. */
        private final Http2Connection.PropertyKey requestKey;

        Http2Handler(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder, Http2Settings settings) {
            super(decoder, encoder, settings);
            this.requestKey = connection().newKey();
        }

        @Override
        public void onHeadersRead(
                ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding, boolean endOfStream) {
            Http2Stream stream = connection().stream(streamId);
            Http2Headers request = stream == null ? null : stream.getProperty(requestKey);
            if (request == null) {
                request = headers; // not trailers
            }
            if (endOfStream) {
                respond(ctx, streamId, request);
            } else if (stream != null) {
                stream.setProperty(requestKey, request);
            }
        }

        @Override
        public void onHeadersRead(
                ChannelHandlerContext ctx,
                int streamId,
                Http2Headers headers,
                int streamDependency,
                short weight,
                boolean exclusive,
                int padding,
                boolean endOfStream) {
            onHeadersRead(ctx, streamId, headers, padding, endOfStream);
        }

        @Override
        public int onDataRead(ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding, boolean endOfStream) {
            int processed = data.readableBytes() + padding;
            if (endOfStream) {
                Http2Stream stream = connection().stream(streamId);
                Http2Headers request = stream == null ? null : stream.removeProperty(requestKey);
                if (request != null) {
                    respond(ctx, streamId, request);
                }
            }
            return processed;
        }

        private void respond(ChannelHandlerContext ctx, int streamId, Http2Headers request) {
            boolean head = HttpMethod.HEAD.asciiName().contentEquals(request.method());
            boolean sse = HttpMethod.GET.asciiName().contentEquals(request.method())
                    && request.path() != null
                    && path(request.path()).equals("/sse");
            Http2ConnectionEncoder encoder = encoder();
            if (sse) {
                encoder.writeHeaders(ctx, streamId, SSE_HEADERS, 0, false, ctx.newPromise());
                encoder.writeData(ctx, streamId, SSE_BODY.duplicate(), 0, false, ctx.newPromise());
                flush(ctx);
                encoder.writeData(ctx, streamId, Unpooled.EMPTY_BUFFER, 0, true, ctx.newPromise());
            } else {
                encoder.writeHeaders(ctx, streamId, HELLO_HEADERS, 0, head, ctx.newPromise());
                if (!head) {
                    encoder.writeData(ctx, streamId, HELLO_BODY.duplicate(), 0, true, ctx.newPromise());
                }
            }
        }

        @Override
        public void onPriorityRead(
                ChannelHandlerContext ctx, int streamId, int streamDependency, short weight, boolean exclusive) {}

        @Override
        public void onRstStreamRead(ChannelHandlerContext ctx, int streamId, long errorCode) {}

        @Override
        public void onSettingsAckRead(ChannelHandlerContext ctx) {}

        @Override
        public void onSettingsRead(ChannelHandlerContext ctx, Http2Settings settings) {}

        @Override
        public void onPingRead(ChannelHandlerContext ctx, long data) {}

        @Override
        public void onPingAckRead(ChannelHandlerContext ctx, long data) {}

        @Override
        public void onPushPromiseRead(
                ChannelHandlerContext ctx, int streamId, int promisedStreamId, Http2Headers headers, int padding) {}

        @Override
        public void onGoAwayRead(ChannelHandlerContext ctx, int lastStreamId, long errorCode, ByteBuf debugData) {}

        @Override
        public void onWindowUpdateRead(ChannelHandlerContext ctx, int streamId, int windowSizeIncrement) {}

        @Override
        public void onUnknownFrame(
                ChannelHandlerContext ctx, byte frameType, int streamId, Http2Flags flags, ByteBuf payload) {}
    }

    /** Builds a server-side {@link Http2Handler} that is its own frame listener. */
    static final class Http2HandlerBuilder
            extends AbstractHttp2ConnectionHandlerBuilder<Http2Handler, Http2HandlerBuilder> {

        Http2HandlerBuilder() {
            server(true);
            initialSettings(Http2Settings.defaultSettings().maxConcurrentStreams(MAX_CONCURRENT_STREAMS));
        }

        @Override
        public Http2Handler build() {
            return super.build();
        }

        @Override
        protected Http2Handler build(
                Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder, Http2Settings settings) {
            Http2Handler handler = new Http2Handler(decoder, encoder, settings);
            frameListener(handler);
            return handler;
        }
    }
}
