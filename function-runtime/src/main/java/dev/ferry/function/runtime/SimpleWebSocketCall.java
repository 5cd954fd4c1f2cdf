package dev.ferry.function.runtime;

import dev.ferry.request.protocol.CallStart;
import dev.ferry.request.protocol.ClientEvent;

/** Runs a {@link WebSocketHandler} over the low-level events of one call. */
final class SimpleWebSocketCall {

    private SimpleWebSocketCall() {}

    static void run(WebSocketHandler handler, CallStart scope, Receive receive, Send send) throws Exception {
        if (!scope.hasWebsocket()) {
            throw new IllegalStateException(
                    "WebSocketHandler got a " + scope.getScopeCase() + " call; it serves WebSockets only");
        }
        WebSocketSession session = new WebSocketSession(scope.getWebsocket(), send);
        ClientEvent first = receive.receive();
        if (!first.hasWebsocketConnect()) {
            return; // the client left before connecting
        }
        handler.onConnect(session);
        if (!session.isAccepted()) {
            session.close(1000, "refused"); // before accept: the client gets 403
            return;
        }
        while (true) {
            ClientEvent event = receive.receive();
            switch (event.getEventCase()) {
                case WEBSOCKET_RECEIVE ->
                    handler.onMessage(
                            session,
                            event.getWebsocketReceive().hasText()
                                    ? WebSocketMessage.text(
                                            event.getWebsocketReceive().getText())
                                    : new WebSocketMessage(
                                            null,
                                            event.getWebsocketReceive()
                                                    .getBytes()
                                                    .toByteArray()));
                case WEBSOCKET_DISCONNECT -> {
                    session.markClosed();
                    handler.onClose(
                            session,
                            event.getWebsocketDisconnect().getCode(),
                            event.getWebsocketDisconnect().getReason());
                    return;
                }
                default -> throw new IllegalStateException("unexpected event in a WebSocket: " + event.getEventCase());
            }
            if (!session.isOpen()) {
                return; // the handler closed the socket
            }
        }
    }
}
