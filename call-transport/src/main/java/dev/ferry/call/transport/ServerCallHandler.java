package dev.ferry.call.transport;

import dev.ferry.request.protocol.ClientEvent;

/** A container's side of one call: what it hears. Every method runs on the connection's event loop and must not block. */
public interface ServerCallHandler {

    /**
     * An event from the gateway, in order, with its size: the call holds that many bytes of the
     * gateway's window until it {@linkplain ServerCall#consumed(int) says it took them}.
     */
    void onEvent(ClientEvent event, int bytes);

    /** The call may send again: {@link ServerCall#isReady()} turned true. */
    void onReady();

    /**
     * The gateway gave up on the call, or the connection closed: nothing more can be sent on
     * it, and nothing more is heard of it.
     */
    void onCancel(String reason);
}
