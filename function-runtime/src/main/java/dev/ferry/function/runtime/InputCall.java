package dev.ferry.function.runtime;

import dev.ferry.call.transport.ServerCall;
import dev.ferry.request.protocol.CallErrors;
import dev.ferry.request.protocol.CallStart;
import dev.ferry.request.protocol.ClientEvent;
import dev.ferry.request.protocol.ErrorCode;
import dev.ferry.request.protocol.HttpDisconnect;
import dev.ferry.request.protocol.ServerEvent;
import dev.ferry.request.protocol.WebSocketDisconnect;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One input in a container: the {@link Receive} and {@link Send} its app sees, over one
 * {@link ServerCall}.
 *
 * <p>Thread-safety: the transport's callbacks ({@link #deliver}, {@link #disconnected},
 * {@link #onReady}, {@link #cancel}) come from the connection's event loop and never block;
 * {@link #receive} and {@link #send} come from the input's thread, {@link #timeOut} from the
 * timer. The server call is thread-safe itself; every event and the end go out under
 * {@link #lock} all the same, so that the phase checked is the phase sent, and nothing follows
 * the end that a timeout or a failure sent.
 *
 * <p>Flow control: inbound events arrive as the gateway sends them, at most a window of them
 * per call (see {@code ferry/v1/call.proto}); {@link #receive} grants their bytes back as the app
 * takes them, so a function that does not read holds the gateway, not this container's memory.
 * Outbound, {@link #send} waits for {@link ServerCall#isReady()}, so a slow client holds the app
 * instead of filling memory.
 */
final class InputCall implements Receive, Send {

    private static final ClientEvent HTTP_DISCONNECT = ClientEvent.newBuilder()
            .setHttpDisconnect(HttpDisconnect.getDefaultInstance())
            .build();

    private static final ClientEvent WEBSOCKET_ABNORMAL_CLOSE = ClientEvent.newBuilder()
            .setWebsocketDisconnect(WebSocketDisconnect.newBuilder().setCode(1006))
            .build();

    private enum Phase {
        NOT_STARTED,
        BODY,
        TRAILERS,
        WS_OPEN,
        DONE
    }

    /** An event waiting for the app, with the bytes it took of the gateway's window. */
    private record Inbound(ClientEvent event, int bytes) {}

    private final ServerCall serverCall;
    private final BlockingQueue<Inbound> inbound = new LinkedBlockingQueue<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition writable = lock.newCondition();

    private CallStart start;
    private volatile Thread thread;
    /** When the function's timeout ends this input ({@link System#nanoTime()}); set as it starts to run. */
    private volatile long deadline;

    private Phase phase = Phase.NOT_STARTED;
    /** Why the call ended early (client gone, timed out), or null while it is live. Guarded by lock. */
    private String endedBecause;
    /** Whether the call has ended, on either side: nothing more is sent. Guarded by lock. */
    private boolean closed;
    /** Whether http.response.start asked for trailers. Guarded by lock. */
    private boolean trailersAnnounced;
    /** The disconnect event once the app has received it; every later receive returns it again. */
    private volatile ClientEvent disconnect;

    InputCall(ServerCall serverCall) {
        this.serverCall = serverCall;
    }

    CallStart start() {
        return start;
    }

    /** Whether the call ended early: client gone or timed out. */
    boolean ended() {
        lock.lock();
        try {
            return endedBecause != null;
        } finally {
            lock.unlock();
        }
    }

    String callId() {
        return start == null ? "-" : start.getCallId();
    }

    void deadline(long nanoTime) {
        this.deadline = nanoTime;
    }

    long deadline() {
        return deadline;
    }

    void started(CallStart start, Thread thread) {
        this.start = start;
        this.thread = thread;
    }

    /** Tells the gateway the call is taken on (it holds an input slot): see {@link ServerCall#accept()}. */
    void accept() {
        serverCall.accept();
    }

    /** An event from the gateway after the start, with its size on the wire. */
    void deliver(ClientEvent event, int bytes) {
        inbound.add(new Inbound(event, bytes));
    }

    void onReady() {
        lock.lock();
        try {
            writable.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * The gateway cancelled the call or its connection broke, so nothing more can be sent on it;
     * wakes and interrupts the input. (A client that leaves arrives as {@link #disconnected}
     * instead.)
     */
    void cancel(String reason) {
        lock.lock();
        try {
            if (endedBecause == null) {
                endedBecause = reason;
            }
            closed = true; // a cancelled call takes no more events
            writable.signalAll();
        } finally {
            lock.unlock();
        }
        wakeInput(abnormalEnd(), 0);
    }

    /**
     * The gateway says the client left ({@code http.disconnect}, or {@code websocket.disconnect}
     * with the client's close code): the app receives that event, its sends fail from now on,
     * and its thread is interrupted. The call stays open, and {@link #finish} ends it once
     * the app has returned, which is how the gateway learns that the input slot is free.
     */
    void disconnected(ClientEvent event, int bytes) {
        lock.lock();
        try {
            if (closed || endedBecause != null) {
                return;
            }
            endedBecause = "client disconnected";
            writable.signalAll();
        } finally {
            lock.unlock();
        }
        wakeInput(event, bytes);
    }

    /** The function's timeout passed: the client gets a 504 and the input is interrupted. */
    void timeOut(String timeout) {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            endedBecause = "call timed out after " + timeout;
            fail(ErrorCode.FUNCTION_TIMEOUT, "function timed out after " + timeout);
            writable.signalAll();
        } finally {
            lock.unlock();
        }
        wakeInput(abnormalEnd(), 0);
    }

    /** What the app receives when its call ends without word from the client: 1006 is "closed abnormally". */
    private ClientEvent abnormalEnd() {
        return start != null && start.hasWebsocket() ? WEBSOCKET_ABNORMAL_CLOSE : HTTP_DISCONNECT;
    }

    private void wakeInput(ClientEvent disconnect, int bytes) {
        inbound.add(new Inbound(disconnect, bytes));
        Thread t = thread;
        if (t != null) {
            t.interrupt();
        }
    }

    @Override
    public ClientEvent receive() throws InterruptedException {
        ClientEvent seen = disconnect;
        if (seen != null) {
            return seen;
        }
        Inbound next = inbound.take();
        if (next.bytes() > 0) {
            serverCall.consumed(next.bytes());
        }
        ClientEvent event = next.event();
        if (event.hasHttpDisconnect() || event.hasWebsocketDisconnect()) {
            disconnect = event;
        }
        return event;
    }

    @Override
    public void send(ServerEvent event) throws InterruptedException {
        lock.lockInterruptibly();
        try {
            checkLive();
            Phase next = nextPhase(event);
            while (!serverCall.isReady()) {
                writable.await(); // onReady, cancel, a disconnect or the timeout signals
                checkLive();
            }
            serverCall.send(event);
            phase = next;
            if (event.hasHttpResponseStart()) {
                trailersAnnounced = event.getHttpResponseStart().getTrailers();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Called on the input's thread when the app returned or threw; ends the call properly. */
    void finish(Throwable failure) {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            if (endedBecause != null) {
                // The client left: nobody reads a response or an error any more; ending the
                // call is what tells the gateway the slot is free.
                closed = true;
                serverCall.complete();
            } else if (failure != null) {
                fail(ErrorCode.FUNCTION_FAILED, failure.toString());
            } else if (!start.hasWebsocket() && phase != Phase.DONE) {
                // A WebSocket ends whenever its app returns; an HTTP response must be complete.
                fail(ErrorCode.FUNCTION_FAILED, "the function returned before finishing its response");
            } else {
                closed = true;
                serverCall.complete();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Refuses the call before it runs. Call only before the input thread exists. */
    void refuse(ErrorCode code, String detail) {
        lock.lock();
        try {
            if (!closed) {
                fail(code, detail);
            }
        } finally {
            lock.unlock();
        }
    }

    private void fail(ErrorCode code, String detail) {
        closed = true;
        serverCall.send(
                ServerEvent.newBuilder().setError(CallErrors.of(code, detail)).build());
        serverCall.complete();
    }

    private void checkLive() {
        if (endedBecause != null) {
            throw new ClientDisconnectedException(endedBecause);
        }
        if (closed) {
            throw new ClientDisconnectedException("call already closed");
        }
    }

    private Phase nextPhase(ServerEvent event) {
        boolean http = !start.hasWebsocket();
        return switch (event.getEventCase()) {
            case HTTP_RESPONSE_START -> {
                expect(http && phase == Phase.NOT_STARTED, event, "http.response.start must come first, once");
                int status = event.getHttpResponseStart().getStatus();
                if (status < 100 || status > 599) {
                    throw new IllegalArgumentException(
                            "http.response.start status: " + status + " (expected: 100-599)");
                }
                yield Phase.BODY;
            }
            case HTTP_RESPONSE_BODY -> {
                expect(http && phase == Phase.BODY, event, "http.response.body must follow http.response.start");
                if (event.getHttpResponseBody().getMoreBody()) {
                    yield Phase.BODY;
                }
                // We are in BODY, so start was sent; trailers follow only when it announced them.
                yield trailersAnnounced ? Phase.TRAILERS : Phase.DONE;
            }
            case HTTP_RESPONSE_TRAILERS -> {
                expect(
                        http && phase == Phase.TRAILERS,
                        event,
                        "http.response.trailers must follow the last body chunk of a response that announced trailers");
                yield event.getHttpResponseTrailers().getMoreTrailers() ? Phase.TRAILERS : Phase.DONE;
            }
            case WEBSOCKET_ACCEPT -> {
                expect(!http && phase == Phase.NOT_STARTED, event, "websocket.accept must come first, once");
                yield Phase.WS_OPEN;
            }
            case WEBSOCKET_SEND -> {
                expect(!http && phase == Phase.WS_OPEN, event, "websocket.send must follow websocket.accept");
                yield Phase.WS_OPEN;
            }
            case WEBSOCKET_CLOSE -> {
                expect(!http && phase != Phase.DONE, event, "websocket.close must come once");
                yield Phase.DONE;
            }
            case ERROR, EVENT_NOT_SET ->
                throw new IllegalArgumentException(
                        "event: " + event.getEventCase() + " (expected: an http.response.* or websocket.* event)");
        };
    }

    private void expect(boolean ok, ServerEvent event, String rule) {
        if (!ok) {
            throw new IllegalStateException(event.getEventCase() + " out of order: " + rule);
        }
    }
}
