package dev.ferry.gateway;

import dev.ferry.request.protocol.ClientEvent;
import dev.ferry.request.protocol.FunctionCallGrpc;
import dev.ferry.request.protocol.ServerEvent;
import dev.ferry.routing.DeployedFunction;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.Status;
import io.netty.channel.Channel;
import java.util.concurrent.TimeUnit;

/**
 * One gRPC call to a container on behalf of one client exchange, with the gateway's half of
 * backpressure towards the function: the next message is asked for only while the client
 * socket can take more. Runs on the client channel's event loop, which is also the call's
 * executor and its channel's loop.
 */
final class FunctionCall {

    private final Channel client;
    private final SlotLease lease;
    private final ClientCall<ClientEvent, ServerEvent> call;
    private boolean owed;
    private boolean halfClosed;
    private boolean cancelled;

    /** Starts a call on {@code lease}'s container; its deadline is the function's timeout plus the grace. */
    FunctionCall(
            Channel client,
            SlotLease lease,
            GatewayConfig config,
            DeployedFunction function,
            ClientCall.Listener<ServerEvent> listener) {
        this.client = client;
        this.lease = lease;
        this.call = lease.channel(client.eventLoop())
                .newCall(
                        FunctionCallGrpc.getCallMethod(),
                        CallOptions.DEFAULT
                                .withExecutor(client.eventLoop())
                                .withDeadlineAfter(
                                        function.settings()
                                                .timeout()
                                                .plus(config.deadlineGrace())
                                                .toNanos(),
                                        TimeUnit.NANOSECONDS));
        call.start(listener, new Metadata());
        call.request(1);
    }

    ClientCall<ClientEvent, ServerEvent> grpc() {
        return call;
    }

    /** Tells the function nothing more will come from the client. Idempotent; nothing after a cancel. */
    void halfClose() {
        if (!halfClosed && !cancelled) {
            halfClosed = true;
            call.halfClose();
        }
    }

    /** Ends the call at once, for a reason of the gateway's own (gRPC refuses a half-close after it). */
    void cancel(String reason) {
        if (!cancelled) {
            cancelled = true;
            call.cancel(reason, null);
        }
    }

    /**
     * The client left: tells the function with {@code disconnect} and keeps the call open until
     * the container ends it once the input has stopped, which is when the slot is really free
     * (a cancel would free it here at once, and the next input could reach a container whose
     * permit is still held). What the function sends meanwhile is read and dropped.
     */
    void clientLeft(ClientEvent disconnect) {
        if (!halfClosed && !cancelled) {
            call.sendMessage(disconnect);
            halfClose();
        }
        call.request(Integer.MAX_VALUE);
    }

    /** Asks for the next message now if the client can take it, else once it becomes writable. */
    void requestNext() {
        if (client.isWritable()) {
            call.request(1);
        } else {
            owed = true;
        }
    }

    void onWritabilityChanged() {
        if (owed && client.isWritable()) {
            owed = false;
            call.request(1);
        }
    }

    /**
     * Gives the slot back when the call closed: a call that failed because the container's
     * connection was lost takes the container out of placement first, so waiters are not sent
     * to a dead process.
     */
    void closed(Status status) {
        if (status.getCode() == Status.Code.UNAVAILABLE) {
            lease.releaseLost();
        } else {
            lease.release();
        }
    }

    /**
     * The container refused the call before running it (its inputs were all taken): its slot
     * goes back as refused, and the stream, which the container is ending anyway, is cancelled
     * so that nothing more goes out on it.
     */
    void refused() {
        lease.releaseRefused();
        cancel("refused by the container; the request goes to another slot");
    }

    String containerId() {
        return lease.containerId();
    }
}
