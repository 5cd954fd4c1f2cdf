package dev.ferry.gateway;

import dev.ferry.call.transport.CallListener;
import dev.ferry.call.transport.CallOutcome;
import dev.ferry.call.transport.ClientCall;
import dev.ferry.request.protocol.ClientEvent;
import dev.ferry.request.protocol.ServerEvent;
import dev.ferry.routing.DeployedFunction;
import io.netty.channel.Channel;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One call to a container on behalf of one client exchange: its deadline, its slot, and the
 * gateway's half of backpressure towards the function (what the call delivered is
 * acknowledged, so the container may send more, only while the client socket can take more).
 * Runs on the client channel's event loop, which is also the loop of the container connection
 * the call travels on.
 */
final class FunctionCall implements CallListener {

    /** How a call ended, as the exchange sees it. */
    enum End {
        /** The container sent its last event (or its error) and ended the call. */
        COMPLETED,
        /** The function's timeout and the grace passed without the container ending the call. */
        TIMED_OUT,
        /** The connection to the container broke: the container is gone or going. */
        LOST
    }

    /** What the exchange hears of its call; nothing after it cancelled the call itself. */
    interface Listener {
        /** The container took the call on: from now on it may have run some of it. */
        void onAccepted();

        void onEvent(ServerEvent event);

        /** The call can take more of the request again. */
        void onReady();

        void onEnd(End end, String detail);
    }

    private final Channel client;
    private final SlotLease lease;
    private final Listener listener;
    private final ClientCall call;
    private final ScheduledFuture<?> deadline;
    private boolean owed;
    private boolean over;
    private boolean clientLeft;

    /** Starts a call on {@code lease}'s container; its deadline is the function's timeout plus the grace. */
    FunctionCall(Channel client, SlotLease lease, GatewayConfig config, DeployedFunction function, Listener listener) {
        this.client = client;
        this.lease = lease;
        this.listener = listener;
        this.call = lease.connection(client.eventLoop()).newCall(this);
        this.deadline = client.eventLoop()
                .schedule(
                        this::deadlinePassed,
                        function.settings()
                                .timeout()
                                .plus(config.deadlineGrace())
                                .toNanos(),
                        TimeUnit.NANOSECONDS);
    }

    void send(ClientEvent event) {
        call.send(event);
    }

    /** Whether the container can take more of the request now. */
    boolean isReady() {
        return call.isReady();
    }

    /** Ends the call at once, for a reason of the gateway's own; its slot is free from now. Idempotent. */
    void cancel(String reason) {
        if (!over) {
            over = true;
            deadline.cancel(false);
            call.cancel(reason);
            lease.release();
        }
    }

    /**
     * The client left: tells the function with {@code disconnect} and keeps the call open until
     * the container ends it once the input has stopped, which is when the slot is really free
     * (a cancel would free it here at once, and the next input could reach a container whose
     * permit is still held). What the function sends meanwhile is taken and dropped.
     */
    void clientLeft(ClientEvent disconnect) {
        if (!over && !clientLeft) {
            call.send(disconnect);
        }
        clientLeft = true;
        call.acknowledgeAll();
    }

    /** Lets the container send more now if the client can take it, else once it becomes writable. */
    void requestNext() {
        if (client.isWritable()) {
            call.acknowledge();
        } else {
            owed = true;
        }
    }

    void onWritabilityChanged() {
        if (owed && client.isWritable()) {
            owed = false;
            call.acknowledge();
        }
    }

    /**
     * The container refused the call before running it (its inputs were all taken): its slot
     * goes back as refused, and the call, which the container is ending anyway, is cancelled so
     * that nothing more goes out on it.
     */
    void refused() {
        lease.releaseRefused();
        cancel("refused by the container; the request goes to another slot");
    }

    /**
     * The container refused the call because it drains: the slot is released as lost, so this
     * gateway sends it nothing more, and the call is cancelled as by {@link #refused}.
     */
    void refusedDraining() {
        lease.releaseLost();
        cancel("refused by the draining container; the request goes to another slot");
    }

    String containerId() {
        return lease.containerId();
    }

    private void deadlinePassed() {
        if (!over) {
            cancel("deadline passed");
            listener.onEnd(End.TIMED_OUT, "");
        }
    }

    @Override
    public void onAccepted() {
        listener.onAccepted();
    }

    @Override
    public void onEvent(ServerEvent event) {
        listener.onEvent(event);
    }

    @Override
    public void onReady() {
        listener.onReady();
    }

    /**
     * Gives the slot back when the call closed: a call that failed because the container's
     * connection was lost takes the container out of placement first, so waiters are not sent
     * to a dead process.
     */
    @Override
    public void onClose(CallOutcome outcome, String detail) {
        if (over) {
            return;
        }
        over = true;
        deadline.cancel(false);
        if (outcome == CallOutcome.CONNECTION_LOST) {
            lease.releaseLost();
            listener.onEnd(End.LOST, detail);
        } else {
            lease.release();
            listener.onEnd(End.COMPLETED, detail);
        }
    }
}
