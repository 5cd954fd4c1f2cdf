package dev.ferry.perf.bench;

import dev.ferry.function.runtime.FerryFunction;
import dev.ferry.function.runtime.WebSocketHandler;
import dev.ferry.function.runtime.WebSocketMessage;
import dev.ferry.function.runtime.WebSocketSession;

/**
 * The function the idle bench holds its WebSockets on ({@link IdleJar}): an echo, as the
 * examples' {@code ws}, but one container takes up to {@value #MAX_INPUTS} at once, so that
 * the bench's 20,000 idle sockets land on a single container whose cost per socket it can
 * read. Runs in a container, never in the bench: the bench only copies this class's bytes
 * into the jar it deploys.
 */
@FerryFunction(name = IdleJar.FUNCTION, maxInputs = IdleWebSocket.MAX_INPUTS, timeout = "1h")
public final class IdleWebSocket implements WebSocketHandler {

    /** More than the bench's default 20,000 WebSockets. */
    static final int MAX_INPUTS = 25_000;

    @Override
    public void onConnect(WebSocketSession session) throws InterruptedException {
        session.accept(null);
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
