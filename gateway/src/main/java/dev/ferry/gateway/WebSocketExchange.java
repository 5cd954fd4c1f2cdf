package dev.ferry.gateway;

import com.google.protobuf.UnsafeByteOperations;
import dev.ferry.request.protocol.CallError;
import dev.ferry.request.protocol.CallErrors;
import dev.ferry.request.protocol.CallStart;
import dev.ferry.request.protocol.ClientEvent;
import dev.ferry.request.protocol.ErrorCode;
import dev.ferry.request.protocol.ServerEvent;
import dev.ferry.request.protocol.WebSocketConnect;
import dev.ferry.request.protocol.WebSocketDisconnect;
import dev.ferry.request.protocol.WebSocketReceive;
import dev.ferry.request.protocol.WebSocketScope;
import dev.ferry.routing.DeployedFunction;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One WebSocket and its function call, on an HTTP/1.1 connection (RFC 6455 upgrade) or on an
 * HTTP/2 stream (RFC 8441 extended CONNECT): the upgrade waits for the function's
 * {@code websocket.accept} (a {@code websocket.close} first refuses it with 403), then
 * messages flow both ways as websocket events until either side closes.
 *
 * <p>Fragmented messages are joined up to the function's {@code maxWebSocketMessage} (over it: close 1009);
 * pings are answered here; close codes and reasons pass both ways. Backpressure as for HTTP:
 * the socket is not read while the call cannot take more, and the container is granted no
 * more while the socket is not writable. Runs on the channel's event loop only.
 *
 * <p>The call's life (the wait, a container's refusal before it accepts and the resend of the
 * start and {@code websocket.connect} elsewhere, the client leaving) is {@link ExchangeCall}'s;
 * the socket's is this class's, in the states of {@link Socket}.
 */
final class WebSocketExchange {

    private static final System.Logger logger = System.getLogger(WebSocketExchange.class.getName());

    /**
     * The most a compressed message may inflate to, whatever the function allows: a bound
     * against compression bombs before the per-function limit is applied to whole messages.
     */
    static final int MAX_INFLATED = 256 * 1024 * 1024;

    /** RFC 6455 5.5: a close frame's payload is at most 125 bytes, two of them the code. */
    static final int MAX_CLOSE_REASON_BYTES = 123;

    private final HttpConnectionHandler connection;
    private final ChannelHandlerContext ctx;
    private final GatewayConfig config;
    private final DeployedFunction function;
    private final FullHttpRequest upgrade;
    /** RFC 8441: the WebSocket runs on an HTTP/2 stream, opened by an extended CONNECT. */
    private final boolean overHttp2;

    private final WebSocketScope scope;
    private final String callId;
    private final ExchangeCall call;

    /** Where the WebSocket is, as the client sees it. */
    private enum Socket {
        /** The upgrade waits for the function's accept (or the call's refusal). */
        UPGRADING,
        /** Accepted: messages flow both ways. */
        OPEN,
        /** Closed, or the upgrade refused: nothing more is written. */
        CLOSED
    }

    private Socket socket = Socket.UPGRADING;

    WebSocketExchange(
            HttpConnectionHandler connection,
            ChannelHandlerContext ctx,
            GatewayConfig config,
            DeployedFunction function,
            FunctionPool pool,
            FullHttpRequest upgrade,
            boolean overHttp2,
            WebSocketScope scope,
            String callId) {
        this.connection = connection;
        this.ctx = ctx;
        this.config = config;
        this.function = function;
        this.upgrade = upgrade;
        this.overHttp2 = overHttp2;
        this.scope = scope;
        this.callId = callId;
        this.call = new ExchangeCall(ctx, config, function, pool, new CallEvents());
    }

    void begin() {
        call.begin();
    }

    /** A frame from the client, after the handshake. Takes ownership of it. */
    void onFrame(WebSocketFrame frame) {
        try {
            if (socket != Socket.OPEN || !call.running()) {
                return;
            }
            // A message goes into the call's frame straight from the socket's buffer (the frame
            // is written before this returns); text as the UTF-8 the decoder has checked.
            switch (frame) {
                case TextWebSocketFrame text ->
                    forward(WebSocketReceive.newBuilder()
                            .setTextBytes(UnsafeByteOperations.unsafeWrap(
                                    text.content().nioBuffer())));
                case BinaryWebSocketFrame binary ->
                    forward(WebSocketReceive.newBuilder()
                            .setBytes(UnsafeByteOperations.unsafeWrap(
                                    binary.content().nioBuffer())));
                case PingWebSocketFrame ping ->
                    ctx.writeAndFlush(new PongWebSocketFrame(ping.content().retain()));
                case CloseWebSocketFrame close ->
                    clientClosed(close.statusCode() < 0 ? 1005 : close.statusCode(), close.reasonText());
                default -> {} // pongs, and continuations the aggregator already joined
            }
        } finally {
            frame.release();
        }
    }

