package dev.ferry.call.transport;

import dev.ferry.request.protocol.ClientEvent;
import dev.ferry.request.protocol.Frame;
import dev.ferry.request.protocol.ServerEvent;

/**
 * A caller's side of one call on a {@link CallConnection}. Not thread-safe: use it on the
 * connection's event loop only, as its listener is.
 */
public final class ClientCall {

    private final CallConnection connection;
    private final int id;
    final CallListener listener;

    /** Bytes this side may still send before the container grants more; may go below zero by one event. */
    private long sendWindow = Frames.INITIAL_WINDOW;
    /** Bytes of events delivered to the listener and not acknowledged yet. */
    private int delivered;
    /** Bytes acknowledged and not yet granted back to the container (granted in batches). */
    private int ungranted;

    private boolean acknowledgeAll;
    private boolean closed;

    ClientCall(CallConnection connection, int id, CallListener listener) {
        this.connection = connection;
        this.id = id;
        this.listener = listener;
    }

    int id() {
        return id;
    }

    /**
     * Sends {@code event}. The first one of a call must carry its start. Sending while not
     * {@linkplain #isReady() ready} is allowed, and only makes the call wait longer for the
     * container's next grant; nothing is sent after the call closed.
     */
    public void send(ClientEvent event) {
        if (closed) {
            return;
        }
        sendWindow -=
                connection.write(Frame.newBuilder().setCall(id).setClient(event).build());
    }

    /**
     * Whether the container can take more of this call now: it has granted room for it, and the
     * connection's socket is not backed up.
     */
    public boolean isReady() {
        return !closed && sendWindow > 0 && connection.writable();
    }

    /**
     * The caller has taken the events delivered so far (written them on, say): the container
     * may send that many more bytes.
     */
    public void acknowledge() {
        ungranted += delivered;
        delivered = 0;
        if (ungranted >= Frames.WINDOW_UPDATE_THRESHOLD && !closed) {
            connection.write(Frames.window(id, ungranted));
            ungranted = 0;
        }
    }

    /** From now on every event is acknowledged as it arrives: the caller drains what is left and drops it. */
    public void acknowledgeAll() {
        acknowledgeAll = true;
        acknowledge();
    }

    /**
     * Ends the call at once: the container stops the input and sends nothing more for it, and
     * the listener hears nothing more. Idempotent.
     */
    public void cancel(String reason) {
        if (closed) {
            return;
        }
        closed = true;
        connection.cancel(this, reason);
    }

    public boolean closed() {
        return closed;
    }

    // Called by the connection, on its loop.

    void delivered(ServerEvent event, int bytes) {
        delivered += bytes;
        listener.onEvent(event);
        if (acknowledgeAll) {
            acknowledge();
        }
    }

    void accepted() {
        if (!closed) {
            listener.onAccepted();
        }
    }

    void granted(int bytes) {
        boolean wasBlocked = sendWindow <= 0;
        sendWindow += bytes;
        if (wasBlocked && sendWindow > 0 && !closed && connection.writable()) {
            listener.onReady();
        }
    }

    /** Closes a call that never opened; its listener hears why in the loop's next turn. */
    void refuse(CallOutcome outcome, String detail) {
        closed = true;
        connection.loop().execute(() -> listener.onClose(outcome, detail));
    }

    void ended(CallOutcome outcome, String detail) {
        if (!closed) {
            closed = true;
            listener.onClose(outcome, detail);
        }
    }

    void writable() {
        if (!closed && sendWindow > 0) {
            listener.onReady();
        }
    }
}
