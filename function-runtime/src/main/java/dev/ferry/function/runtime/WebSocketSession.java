package dev.ferry.function.runtime;

import com.google.protobuf.ByteString;
import dev.ferry.request.protocol.ServerEvent;
import dev.ferry.request.protocol.WebSocketAccept;
import dev.ferry.request.protocol.WebSocketClose;
import dev.ferry.request.protocol.WebSocketScope;
import dev.ferry.request.protocol.WebSocketSend;
import java.util.List;

/**
 * One WebSocket as a {@link WebSocketHandler} sees it. Sending is thread-safe and blocks
 * while the client cannot keep up; it throws {@link ClientDisconnectedException} once the
 * socket is gone.
 */
public final class WebSocketSession {

    private final WebSocketScope scope;
    private final Send send;
    private volatile boolean accepted;
    private volatile boolean closed;

    WebSocketSession(WebSocketScope scope, Send send) {
        this.scope = scope;
        this.send = send;
    }

    /** The full ASGI websocket scope. */
    public WebSocketScope scope() {
        return scope;
    }

    /** The path, percent-decoded. */
    public String path() {
        return scope.getPath();
    }

    /** The subprotocols the client offered, in its order of preference. */
    public List<String> subprotocols() {
        return scope.getSubprotocolsList();
    }

    /** Accepts the connection without a subprotocol. */
    public void accept() throws InterruptedException {
        accept(null);
    }

    /**
     * Accepts the connection with {@code subprotocol}, which must be one the client offered.
     *
     * @throws IllegalArgumentException when the client did not offer it
     */
    public synchronized void accept(String subprotocol) throws InterruptedException {
        WebSocketAccept.Builder accept = WebSocketAccept.newBuilder();
        if (subprotocol != null) {
            if (!subprotocols().contains(subprotocol)) {
                throw new IllegalArgumentException("subprotocol: \"" + subprotocol
                        + "\" (expected: one the client offered, " + subprotocols() + ")");
            }
            accept.setSubprotocol(subprotocol);
        }
        send.send(ServerEvent.newBuilder().setWebsocketAccept(accept).build());
        accepted = true;
    }

    public boolean isAccepted() {
        return accepted;
    }

    /** Whether the socket is still open for sending. */
    public boolean isOpen() {
        return accepted && !closed;
    }

    public synchronized void send(String text) throws InterruptedException {
        send.send(ServerEvent.newBuilder()
                .setWebsocketSend(WebSocketSend.newBuilder().setText(text))
                .build());
    }

    public synchronized void send(byte[] bytes) throws InterruptedException {
        send.send(ServerEvent.newBuilder()
                .setWebsocketSend(WebSocketSend.newBuilder().setBytes(ByteString.copyFrom(bytes)))
                .build());
    }

    /** Closes with code 1000. */
    public void close() throws InterruptedException {
        close(1000, "");
    }

    /** Closes with {@code code} and {@code reason}; before {@link #accept()}, refuses the connection (HTTP 403). */
    public synchronized void close(int code, String reason) throws InterruptedException {
        if (!closed) {
            closed = true;
            send.send(ServerEvent.newBuilder()
                    .setWebsocketClose(WebSocketClose.newBuilder().setCode(code).setReason(reason))
                    .build());
        }
    }

    void markClosed() {
        closed = true;
    }
}
