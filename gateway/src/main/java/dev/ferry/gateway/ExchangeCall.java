package dev.ferry.gateway;

import dev.ferry.request.protocol.CallError;
import dev.ferry.request.protocol.CallErrors;
import dev.ferry.request.protocol.ClientEvent;
import dev.ferry.request.protocol.ErrorCode;
import dev.ferry.request.protocol.ServerEvent;
import dev.ferry.routing.DeployedFunction;
import io.netty.channel.ChannelHandlerContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The function call behind one exchange, an HTTP request or a WebSocket, from its wait for an
 * input slot to its end: the one life cycle {@link HttpExchange} and {@link WebSocketExchange}
 * share, as a state machine with named states. The exchanges keep what is theirs (the HTTP
 * response, the WebSocket handshake and frames) and hear of the call through {@link Exchange}.
 *
 * <p><b>Accepted.</b> A container has <em>accepted</em> a call once it has said so
 * ({@code CallAccepted}, which it sends as soon as the call holds one of its input slots, before
 * the function sees anything) or has sent any event of the call. Until then
 * ({@link State#SENT}) the call reached no function, so it is safe to send it elsewhere: when the
 * container refuses it (NO_CAPACITY: other gateways' calls hold its slots, or it is draining),
 * and when the call breaks first (the connection refused, reset or closed, the container gone
 * or shut out of routing). What was sent is kept until the container accepts, so the call can go
 * to another slot, or wait again first in line, and be sent again there, within its queue
 * timeout. More than {@link #MAX_RESEND_BYTES} of it sent unaccepted, and a refusal or a break
 * is final: a 503 that says the body could not be sent again. A call breaks before acceptance
 * on at most {@link #MAX_TRIES} containers; then it gets a 503 too. Only an accepted call can
 * end as lost with its container (the exchange answers 502 with the container's exit reason,
 * {@link #whenExitKnown}), or time out as the function's (504); a call still unaccepted when
 * its deadline passes gets a 503 saying the container did not accept it.
 *
 * <p>Threading: the exchange's channel's event loop only, as everything of an exchange.
 */
final class ExchangeCall implements FunctionCall.Listener {

    private static final System.Logger logger = System.getLogger(ExchangeCall.class.getName());

    /**
     * Events kept for a resend until the container accepts the call. A container refuses or
     * accepts a call as soon as it reads its start, so either seldom comes after more than what
     * arrived in one round trip; a refusal, or a break before acceptance, after more than this
     * many bytes is final.
     */
    static final int MAX_RESEND_BYTES = 64 * 1024;

    /**
     * Containers one call may be sent to that break before accepting it; the last break answers
     * 503. A container that breaks leaves this gateway's placement, so each try goes to another
     * one; three dead in a row is a worker or a network gone, which waiting on would only hide.
     */
    static final int MAX_TRIES = 3;

    /** Where a call is in its life. */
    enum State {
        /** Waiting for an input slot: in the function's queue, or about to take a free slot. */
        WAITING,
        /** On a container that has not accepted it yet; what was sent is kept for a resend. */
        SENT,
        /** The container accepted it: it runs the call, which will never go elsewhere. */
        RUNNING,
        /**
         * The client left while the call ran: the function was told, and the container ends the
         * call once the input has stopped, which is when its slot is really free.
         */
        CLIENT_LEFT,
        /** Over: answered in full, failed, refused or given up. Nothing more happens. */
        DONE
    }

    /** What an exchange hears of its call. Every method runs on the exchange's loop. */
    interface Exchange {

        /** The events that open the call on a container, its start first; sent again after a refusal. */
        List<ClientEvent> opening();

        /** An event from a container that runs the call. */
        void onEvent(ServerEvent event);

        /** The call can take more of the client's input again. */
        void onReady();

        /** The call ended while the exchange was still waiting for more of it. */
        void onEnd(FunctionCall.End end, String detail, String containerId);

        /** No container will run the call: the queue refused it, it timed out there, or a refusal was final. */
        void noSlot(CallError error, int retryAfterSeconds);
    }

    private final ChannelHandlerContext ctx;
    private final GatewayConfig config;
    private final DeployedFunction function;
    private final Exchange exchange;
    private final FunctionPool pool;
    private final CallAdmission admission;
    /** Events no container has answered yet: waiting for a call to start, or sent and kept for a resend. */
    private final List<ClientEvent> unanswered = new ArrayList<>();

    private State state = State.WAITING;
    private FunctionCall call;
    private long unansweredBytes;
    /** False once more went to an unanswered call than is kept: a refusal can no longer be retried. */
    private boolean resendable = true;
    /** Containers that broke before accepting this call. */
    private int lost;

    ExchangeCall(
            ChannelHandlerContext ctx,
            GatewayConfig config,
            DeployedFunction function,
            FunctionPool pool,
            Exchange exchange) {
        this.ctx = ctx;
        this.config = config;
        this.function = function;
        this.exchange = exchange;
        this.pool = pool;
        this.admission = new CallAdmission(ctx.executor(), config, function, pool, new CallAdmission.Outcome() {
            @Override
            public void admitted(SlotLease lease) {
                start(lease);
            }

            @Override
            public void refused(String detail, int retryAfterSeconds) {
                if (state == State.WAITING) {
                    state = State.DONE;
                    exchange.noSlot(CallErrors.of(ErrorCode.NO_CAPACITY, detail), retryAfterSeconds);
                }
            }
        });
    }

    State state() {
        return state;
    }

    /** Whether the call has not ended: waiting, sent, running, or waiting for its container after the client left. */
    boolean live() {
        return state != State.DONE;
    }

    /** Whether the container runs the call and the client is still there. */
    boolean running() {
        return state == State.RUNNING;
    }

    /** Takes a free slot, or queues for one and asks for capacity. Call once. */
    void begin() {
        admission.begin();
    }

    /**
     * Whether an event sent now is kept for a resend (the call has no container yet, or its
     * container has not answered): the exchange must then pass an event of its own, not one
     * that wraps a buffer it is about to release.
     */
    boolean keepsWhatIsSent() {
        return state == State.WAITING || (state == State.SENT && resendable);
    }

    /**
     * Sends {@code event} on the call, or keeps it until the call starts. Nothing is sent once the
     * client left or the call is over.
     */
    void send(ClientEvent event) {
        switch (state) {
            case WAITING -> keep(event);
            case SENT -> {
                call.send(event);
                if (resendable) {
                    keep(event);
                    if (unansweredBytes > MAX_RESEND_BYTES) {
                        forgetUnanswered();
                        resendable = false;
                    }
                }
            }
            case RUNNING -> call.send(event);
            case CLIENT_LEFT, DONE -> {}
        }
    }

    /** Whether the container can take more of the client's input now. */
    boolean isReady() {
        return (state == State.SENT || state == State.RUNNING) && call.isReady();
    }

    /** The exchange has taken the events delivered so far: the container may send more once the client can take them. */
    void requestNext() {
        if (call != null && live()) {
            call.requestNext();
        }
    }

    void onWritabilityChanged() {
        if (call != null && live()) {
            call.onWritabilityChanged();
        }
    }

    /**
     * The client left: a call still waiting stops quietly; a call on a container tells the
     * function with {@code disconnect} and stays open until the container ends it
     * ({@link State#CLIENT_LEFT}).
     */
    void clientLeft(ClientEvent disconnect) {
        switch (state) {
            case WAITING -> {
                admission.abandon();
                state = State.DONE;
            }
            case SENT, RUNNING -> {
                call.clientLeft(disconnect);
                state = State.CLIENT_LEFT;
            }
            case CLIENT_LEFT, DONE -> {}
        }
    }

    /** The exchange is complete (its response or its WebSocket is done): what the call still sends is dropped. */
    void complete() {
        if (state == State.WAITING) {
            admission.abandon();
        }
        if (state != State.CLIENT_LEFT) {
            state = State.DONE;
        }
    }

    /** Ends the call at once, for a reason of the gateway's own; its slot is free from now. */
    void cancel(String reason) {
        switch (state) {
            case WAITING -> admission.abandon();
            case SENT, RUNNING, CLIENT_LEFT -> call.cancel(reason);
            case DONE -> {
                if (call != null) {
                    call.cancel(reason); // a call kept open for its container's end
                }
            }
        }
        state = State.DONE;
    }

    String containerId() {
        return call == null ? "-" : call.containerId();
    }

    /**
     * Runs {@code then} on the exchange's loop with why container {@code containerId} exited
     * ("out of memory (limit 256 MiB)"), once its worker says, or with "" after
     * {@link FunctionPool#EXIT_REASON_WAIT}: a connection breaks a little before the worker has
     * read the exit and written it to the store.
     */
    void whenExitKnown(String containerId, Consumer<String> then) {
        pool.exitReason(containerId)
                .copy()
                .completeOnTimeout("", FunctionPool.EXIT_REASON_WAIT.toMillis(), TimeUnit.MILLISECONDS)
                .whenCompleteAsync((reason, error) -> then.accept(reason == null ? "" : reason), ctx.executor());
    }

    /** What a client is told of an accepted call whose container died under it, with the exit reason if known. */
    static String lostDetail(String containerId, String reason) {
        return "container " + containerId + " exited during the call" + (reason.isEmpty() ? "" : ": " + reason);
    }

    private void start(SlotLease lease) {
        if (state != State.WAITING) {
            lease.release();
            return;
        }
        call = new FunctionCall(ctx.channel(), lease, config, function, this);
        state = State.SENT;
        for (ClientEvent event : exchange.opening()) {
            call.send(event);
        }
        for (ClientEvent event : unanswered) {
            call.send(event);
        }
        if (unansweredBytes > MAX_RESEND_BYTES) {
            forgetUnanswered();
            resendable = false;
        }
        exchange.onReady();
    }

    private void keep(ClientEvent event) {
        unanswered.add(event);
        unansweredBytes += event.getSerializedSize();
    }

    private void forgetUnanswered() {
        unanswered.clear();
        unansweredBytes = 0;
    }

    @Override
    public void onAccepted() {
        if (state == State.SENT) {
            state = State.RUNNING;
            forgetUnanswered();
        }
    }

    @Override
    public void onEvent(ServerEvent event) {
        switch (state) {
            case SENT -> {
                if (event.hasError() && event.getError().getCode() == ErrorCode.NO_CAPACITY) {
                    refusedByContainer(
                            CallErrors.DRAINING.equals(event.getError().getDetail()));
                    return;
                }
                state = State.RUNNING;
                forgetUnanswered();
                exchange.onEvent(event);
            }
            case RUNNING -> exchange.onEvent(event);
            case WAITING, CLIENT_LEFT, DONE -> {} // the client left, or the exchange is complete
        }
    }

    @Override
    public void onReady() {
        if (state == State.SENT || state == State.RUNNING) {
            exchange.onReady();
        }
    }

    @Override
    public void onEnd(FunctionCall.End end, String detail) {
        if (state == State.SENT && end == FunctionCall.End.LOST) {
            lostBeforeAccepted(detail);
            return;
        }
        if (state == State.SENT && end == FunctionCall.End.TIMED_OUT) {
            // A container that holds a call unaccepted for the function's whole timeout is stuck,
            // not running it; it is not sent elsewhere all the same, since the container may
            // still read it and start it before it reads the cancel.
            state = State.DONE;
            exchange.noSlot(
                    CallErrors.of(
                            ErrorCode.NO_CAPACITY,
                            "container " + call.containerId() + " of " + function.id()
                                    + " did not accept the request within "
                                    + function.settings().timeout().toSeconds()
                                    + "s (the function's timeout); retry"),
                    CallAdmission.RETRY_SOON_SECONDS);
            return;
        }
        State was = state;
        state = State.DONE;
        if (was == State.SENT || was == State.RUNNING) {
            exchange.onEnd(end, detail, call.containerId());
        }
    }

    /**
     * The container refused the call before running it: its slots are taken by other gateways'
     * calls, or it is {@code draining} (stopping: scaled down, or of a version a redeploy
     * replaced). The call goes to another slot or waits again, with what it sent, unless more
     * went out than was kept. A draining container leaves this gateway's placement at once (its
     * STOPPING record may not have arrived yet) and its refusal does not count towards
     * {@link CallAdmission#MAX_REFUSALS}: it is no sign of overload, and it takes no call again.
     */
    private void refusedByContainer(boolean draining) {
        String container = call.containerId();
        if (draining) {
            call.refusedDraining();
        } else {
            call.refused();
        }
        state = State.WAITING;
        exchange.onReady(); // nothing more goes out until the next call starts
        if (!resendable) {
            state = State.DONE;
            exchange.noSlot(
                    CallErrors.of(
                            ErrorCode.NO_CAPACITY,
                            "container " + container + " of " + function.id()
                                    + " refused the request after more than " + MAX_RESEND_BYTES / 1024
                                    + " KiB of its body had gone to it, which the gateway cannot send again; retry shortly"),
                    CallAdmission.RETRY_SOON_SECONDS);
            return;
        }
        if (draining) {
            admission.retryDraining();
        } else {
            admission.retry();
        }
    }

    /**
     * The call broke before its container accepted it: the connection was refused, reset or
     * closed, or shut for a container that left routing. No function saw it, so it waits again,
     * first in line, with what it sent, for another container (the broken one has left this
     * gateway's placement), unless more went out than was kept or this was its last try.
     */
    private void lostBeforeAccepted(String detail) {
        String container = call.containerId();
        lost++;
        state = State.WAITING;
        exchange.onReady(); // nothing more goes out until the next call starts
        logger.log(
                System.Logger.Level.DEBUG,
                () -> "a call to " + function.id() + " broke on container " + container + " before it was accepted ("
                        + detail + "); try " + lost + " of " + MAX_TRIES);
        if (!resendable) {
            state = State.DONE;
            exchange.noSlot(
                    CallErrors.of(
                            ErrorCode.NO_CAPACITY,
                            "container " + container + " of " + function.id()
                                    + " went away before it accepted the request, after more than "
                                    + MAX_RESEND_BYTES / 1024
                                    + " KiB of its body had gone to it, which the gateway cannot send again; retry"),
                    CallAdmission.RETRY_SOON_SECONDS);
            return;
        }
        if (lost >= MAX_TRIES) {
            state = State.DONE;
            exchange.noSlot(
                    CallErrors.of(
                            ErrorCode.NO_CAPACITY,
                            lost + " containers of " + function.id()
                                    + " went away before accepting the request (the last: " + container
                                    + "); retry shortly"),
                    CallAdmission.RETRY_SOON_SECONDS);
            return;
        }
        admission.retryLost();
    }
}
