package dev.ferry.function.runtime;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * One WebSocket message: text or binary.
 *
 * @param text the text, or null for a binary message
 * @param bytes the bytes, or null for a text message
 */
public record WebSocketMessage(String text, byte[] bytes) {

    public WebSocketMessage {
        if ((text == null) == (bytes == null)) {
            throw new IllegalArgumentException("exactly one of text and bytes (expected: a text or a binary message)");
        }
    }

    public static WebSocketMessage text(String text) {
        return new WebSocketMessage(Objects.requireNonNull(text, "text"), null);
    }

    public static WebSocketMessage binary(byte[] bytes) {
        return new WebSocketMessage(null, Objects.requireNonNull(bytes, "bytes").clone());
    }

    public boolean isText() {
        return text != null;
    }

    /** The message as UTF-8 text, whichever kind it is. */
    public String asText() {
        return text != null ? text : new String(bytes, StandardCharsets.UTF_8);
    }
}
