package dev.ferry.call.transport;

import dev.ferry.request.protocol.CallEnd;
import dev.ferry.request.protocol.Frame;
import dev.ferry.request.protocol.ServerEvent;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A container's side of one call: how it answers. Thread-safe: the input's own thread sends
 * while the connection's event loop grants window, and each frame is queued for the loop in
 * the order it was sent.
 */
public final class ServerCall {

    private final ServerConnection connection;
    private final int id;
    ServerCallHandler handler;

    private final AtomicLong sendWindow = new AtomicLong(Frames.INITIAL_WINDOW);
    private final AtomicInteger ungranted = new AtomicInteger();
    /** Set when this side ended the call, or heard it end; nothing is sent after. */
    private volatile boolean closed;

    ServerCall(ServerConnection connection, int id) {
        this.connection = connection;
        this.id = id;
    }

    int id() {
        return id;
    }

    /**
     * Sends {@code event}. Sending while not {@linkplain #isReady() ready} is allowed (the window
     * goes below zero by that event); a caller that respects flow control waits for
     * {@link ServerCallHandler#onReady()} first. Nothing is sent after the call ended.
     */
    public void send(ServerEvent event) {
        if (closed) {
            return;
        }
        Frame frame = Frame.newBuilder().setCall(id).setServer(event).build();
        sendWindow.addAndGet(-connection.send(frame, false));
    }

    /** Whether the gateway has room for more of this call and the connection's socket is not backed up. */
    public boolean isReady() {
        return !closed && sendWindow.get() > 0 && connection.writable();
    }

    /** The input took {@code bytes} of its events: the gateway may send that much more. */
    public void consumed(int bytes) {
        int now = ungranted.addAndGet(bytes);
        if (now >= Frames.WINDOW_UPDATE_THRESHOLD && !closed) {
            int grant = ungranted.getAndSet(0);
            if (grant > 0) {
                connection.send(Frames.window(id, grant), false);
            }
        }
    }

    /**
     * Tells the caller the call is taken on ({@code CallAccepted}): from now on it may have
     * effects, and the caller never sends it to another container. Send it once the call holds
     * what it needs to run (an input slot), before its first event; a call refused instead
     * sends its error and no acceptance. Nothing is sent after the call ended.
     *
     * <p>Called on the connection's loop (from {@link ServerCallHandler#onEvent}, as a container
     * accepts), the frame is flushed before this returns, so it is on its way before the input
     * that this call then starts can do anything: whatever the function does, the caller hears
     * of the acceptance first.
     */
    public void accept() {
        if (!closed) {
            connection.sendNow(Frames.accepted(id));
        }
    }

    /** The call's last event went out: ends it. Idempotent. */
    public void complete() {
        if (closed) {
            return;
        }
        closed = true;
        connection.send(Frames.end(id, CallEnd.Reason.COMPLETED, ""), true);
    }

    /** Whether the call ended, on either side. */
    public boolean closed() {
        return closed;
    }

    // Called by the connection, on its loop.

    void granted(int bytes) {
        long before = sendWindow.getAndAdd(bytes);
        if (before <= 0 && before + bytes > 0 && !closed && connection.writable()) {
            handler.onReady();
        }
    }

    /** The gateway cancelled the call or the connection closed; nothing if this side had already ended it. */
    void cancelled(String reason) {
        if (closed) {
            return;
        }
        closed = true;
        handler.onCancel(reason);
    }

    void writable() {
        if (!closed && sendWindow.get() > 0) {
            handler.onReady();
        }
    }
}
