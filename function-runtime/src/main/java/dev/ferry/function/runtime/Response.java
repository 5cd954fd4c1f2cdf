package dev.ferry.function.runtime;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** An HTTP response from a simple handler: fixed or streaming. Immutable once built. */
public final class Response {

    /** Produces a streaming body; each write reaches the client as soon as it is made. */
    @FunctionalInterface
    public interface StreamingBody {
        /** Writes the body to {@code out}; the runtime ends the body when this returns. */
        void writeTo(ResponseStream out) throws Exception;
    }

    private final int status;
    private final List<Map.Entry<String, String>> headers;
    private final byte[] body;
    private final StreamingBody streamingBody;

    private Response(Builder builder) {
        this.status = builder.status;
        this.headers = List.copyOf(builder.headers);
        this.body = builder.body;
        this.streamingBody = builder.streamingBody;
    }

    /** A response with a UTF-8 plain-text body. */
    public static Response text(int status, String text) {
        return builder(status)
                .header("content-type", "text/plain; charset=utf-8")
                .body(text)
                .build();
    }

    /** A builder for a response with {@code status}. */
    public static Builder builder(int status) {
        return new Builder(status);
    }

    public int status() {
        return status;
    }

    /** Header name/value pairs in the order they were added. */
    public List<Map.Entry<String, String>> headers() {
        return headers;
    }

    byte[] body() {
        return body;
    }

    StreamingBody streamingBody() {
        return streamingBody;
    }

    /** Builds a {@link Response}. Not thread-safe. */
    public static final class Builder {
        private final int status;
        private final List<Map.Entry<String, String>> headers = new ArrayList<>();
        private byte[] body = new byte[0];
        private StreamingBody streamingBody;

        private Builder(int status) {
            if (status < 100 || status > 599) {
                throw new IllegalArgumentException("status: " + status + " (expected: 100-599)");
            }
            this.status = status;
        }

        /** Adds a header; repeated names are kept in order. */
        public Builder header(String name, String value) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
            if (name.isEmpty() || name.chars().anyMatch(c -> c <= ' ' || c >= 127 || c == ':')) {
                throw new IllegalArgumentException("header name: \"" + name + "\" (expected: an HTTP token)");
            }
            if (value.chars().anyMatch(c -> c == '\r' || c == '\n' || c == 0)) {
                throw new IllegalArgumentException("header " + name + ": value contains CR, LF or NUL");
            }
            headers.add(Map.entry(name, value));
            return this;
        }

        /** A fixed body. */
        public Builder body(byte[] bytes) {
            this.body = bytes.clone();
            this.streamingBody = null;
            return this;
        }

        /** A fixed UTF-8 body. */
        public Builder body(String text) {
            this.body = text.getBytes(StandardCharsets.UTF_8);
            this.streamingBody = null;
            return this;
        }

        /** A streaming body, produced on the input's thread after the headers are sent. */
        public Builder streamingBody(StreamingBody body) {
            this.streamingBody = Objects.requireNonNull(body, "body");
            return this;
        }

        public Response build() {
            return new Response(this);
        }
    }
}
