package dev.ferry.gateway;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import dev.ferry.request.protocol.CallError;
import dev.ferry.request.protocol.CallErrors;
import dev.ferry.request.protocol.CallStart;
import dev.ferry.request.protocol.ClientEvent;
import dev.ferry.request.protocol.ErrorCode;
import dev.ferry.request.protocol.HttpDisconnect;
import dev.ferry.request.protocol.HttpRequest;
import dev.ferry.request.protocol.HttpScope;
import dev.ferry.request.protocol.ServerEvent;
import dev.ferry.routing.DeployedFunction;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * One HTTP/1.x request and its function call: waits for an input slot, streams the request
 * body into the call and the call's response back to the client. The call's life (the wait,
 * a container's refusal and the resend, the client leaving) is {@link ExchangeCall}'s; the
 * answer to the client is this class's, in the states of {@link Answer}.
 *
 * <p>Threading: everything runs on the client channel's event loop (the call's listener runs
 * on that loop; {@link CallAdmission} reports on it too).
 *
 * <p>Backpressure: while the call is not ready for more, the client socket is not read;
 * while the client socket is not writable, the container is not granted more. While the
 * request waits for a slot, the socket is not read either: its body waits there.
 */
final class HttpExchange {

    private static final System.Logger logger = System.getLogger(HttpExchange.class.getName());

    private static final ClientEvent HTTP_DISCONNECT = ClientEvent.newBuilder()
            .setHttpDisconnect(HttpDisconnect.getDefaultInstance())
            .build();

    /** Where the answer to the client is. */
    private enum Answer {
        /** Nothing written yet: an error can still be a proper response. */
        PENDING,
        /** The head is written; body chunks follow. */
        BODY,
        /** The last chunk is written; the trailers the head announced follow. */
        TRAILERS,
        /** Complete, or an error answered, or the connection cut: nothing more is written. */
        DONE
    }

    private final HttpConnectionHandler connection;
    private final ChannelHandlerContext ctx;
    private final DeployedFunction function;
    private final io.netty.handler.codec.http.HttpRequest request;
    private final HttpScope scope;
    private final String callId;
    private final boolean head;
    /** The request has no body: its head is the whole of it, whatever the decoder still has to say. */
    private final boolean bodiless;

    private final ExchangeCall call;

    private Answer answer = Answer.PENDING;
    private boolean requestEnded;
    private boolean trailersAnnounced;
    private boolean keepAlive;
    private boolean flushScheduled;
    private long bodyBytes;

    HttpExchange(
            HttpConnectionHandler connection,
            ChannelHandlerContext ctx,
            GatewayConfig config,
            DeployedFunction function,
            FunctionPool pool,
            io.netty.handler.codec.http.HttpRequest request,
            HttpScope scope,
            String callId) {
        this.connection = connection;
        this.ctx = ctx;
        this.function = function;
        this.request = request;
        this.scope = scope;
        this.callId = callId;
        this.head = request.method().equals(HttpMethod.HEAD);
        this.keepAlive = HttpUtil.isKeepAlive(request);
        this.bodiless = bodiless(request);
        this.call = new ExchangeCall(ctx, config, function, pool, new CallEvents());
    }

    boolean requestEnded() {
        return requestEnded;
    }

    /** Takes a free slot, or queues for one and asks for capacity; a declared body over the limit gets a 413 first. */
    void begin() {
        long limit = function.settings().maxRequestBody();
        if (limit > 0 && HttpUtil.getContentLength(request, -1L) > limit) {
            keepAlive = false;
            respondError(
                    CallErrors.of(ErrorCode.PAYLOAD_TOO_LARGE, tooLarge(limit)), ErrorResponses.RETRY_AFTER_SECONDS);
            return;
        }
        call.begin();
    }