    /** A message over the function's limit: close 1009 both ways. */
    void messageTooBig() {
        if (socket == Socket.OPEN) {
            sendDisconnect(1009, "message too big");
            closeClient(1009, "message larger than " + maxMessage() + " bytes");
        }
    }

    private int maxMessage() {
        return (int) function.settings().maxWebSocketMessage();
    }

    /** The connection closed: without a close frame first, the function hears 1006 (closed abnormally). */
    void clientGone() {
        sendDisconnect(1006, "");
        socket = Socket.CLOSED;
    }

    void onWritabilityChanged() {
        call.onWritabilityChanged();
    }

    private void forward(WebSocketReceive.Builder message) {
        call.send(ClientEvent.newBuilder().setWebsocketReceive(message).build());
        ctx.channel().config().setAutoRead(call.isReady());
    }

    private void clientClosed(int code, String reason) {
        sendDisconnect(code, reason);
        closeClient(code == 1005 ? 1000 : code, "");
    }

    /** The client is done: the function hears {@code code}, and the call ends when its app returns. */
    private void sendDisconnect(int code, String reason) {
        call.clientLeft(ClientEvent.newBuilder()
                .setWebsocketDisconnect(
                        WebSocketDisconnect.newBuilder().setCode(code).setReason(reason))
                .build());
    }

    /** What the exchange hears of its call. */
    private final class CallEvents implements ExchangeCall.Exchange {

        @Override
        public List<ClientEvent> opening() {
            return List.of(
                    ClientEvent.newBuilder()
                            .setStart(CallStart.newBuilder()
                                    .setFunction(function.id().toString())
                                    .setCallId(callId)
                                    .setWebsocket(scope))
                            .build(),
                    ClientEvent.newBuilder()
                            .setWebsocketConnect(WebSocketConnect.getDefaultInstance())
                            .build());
        }

        @Override
        public void onReady() {
            if (socket == Socket.OPEN) {
                ctx.channel().config().setAutoRead(true);
            }
        }

        @Override
        public void onEvent(ServerEvent event) {
            if (socket == Socket.CLOSED) {
                return;
            }
            switch (event.getEventCase()) {
                case WEBSOCKET_ACCEPT -> accept(event.getWebsocketAccept());
                case WEBSOCKET_SEND -> {
                    var send = event.getWebsocketSend();
                    // Text goes out as the bytes it came in (UTF-8), without decoding it here.
                    ctx.write(
                            send.hasText()
                                    ? new TextWebSocketFrame(Unpooled.wrappedBuffer(
                                            send.getTextBytes().asReadOnlyByteBuffer()))
                                    : new BinaryWebSocketFrame(Unpooled.wrappedBuffer(
                                            send.getBytes().asReadOnlyByteBuffer())));
                    ctx.flush();
                    call.requestNext();
                }
                case WEBSOCKET_CLOSE -> {
                    if (socket == Socket.OPEN) {
                        closeClient(
                                event.getWebsocketClose().getCode() == 0
                                        ? 1000
                                        : event.getWebsocketClose().getCode(),
                                event.getWebsocketClose().getReason());
                    } else {
                        refuse(CallErrors.of(ErrorCode.BAD_REQUEST, "the function refused the WebSocket"), 403);
                    }
                }
                case ERROR -> fail(event.getError());
                default ->
                    fail(CallErrors.of(
                            ErrorCode.PROTOCOL_VIOLATION,
                            "unexpected event " + event.getEventCase() + " in a WebSocket"));
            }
        }

        @Override
        public void onEnd(FunctionCall.End end, String detail, String containerId) {
            switch (end) {
                case COMPLETED -> {
                    if (socket == Socket.OPEN) {
                        closeClient(1000, "");
                    } else {
                        refuse(
                                CallErrors.of(
                                        ErrorCode.BAD_REQUEST, "the function ended without accepting the WebSocket"),
                                403);
                    }
                }
                case TIMED_OUT -> fail(CallErrors.of(ErrorCode.FUNCTION_TIMEOUT, "the call ended: DEADLINE_EXCEEDED"));
                case LOST ->
                    // Accepted, and its container died: close 1011 (or, before the function
                    // accepted the socket, a 502) saying why, once the worker says.
                    call.whenExitKnown(
                            containerId,
                            reason -> fail(CallErrors.of(
                                    ErrorCode.CONTAINER_LOST, ExchangeCall.lostDetail(containerId, reason))));
            }
        }

        @Override
        public void noSlot(CallError error, int retryAfterSeconds) {
            refuse(error, 503, retryAfterSeconds);
        }
    }

