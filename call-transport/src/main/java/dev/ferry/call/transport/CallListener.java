package dev.ferry.call.transport;

import dev.ferry.request.protocol.ServerEvent;

/** What a caller hears of one call. Every method runs on the connection's event loop. */
public interface CallListener {

    /**
     * An event from the container, in order. The call counts its bytes as held until the
     * caller {@linkplain ClientCall#acknowledge() acknowledges} them.
     */
    void onEvent(ServerEvent event);

    /**
     * The container has taken the call on (its {@code CallAccepted}): before this, a call whose
     * connection is lost reached no function. At most once, before the call's first event;
     * containers from before the frame never send it.
     */
    default void onAccepted() {}

    /** The call may send again: {@link ClientCall#isReady()} turned true. */
    void onReady();

    /** The call is over; nothing follows. Not called for a call the caller cancelled itself. */
    void onClose(CallOutcome outcome, String detail);
}
