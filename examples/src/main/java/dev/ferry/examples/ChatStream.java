package dev.ferry.examples;

import dev.ferry.function.runtime.FerryFunction;
import dev.ferry.function.runtime.WebSocketHandler;
import dev.ferry.function.runtime.WebSocketMessage;
import dev.ferry.function.runtime.WebSocketSession;

/**
 * The shape of token streaming from a model: for each text message, streams back its words
 * one message at a time ({@code ?delay_ms=} apart, default 20), then a message {@code [done]}.
 */
@FerryFunction(name = "chat-stream", maxInputs = 64, timeout = "1h")
public final class ChatStream implements WebSocketHandler {

    @Override
    public void onMessage(WebSocketSession session, WebSocketMessage message) throws InterruptedException {
        long delayMs = delay(session);
        for (String word : message.asText().trim().split("\\s+")) {
            if (!word.isEmpty()) {
                session.send(word);
                Thread.sleep(delayMs);
            }
        }
        session.send("[done]");
    }

    private static long delay(WebSocketSession session) {
        String query = session.scope().getQueryString().toStringUtf8();
        for (String pair : query.split("&")) {
            if (pair.startsWith("delay_ms=")) {
                try {
                    return Math.max(0, Math.min(10_000, Long.parseLong(pair.substring("delay_ms=".length()))));
                } catch (NumberFormatException e) {
                    return 20;
                }
            }
        }
        return 20;
    }
}
