package dev.ferry.function.runtime;

import dev.ferry.request.protocol.CallStart;

/**
 * The simple WebSocket interface: a session with connect, message and close callbacks, built
 * on {@link AsgiApp}'s websocket events. All callbacks of one session run on its input's
 * virtual thread, one at a time; {@link WebSocketSession#send} may also be called from other
 * threads.
 *
 * <p>A WebSocket holds one input slot of its container for its whole life, and the function's
 * timeout bounds that life.
 */
public interface WebSocketHandler extends AsgiApp {

    /**
     * A client asks to connect. Accept with {@link WebSocketSession#accept()} (the default) or
     * {@link WebSocketSession#accept(String)}; closing instead, or returning without accepting,
     * refuses the connection with HTTP 403.
     */
    default void onConnect(WebSocketSession session) throws Exception {
        session.accept();
    }

    /** One whole message (fragments are joined before it arrives). */
    void onMessage(WebSocketSession session, WebSocketMessage message) throws Exception;

    /** The client closed the socket or went away (code 1006); nothing more can be sent. */
    default void onClose(WebSocketSession session, int code, String reason) throws Exception {}

    @Override
    default void call(CallStart scope, Receive receive, Send send) throws Exception {
        SimpleWebSocketCall.run(this, scope, receive, send);
    }
}