    private void accept(dev.ferry.request.protocol.WebSocketAccept accept) {
        if (socket == Socket.OPEN) {
            fail(CallErrors.of(ErrorCode.PROTOCOL_VIOLATION, "websocket.accept sent twice"));
            return;
        }
        String subprotocol = accept.hasSubprotocol() ? accept.getSubprotocol() : null;
        if (overHttp2) {
            acceptOnStream(accept, subprotocol);
            return;
        }
        WebSocketServerHandshaker handshaker = new WebSocketServerHandshakerFactory(
                        "ws://" + upgrade.headers().get("host") + upgrade.uri(), subprotocol, true, maxMessage())
                .newHandshaker(upgrade);
        if (handshaker == null) {
            refuse(CallErrors.of(ErrorCode.BAD_REQUEST, "unsupported WebSocket version (expected: 13)"), 426);
            return;
        }
        HttpHeaders headers = new DefaultHttpHeaders();
        accept.getHeadersList()
                .forEach(h ->
                        headers.add(h.getName().toStringUtf8(), h.getValue().toStringUtf8()));
        socket = Socket.OPEN;
        handshaker.handshake(ctx.channel(), upgrade, headers, ctx.newPromise()).addListener(done -> {
            upgrade.release();
            if (!done.isSuccess()) {
                clientGone();
                ctx.close();
                return;
            }
            // Fragments are joined before they reach us; over the limit the aggregator fails and we close 1009.
            ctx.pipeline().addBefore(ctx.name(), null, new WebSocketFrameAggregator(maxMessage()));
            ctx.channel().config().setAutoRead(call.isReady());
        });
        call.requestNext();
    }

    /**
     * RFC 8441: a 200 on the stream opens the WebSocket; then the stream's DATA carries RFC 6455
     * frames, client frames masked as on TCP.
     */
    private void acceptOnStream(dev.ferry.request.protocol.WebSocketAccept accept, String subprotocol) {
        HttpResponse ok = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        accept.getHeadersList()
                .forEach(h -> ok.headers()
                        .add(h.getName().toStringUtf8(), h.getValue().toStringUtf8()));
        if (subprotocol != null) {
            ok.headers().set(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL, subprotocol);
        }
        socket = Socket.OPEN;
        upgrade.release();
        ctx.writeAndFlush(ok);
        ChannelPipeline pipeline = ctx.pipeline();
        pipeline.remove(Http2StreamFrameToHttpObjectCodec.class);
        pipeline.addBefore(ctx.name(), null, new Http2WebSocketFrames());
        pipeline.addBefore(
                ctx.name(),
                null,
                new WebSocket13FrameDecoder(WebSocketDecoderConfig.newBuilder()
                        .expectMaskedFrames(true)
                        .maxFramePayloadLength(maxMessage())
                        .allowExtensions(false)
                        .build()));
        pipeline.addBefore(ctx.name(), null, new WebSocket13FrameEncoder(false));
        pipeline.addBefore(ctx.name(), null, new WebSocketFrameAggregator(maxMessage()));
        ctx.channel().config().setAutoRead(call.isReady());
        call.requestNext();
    }

    private void closeClient(int code, String reason) {
        socket = Socket.CLOSED;
        call.complete();
        ctx.writeAndFlush(new CloseWebSocketFrame(code, closeReason(reason))).addListener(ChannelFutureListener.CLOSE);
    }

    /**
     * {@code reason} cut to the {@value #MAX_CLOSE_REASON_BYTES} bytes of UTF-8 a close frame
     * holds, at a character boundary: a longer one would make the frame invalid.
     */
    static String closeReason(String reason) {
        if (reason.length() * 3 <= MAX_CLOSE_REASON_BYTES) {
            return reason; // short enough whatever its characters
        }
        ByteBuffer bytes = ByteBuffer.allocate(MAX_CLOSE_REASON_BYTES);
        CharBuffer chars = CharBuffer.wrap(reason);
        StandardCharsets.UTF_8
                .newEncoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE)
                .encode(chars, bytes, true);
        return chars.hasRemaining() ? reason.substring(0, chars.position()) : reason;
    }

    private void fail(CallError error) {
        if (socket == Socket.OPEN) {
            logger.log(
                    error.getCode() == ErrorCode.INTERNAL ? System.Logger.Level.ERROR : System.Logger.Level.WARNING,
                    "WebSocket call " + callId + " to " + function.id() + " failed: " + error.getDetail());
            call.cancel("gateway closed the WebSocket");
            closeClient(1011, CallErrors.clientMessage(error));
        } else {
            refuse(error);
        }
    }

    private void refuse(CallError error) {
        refuse(error, CallErrors.httpStatus(error.getCode()));
    }

    private void refuse(CallError error, int status) {
        refuse(error, status, ErrorResponses.RETRY_AFTER_SECONDS);
    }

    /** Answers the upgrade request with an HTTP error; the connection then closes. */
    private void refuse(CallError error, int status, int retryAfterSeconds) {
        if (socket == Socket.CLOSED) {
            return;
        }
        socket = Socket.CLOSED;
        call.cancel("WebSocket refused");
        upgrade.release();
        var response = ErrorResponses.of(ctx.alloc(), error, false, retryAfterSeconds);
        response.setStatus(io.netty.handler.codec.http.HttpResponseStatus.valueOf(status));
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
}
