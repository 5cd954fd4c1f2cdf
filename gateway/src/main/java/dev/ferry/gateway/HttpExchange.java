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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One HTTP/1.x request and its function call: waits for an input slot, streams the request
 * body into the call and the call's response back to the client.
 *
 * <p>Threading: everything runs on the client channel's event loop (the call's listener is
 * given that loop as its executor; {@link CallAdmission} reports on it too).
 *
 * <p>Backpressure: while the call is not ready for more, the client socket is not read;
 * while the client socket is not writable, no more response messages are requested. While
 * the request waits for a slot, the socket is not read either: its body waits there.
 *
 * <p>A container may refuse the call before running it, when other gateways' calls hold its
 * slots. The request then goes to another slot, or waits again first in line, and what it
 * sent is sent again: the body the call took is kept until the container answers, up to
 * {@link #MAX_RESEND_BYTES}.
 */
final class HttpExchange {

    private static final System.Logger logger = System.getLogger(HttpExchange.class.getName());

    /**
     * Request body kept for a resend until the container answers. A container refuses a call
     * as soon as it reads its start, so a refusal seldom comes after more than what arrived
     * in one round trip; a refusal after more than this many bytes is a 503.
     */
    static final int MAX_RESEND_BYTES = 64 * 1024;

    private static final ClientEvent HTTP_DISCONNECT = ClientEvent.newBuilder()
            .setHttpDisconnect(HttpDisconnect.getDefaultInstance())
            .build();

    private final HttpConnectionHandler connection;
    private final ChannelHandlerContext ctx;
    private final GatewayConfig config;
    private final DeployedFunction function;
    private final io.netty.handler.codec.http.HttpRequest request;
    private final HttpScope scope;
    private final String callId;
    private final boolean head;
    private final CallAdmission admission;
    /**
     * Body events no container has answered yet: waiting for a call to start, or sent to the
     * current call and kept for a resend should its container refuse it.
     */
    private final List<ClientEvent> unanswered = new ArrayList<>();

    private long unansweredBytes;
    /** False once more body went to an unanswered call than is kept: a refusal can no longer be retried. */
    private boolean resendable = true;
    /** The current call's container has sent its first event: it runs the call. */
    private boolean answered;

    private FunctionCall functionCall;
    private boolean requestEnded;
    private boolean responseStarted;
    private boolean responseEnded;
    private boolean trailersAnnounced;
    private boolean keepAlive;
    private boolean finished;
    private boolean flushScheduled;
    private long bodyBytes;
    private boolean clientGone;
    private final FunctionPool pool;

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
        this.config = config;
        this.function = function;
        this.request = request;
        this.scope = scope;
        this.callId = callId;
        this.pool = pool;
        this.head = request.method().equals(HttpMethod.HEAD);
        this.keepAlive = HttpUtil.isKeepAlive(request);
        this.admission = new CallAdmission(ctx.executor(), config, function, pool, new CallAdmission.Outcome() {
            @Override
            public void admitted(SlotLease lease) {
                startCall(lease);
            }

            @Override
            public void refused(String detail, int retryAfterSeconds) {
                respondError(CallErrors.of(ErrorCode.NO_CAPACITY, detail), retryAfterSeconds);
            }
        });
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
        admission.begin();
    }

    private String tooLarge(long limit) {
        return "request body larger than " + limit + " bytes, the limit of " + function.id();
    }

    private void startCall(SlotLease lease) {
        if (clientGone || finished) {
            lease.release();
            return;
        }
        Listener listener = new Listener();
        functionCall = new FunctionCall(ctx.channel(), lease, config, function, listener);
        listener.call = functionCall;
        answered = false;
        functionCall.send(ClientEvent.newBuilder()
                .setStart(CallStart.newBuilder()
                        .setFunction(function.id().toString())
                        .setCallId(callId)
                        .setHttp(scope))
                .build());
        for (ClientEvent event : unanswered) {
            functionCall.send(event);
        }
        if (unansweredBytes > MAX_RESEND_BYTES) {
            forgetUnanswered();
            resendable = false;
        }
        // No half-close when the body ends (its last event says so): the call must stay open
        // for an http.disconnect until the response is done.
        updateReading();
    }

    private void forgetUnanswered() {
        unanswered.clear();
        unansweredBytes = 0;
    }

    /**
     * The container refused the call before running it: its slots are taken by other gateways'
     * calls. The request goes to another slot or waits again, with what it sent, unless more
     * body went out than was kept.
     */
    private void refusedByContainer() {
        String container = functionCall.containerId();
        functionCall.refused();
        functionCall = null;
        updateReading(); // no more body until the next call starts
        if (!resendable) {
            respondError(
                    CallErrors.of(
                            ErrorCode.NO_CAPACITY,
                            "container " + container + " of " + function.id()
                                    + " refused the request after more than " + MAX_RESEND_BYTES / 1024
                                    + " KiB of its body had gone to it, which the gateway cannot send again; retry shortly"),
                    CallAdmission.RETRY_SOON_SECONDS);
            return;
        }
        admission.retry();
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
            if (finished) {
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
            // written before this returns); only what is kept for a resend is copied.
            ClientEvent event =
                    bodyEvent(UnsafeByteOperations.unsafeWrap(content.content().nioBuffer()), last);
            if (functionCall == null) {
                // Until the call starts, the rest of the body waits in the socket, not here.
                keepUnanswered(bodyEvent(ByteString.copyFrom(content.content().nioBuffer()), last));
                updateReading();
                return;
            }
            functionCall.send(event);
            if (!answered && resendable) {
                keepUnanswered(bodyEvent(ByteString.copyFrom(content.content().nioBuffer()), last));
                if (unansweredBytes > MAX_RESEND_BYTES) {
                    forgetUnanswered();
                    resendable = false;
                }
            }
            updateReading();
        } finally {
            content.release();
        }
    }

    private static ClientEvent bodyEvent(ByteString body, boolean last) {
        return ClientEvent.newBuilder()
                .setHttpRequest(HttpRequest.newBuilder().setBody(body).setMoreBody(!last))
                .build();
    }

    private void keepUnanswered(ClientEvent event) {
        unanswered.add(event);
        unansweredBytes += event.getHttpRequest().getBody().size();
    }

    /** The client's connection closed. */
    void clientGone() {
        clientGone = true;
        admission.abandon();
        if (functionCall != null && !finished) {
            functionCall.clientLeft(HTTP_DISCONNECT);
        }
        finished = true;
    }

    /**
     * Reads the client socket while the body can go on to a started call, and after the body
     * has ended too (that is how a client that leaves, even one still queued, is noticed), as
     * long as the pipelining backlog has room.
     */
    private void updateReading() {
        boolean read = requestEnded ? connection.backlogHasRoom() : functionCall != null && functionCall.isReady();
        ctx.channel().config().setAutoRead(read);
    }

    void onWritabilityChanged() {
        if (functionCall != null && !finished) {
            functionCall.onWritabilityChanged();
        }
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

    /** Listens to one call; once the exchange moved on to another call (a refusal), to nothing. */
    private final class Listener implements FunctionCall.Listener {

        private FunctionCall call;

        private boolean current() {
            return call == functionCall && !finished;
        }

        @Override
        public void onReady() {
            if (current()) {
                updateReading();
            }
        }

        @Override
        public void onEvent(ServerEvent event) {
            if (!current()) {
                return;
            }
            if (!answered) {
                answered = true;
                if (event.hasError() && event.getError().getCode() == ErrorCode.NO_CAPACITY) {
                    refusedByContainer();
                    return;
                }
                forgetUnanswered();
            }
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
        public void onEnd(FunctionCall.End end, String detail) {
            if (!current()) {
                return;
            }
            switch (end) {
                case COMPLETED -> {
                    if (!responseEnded) {
                        abort(ErrorCode.PROTOCOL_VIOLATION, "the call ended before the response was complete");
                    }
                }
                case TIMED_OUT ->
                    abort(
                            ErrorCode.FUNCTION_TIMEOUT,
                            "function timed out after "
                                    + function.settings().timeout().toSeconds() + "s");
                case LOST -> {
                    if (responseStarted) {
                        abort(
                                ErrorCode.CONTAINER_LOST,
                                "container " + functionCall.containerId() + " exited during the call");
                    } else {
                        abortWithExitReason(functionCall.containerId());
                    }
                }
            }
        }
    }

    private void onStart(ServerEvent event) {
        if (responseStarted) {
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
        responseStarted = true;
        trailersAnnounced = event.getHttpResponseStart().getTrailers();
        ctx.write(response);
        flushSoon();
        functionCall.requestNext();
    }

    private void onBody(ServerEvent event) {
        if (!responseStarted || responseEnded) {
            abort(
                    ErrorCode.PROTOCOL_VIOLATION,
                    "http.response.body " + (responseStarted ? "after the last chunk" : "before http.response.start"));
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
            functionCall.requestNext();
            return;
        }
        endResponse(new DefaultLastHttpContent(bytes));
    }

    private void onTrailers(ServerEvent event) {
        if (!trailersAnnounced || responseEnded) {
            abort(ErrorCode.PROTOCOL_VIOLATION, "http.response.trailers not announced by http.response.start");
            return;
        }
        DefaultLastHttpContent last = new DefaultLastHttpContent();
        event.getHttpResponseTrailers()
                .getHeadersList()
                .forEach(h -> last.trailingHeaders()
                        .add(h.getName().toStringUtf8(), h.getValue().toStringUtf8()));
        if (event.getHttpResponseTrailers().getMoreTrailers()) {
            functionCall.requestNext();
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
        responseEnded = true;
        finished = true;
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

    /**
     * The container died under the call: tell the client why ("out of memory (limit 256 MiB)")
     * when its worker says so within {@link FunctionPool#EXIT_REASON_WAIT}; the connection
     * breaks a little before the worker has read the exit and written it to the store.
     */
    private void abortWithExitReason(String containerId) {
        pool.exitReason(containerId)
                .copy()
                .completeOnTimeout("", FunctionPool.EXIT_REASON_WAIT.toMillis(), TimeUnit.MILLISECONDS)
                .whenCompleteAsync(
                        (reason, error) -> abort(
                                ErrorCode.CONTAINER_LOST,
                                "container " + containerId + " exited during the call"
                                        + (reason == null || reason.isEmpty() ? "" : ": " + reason)),
                        ctx.executor());
    }

    private void abort(ErrorCode code, String detail) {
        abort(CallErrors.of(code, detail));
    }

    /** Ends the exchange with {@code error}: an error response if none has started, else a cut connection. */
    private void abort(CallError error) {
        if (finished) {
            return;
        }
        finished = true;
        if (functionCall != null) {
            functionCall.cancel("gateway ended the call: " + error.getCode());
        }
        if (responseStarted) {
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
        if (finished) {
            return;
        }
        finished = true;
        sendError(error, retryAfterSeconds);
    }

    private void sendError(CallError error) {
        sendError(error, ErrorResponses.RETRY_AFTER_SECONDS);
    }

    private void sendError(CallError error, int retryAfterSeconds) {
        boolean reuse = keepAlive && requestEnded;
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
