package dev.ferry.examples;

import dev.ferry.function.runtime.FerryFunction;
import dev.ferry.function.runtime.WebSocketHandler;
import dev.ferry.function.runtime.WebSocketMessage;
import dev.ferry.function.runtime.WebSocketSession;

/**
 * WebSocket echo: every message comes back as it was sent, text as text and binary as binary.
 * Accepts the first subprotocol the client offers, if any.
 */
@FerryFunction(name = "ws", maxInputs = 256, timeout = "1h")
public final class Ws implements WebSocketHandler {

    @Override
    public void onConnect(WebSocketSession session) throws InterruptedException {
        session.accept(
                session.subprotocols().isEmpty() ? null : session.subprotocols().get(0));
    }

    @Override
    public void onMessage(WebSocketSession session, WebSocketMessage message) throws InterruptedException {
        if (message.isText()) {
            session.send(message.text());
        } else {
            session.send(message.bytes());
        }
    }
}
