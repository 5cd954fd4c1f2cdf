package dev.ferry.perf.transport;

import com.google.protobuf.ByteString;
import dev.ferry.request.protocol.CallStart;
import dev.ferry.request.protocol.ClientEvent;
import dev.ferry.request.protocol.HttpRequest;
import dev.ferry.request.protocol.HttpResponseBody;
import dev.ferry.request.protocol.HttpResponseStart;
import dev.ferry.request.protocol.HttpScope;
import dev.ferry.request.protocol.ServerEvent;

/**
 * The call every design makes: the gateway sends {@code CallStart} (function
 * {@value #FUNCTION}, a minimal HTTP scope) and one {@code HttpRequest} of {@value #BODY_SIZE}
 * bytes; the container answers {@code HttpResponseStart} (200) and one {@code HttpResponseBody}
 * holding the same bytes, and ends the call. Events are built per call on both sides, as a
 * gateway and a container do.
 */
public final class EchoCall {

    public static final String FUNCTION = "bench--echo";
    public static final int BODY_SIZE = 64;

    /** The request body: 64 bytes that are not all one value, so an echo of the wrong bytes shows. */
    public static final ByteString BODY;

    static {
        byte[] body = new byte[BODY_SIZE];
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) ('a' + i % 26);
        }
        BODY = ByteString.copyFrom(body);
    }

    private static final HttpScope SCOPE = HttpScope.newBuilder()
            .setHttpVersion("1.1")
            .setMethod("POST")
            .setScheme("http")
            .setPath("/echo")
            .setRawPath(ByteString.copyFromUtf8("/echo"))
            .build();

    private EchoCall() {}

    /** What the caller hears of one call. Runs on the client's event loop. */
    public interface Done {

        /** The call completed: the response's status and the body it carried (empty when none came). */
        void completed(int status, ByteString body);

        void failed(String why);
    }

    /** The gateway's first event: the start of call number {@code n}. */
    public static ClientEvent start(long n) {
        return ClientEvent.newBuilder()
                .setStart(CallStart.newBuilder()
                        .setFunction(FUNCTION)
                        .setCallId(Long.toString(n))
                        .setHttp(SCOPE))
                .build();
    }

    /** The gateway's second and last event: the whole body. */
    public static ClientEvent request() {
        return ClientEvent.newBuilder()
                .setHttpRequest(HttpRequest.newBuilder().setBody(BODY).setMoreBody(false))
                .build();
    }

    public static ServerEvent responseStart() {
        return ServerEvent.newBuilder()
                .setHttpResponseStart(HttpResponseStart.newBuilder().setStatus(200))
                .build();
    }

    public static ServerEvent responseBody(ByteString body) {
        return ServerEvent.newBuilder()
                .setHttpResponseBody(HttpResponseBody.newBuilder().setBody(body).setMoreBody(false))
                .build();
    }

    /**
     * A container's side of one echo call, whatever carries it: hears the gateway's events and,
     * at the last body chunk, answers through {@code reply}.
     */
    static final class Server {

        /** How the container's events leave; {@code end()} ends the call after its last event. */
        interface Reply {
            void send(ServerEvent event);

            void end();
        }

        private boolean started;

        /** Takes one event; returns whether the call is over (answered, or refused). */
        boolean onEvent(ClientEvent event, Reply reply) {
            if (!started) {
                if (!event.hasStart() || !event.getStart().getFunction().equals(FUNCTION)) {
                    reply.end(); // a real container answers a CallError; never happens here
                    return true;
                }
                started = true;
                return false;
            }
            if (event.hasHttpRequest() && !event.getHttpRequest().getMoreBody()) {
                reply.send(responseStart());
                reply.send(responseBody(event.getHttpRequest().getBody()));
                reply.end();
                return true;
            }
            return false;
        }
    }

    /** A caller's side of one echo call: collects the status and body until the call ends. */
    static final class Client {

        private final Done done;
        private int status;
        private ByteString body = ByteString.EMPTY;

        Client(Done done) {
            this.done = done;
        }

        void onEvent(ServerEvent event) {
            switch (event.getEventCase()) {
                case HTTP_RESPONSE_START ->
                    status = event.getHttpResponseStart().getStatus();
                case HTTP_RESPONSE_BODY -> {
                    ByteString chunk = event.getHttpResponseBody().getBody();
                    body = body.isEmpty() ? chunk : body.concat(chunk);
                }
                default -> {}
            }
        }

        void completed() {
            done.completed(status, body);
        }

        void failed(String why) {
            done.failed(why);
        }
    }
}