    /**
     * Whether {@code request} declares no body (no chunked transfer, no or a zero Content-Length):
     * an error answered before its (empty) end was read can still keep the connection, since
     * nothing of the request is left to skip; what the decoder still emits of it is dropped.
     */
    private static boolean bodiless(io.netty.handler.codec.http.HttpRequest request) {
        if (HttpUtil.isTransferEncodingChunked(request)) {
            return false;
        }
        try {
            return HttpUtil.getContentLength(request, 0L) == 0L;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private String tooLarge(long limit) {
        return "request body larger than " + limit + " bytes, the limit of " + function.id();
    }

    /** A piece of the request body from the client. Takes ownership of {@code content}. */
    void onContent(HttpContent content) {
        try {
            if (content.decoderResult().isFailure()) {
                requestEnded = true;
                keepAlive = false;
                abort(
                        ErrorCode.BAD_REQUEST,
                        "malformed request body: "
                                + content.decoderResult().cause().getMessage());
                return;
            }
            boolean last = content instanceof LastHttpContent;
            requestEnded |= last;
            if (answer == Answer.DONE) {
                return; // the call is over; the rest of the body has nowhere to go
            }
            bodyBytes += content.content().readableBytes();
            long limit = function.settings().maxRequestBody();
            if (limit > 0 && bodyBytes > limit) {
                keepAlive = false; // the rest of the body is not read
                abort(ErrorCode.PAYLOAD_TOO_LARGE, tooLarge(limit));
                return;
            }
            // The chunk goes into the call's frame straight from the socket's buffer (the frame is
            // written before this returns); only what the call keeps for a resend is copied.
            ByteString body = call.keepsWhatIsSent()
                    ? ByteString.copyFrom(content.content().nioBuffer())
                    : UnsafeByteOperations.unsafeWrap(content.content().nioBuffer());
            call.send(ClientEvent.newBuilder()
                    .setHttpRequest(HttpRequest.newBuilder().setBody(body).setMoreBody(!last))
                    .build());
            updateReading();
        } finally {
            content.release();
        }
    }

    /** The client's connection closed. */
    void clientGone() {
        call.clientLeft(HTTP_DISCONNECT);
        answer = Answer.DONE;
    }

    /**
     * Reads the client socket while the body can go on to a started call, and after the body
     * has ended too (that is how a client that leaves, even one still queued, is noticed), as
     * long as the pipelining backlog has room.
     */
    private void updateReading() {
        boolean read = requestEnded ? connection.backlogHasRoom() : call.isReady();
        ctx.channel().config().setAutoRead(read);
    }

    void onWritabilityChanged() {
        call.onWritabilityChanged();
    }

    /**
     * Flushes once the messages that arrived together from the call have been written: the
     * head, body and end of a small response go out in one write, and a streamed chunk still
     * reaches the client within one event loop turn.
     */
    private void flushSoon() {
        if (!flushScheduled) {
            flushScheduled = true;
            ctx.executor().execute(() -> {
                flushScheduled = false;
                ctx.flush();
            });
        }
    }

    /** What the exchange hears of its call. */
    private final class CallEvents implements ExchangeCall.Exchange {

        @Override
        public List<ClientEvent> opening() {
            return List.of(ClientEvent.newBuilder()
                    .setStart(CallStart.newBuilder()
                            .setFunction(function.id().toString())
                            .setCallId(callId)
                            .setHttp(scope))
                    .build());
            // No half-close when the body ends (its last event says so): the call must stay
            // open for an http.disconnect until the response is done.
        }

        @Override
        public void onReady() {
            updateReading();
        }

        @Override
        public void onEvent(ServerEvent event) {
            switch (event.getEventCase()) {
                case HTTP_RESPONSE_START -> onStart(event);
                case HTTP_RESPONSE_BODY -> onBody(event);
                case HTTP_RESPONSE_TRAILERS -> onTrailers(event);
                case ERROR -> onError(event.getError());
                default ->
                    abort(
                            ErrorCode.PROTOCOL_VIOLATION,
                            "unexpected event " + event.getEventCase() + " in an HTTP call");
            }
        }

        @Override
        public void onEnd(FunctionCall.End end, String detail, String containerId) {
            switch (end) {
                case COMPLETED -> {
                    if (answer != Answer.DONE) {
                        abort(ErrorCode.PROTOCOL_VIOLATION, "the call ended before the response was complete");
                    }
                }
                case TIMED_OUT ->
                    abort(
                            ErrorCode.FUNCTION_TIMEOUT,
                            "function timed out after "
                                    + function.settings().timeout().toSeconds() + "s");
                case LOST -> {
                    // Only a call its container accepted ends lost; one that broke before went
                    // to another container or got its 503 (ExchangeCall).
                    if (answer == Answer.PENDING) {
                        call.whenExitKnown(
                                containerId,
                                reason ->
                                        abort(ErrorCode.CONTAINER_LOST, ExchangeCall.lostDetail(containerId, reason)));
                    } else {
                        abort(ErrorCode.CONTAINER_LOST, ExchangeCall.lostDetail(containerId, ""));
                    }
                }
            }
        }

        @Override
        public void noSlot(CallError error, int retryAfterSeconds) {
            updateReading(); // no more body until a call takes it
            respondError(error, retryAfterSeconds);
        }
    }

    private void onStart(ServerEvent event) {
        if (answer != Answer.PENDING) {
            abort(ErrorCode.PROTOCOL_VIOLATION, "http.response.start sent twice");
            return;
        }
        HttpResponse response;
        try {
            response = HttpResponseEncoder.encode(event.getHttpResponseStart(), request.protocolVersion(), keepAlive);
        } catch (IllegalArgumentException e) {
            abort(ErrorCode.PROTOCOL_VIOLATION, "invalid response head: " + e.getMessage());
            return;
        }
        keepAlive = HttpUtil.isKeepAlive(response);
        answer = Answer.BODY;
        trailersAnnounced = event.getHttpResponseStart().getTrailers();
        ctx.write(response);
        flushSoon();
        call.requestNext();
    }

    private void onBody(ServerEvent event) {
        if (answer != Answer.BODY) {
            abort(
                    ErrorCode.PROTOCOL_VIOLATION,
                    "http.response.body "
                            + (answer == Answer.PENDING ? "before http.response.start" : "after the last chunk"));
            return;
        }
        var body = event.getHttpResponseBody();
        boolean last = !body.getMoreBody();
        ByteBuf bytes = head ? Unpooled.EMPTY_BUFFER : wrap(body.getBody());
        if (!last || trailersAnnounced) {
            if (bytes.isReadable()) {
                ctx.write(new DefaultHttpContent(bytes));
                flushSoon();
            }
            if (last) {
                answer = Answer.TRAILERS;
            }
            call.requestNext();
            return;
        }
        endResponse(new DefaultLastHttpContent(bytes));
    }

    private void onTrailers(ServerEvent event) {
        if (answer != Answer.TRAILERS) {
            abort(
                    ErrorCode.PROTOCOL_VIOLATION,
                    trailersAnnounced
                            ? "http.response.trailers before the last body chunk"
                            : "http.response.trailers not announced by http.response.start");
            return;
        }
        DefaultLastHttpContent last = new DefaultLastHttpContent();
        event.getHttpResponseTrailers()
                .getHeadersList()
                .forEach(h -> last.trailingHeaders()
                        .add(h.getName().toStringUtf8(), h.getValue().toStringUtf8()));
        if (event.getHttpResponseTrailers().getMoreTrailers()) {
            call.requestNext();
            return;
        }
        endResponse(last);
    }

    private void onError(CallError error) {
        if (error.getCode() == ErrorCode.FUNCTION_FAILED || error.getCode() == ErrorCode.INTERNAL) {
            // A function that threw is its author's to see; an internal error is Ferry's.
            logger.log(
                    error.getCode() == ErrorCode.INTERNAL ? System.Logger.Level.ERROR : System.Logger.Level.WARNING,
                    "call " + callId + " to " + function.id() + " failed: " + error.getDetail());
        }
        abort(error);
    }

    private void endResponse(LastHttpContent last) {
        answer = Answer.DONE;
        call.complete();
        boolean reuse = keepAlive && requestEnded;
        ChannelFuture written = ctx.write(last);
        if (reuse) {
            written.addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        } else {
            connection.closeAfter(written);
        }
        flushSoon();
        connection.exchangeDone(this, reuse);
    }

    private void abort(ErrorCode code, String detail) {
        abort(CallErrors.of(code, detail));
    }

    /** Ends the exchange with {@code error}: an error response if none has started, else a cut connection. */
    private void abort(CallError error) {
        if (answer == Answer.DONE) {
            return;
        }
        boolean started = answer != Answer.PENDING;
        answer = Answer.DONE;
        call.cancel("gateway ended the call: " + error.getCode());
        if (started) {
            // Too late for a status: closing without the final chunk tells the client the body is
            // incomplete. What was written goes out first; a close that discarded an unflushed head
            // would look like a dropped idle connection, which clients retry silently.
            ctx.flush();
            ctx.close();
            connection.exchangeDone(this, false);
            return;
        }
        sendError(error);
    }

    private void respondError(CallError error, int retryAfterSeconds) {
        if (answer == Answer.DONE) {
            return;
        }
        answer = Answer.DONE;
        call.cancel("gateway answered " + error.getCode());
        sendError(error, retryAfterSeconds);
    }

    private void sendError(CallError error) {
        sendError(error, ErrorResponses.RETRY_AFTER_SECONDS);
    }

    private void sendError(CallError error, int retryAfterSeconds) {
        // A refusal under overload comes before the request's end was read (the socket is not
        // read while it waits): closing there would make every refused client reconnect.
        boolean reuse = keepAlive && (requestEnded || bodiless);
        ChannelFuture written = ctx.writeAndFlush(ErrorResponses.of(ctx.alloc(), error, reuse, retryAfterSeconds));
        if (reuse) {
            written.addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        } else {
            connection.closeAfter(written);
        }
        connection.exchangeDone(this, reuse);
    }

    private static ByteBuf wrap(ByteString bytes) {
        if (bytes.isEmpty()) {
            return Unpooled.EMPTY_BUFFER;
        }
        List<ByteBuffer> buffers = bytes.asReadOnlyByteBufferList();
        return buffers.size() == 1
                ? Unpooled.wrappedBuffer(buffers.get(0))
                : Unpooled.wrappedBuffer(buffers.toArray(ByteBuffer[]::new));
    }
}
