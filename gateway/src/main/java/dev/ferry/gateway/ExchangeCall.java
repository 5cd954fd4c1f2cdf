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

/**
 * The function call behind one exchange, an HTTP request or a WebSocket, from its wait for an
 * input slot to its end: the one life cycle {@link HttpExchange} and {@link WebSocketExchange}
 * share, as a state machine with named states. The exchanges keep what is theirs (the HTTP
 * response, the WebSocket handshake and frames) and hear of the call through {@link Exchange}.
 *
 * <p>A container may refuse a call before running it, when other gateways' calls hold its
 * slots. What was sent to it is kept until it answers ({@link State#SENT}), so the call can go
 * to another slot, or wait again first in line, and be sent again there; more than
 * {@link #MAX_RESEND_BYTES} of it sent unanswered and a refusal is final.
 *
 * <p>Threading: the exchange's channel's event loop only, as everything of an exchange.
 */
final class ExchangeCall implements FunctionCall.Listener {

    /**
     * Events kept for a resend until the container answers. A container refuses a call as soon
     * as it reads its start, so a refusal seldom comes after more than what arrived in one round
     * trip; a refusal after more than this many bytes is final.
     */
    static final int MAX_RESEND_BYTES = 64 * 1024;

    /** Where a call is in its life. */
    enum State {
        /** Waiting for an input slot: in the function's queue, or about to take a free slot. */
        WAITING,
        /** On a container that has not answered yet; what was sent is kept for a resend. */
        SENT,
        /** The container answered: it runs the call. */
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
    private final CallAdmission admission;
    /** Events no container has answered yet: waiting for a call to start, or sent and kept for a resend. */
    private final List<ClientEvent> unanswered = new ArrayList<>();

    private State state = State.WAITING;
    private FunctionCall call;
    private long unansweredBytes;
    /** False once more went to an unanswered call than is kept: a refusal can no longer be retried. */
    private boolean resendable = true;

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
    public void onEvent(ServerEvent event) {
        switch (state) {
            case SENT -> {
                if (event.hasError() && event.getError().getCode() == ErrorCode.NO_CAPACITY) {
                    refusedByContainer();
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
        State was = state;
        state = State.DONE;
        if (was == State.SENT || was == State.RUNNING) {
            exchange.onEnd(end, detail, call.containerId());
        }
    }

    /**
     * The container refused the call before running it: its slots are taken by other gateways'
     * calls. The call goes to another slot or waits again, with what it sent, unless more went
     * out than was kept.
     */
    private void refusedByContainer() {
        String container = call.containerId();
        call.refused();
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
        admission.retry();
    }
}
