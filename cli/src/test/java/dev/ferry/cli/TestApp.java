package dev.ferry.cli;

import dev.ferry.function.runtime.FerryFunction;
import dev.ferry.function.runtime.HttpHandler;
import dev.ferry.function.runtime.OnStart;
import dev.ferry.function.runtime.OnStop;
import dev.ferry.function.runtime.Request;
import dev.ferry.function.runtime.Response;
import java.util.concurrent.atomic.AtomicInteger;

/** The app {@code testapp}: functions that misbehave on purpose, for the end-to-end tests. */
final class TestApp {

    static final String NAME = "testapp";

    private TestApp() {}

    /** Sleeps far past its 1 s timeout. */
    @FerryFunction(name = "stuck", timeout = "1s")
    public static final class Stuck implements HttpHandler {
        @Override
        public Response handle(Request request) throws InterruptedException {
            new java.util.concurrent.CountDownLatch(1).await(); // until its timeout interrupts it
            return Response.text(200, "unreachable");
        }
    }

    /** Throws on /boom; answers otherwise. */
    @FerryFunction(name = "boom", maxInputs = 4)
    public static final class Boom implements HttpHandler {
        @Override
        public Response handle(Request request) {
            if (request.path().equals("/boom")) {
                throw new IllegalStateException("internal secret: db password is hunter2");
            }
            return Response.text(200, "still serving");
        }
    }

    /** Scales to zero after one idle second. */
    @FerryFunction(name = "brief", scaledownWindow = "1s", maxInputs = 4)
    public static final class Brief implements HttpHandler {
        @Override
        public Response handle(Request request) {
            return Response.text(200, "brief");
        }
    }

    /**
     * Reports its start hook; prints from its stop hook; /wait answers only once the container
     * has been told to stop, so it is in flight during a graceful stop.
     */
    @FerryFunction(name = "hooks", maxInputs = 4)
    public static final class Hooks implements HttpHandler {
        private final java.util.concurrent.CountDownLatch stopping = new java.util.concurrent.CountDownLatch(1);
        private volatile boolean started;

        @OnStart
        public void start() {
            started = true;
            Runtime.getRuntime().addShutdownHook(new Thread(stopping::countDown));
        }

        @OnStop
        public void stop() {
            System.out.println("on-stop ran");
        }

        @Override
        public Response handle(Request request) throws InterruptedException {
            if (request.path().equals("/wait")) {
                System.out.println("waiting");
                stopping.await();
            }
            return Response.text(200, "started=" + started);
        }
    }

    /** /hold blocks until cancelled; /count says how many holds run now. */
    @FerryFunction(name = "hold", maxInputs = 8)
    public static final class Hold implements HttpHandler {
        private static final AtomicInteger holding = new AtomicInteger();

        @Override
        public Response handle(Request request) throws InterruptedException {
            if (request.path().equals("/count")) {
                return Response.text(200, Integer.toString(holding.get()));
            }
            holding.incrementAndGet();
            try {
                new java.util.concurrent.CountDownLatch(1).await(); // until the call is cancelled
                return Response.text(200, "held");
            } finally {
                holding.decrementAndGet();
            }
        }
    }

    /**
     * One input at a time; /hold blocks until cancelled and then takes 300 ms to clean up, so
     * its slot is busy for a while after the client left. Other paths answer "ok".
     */
    @FerryFunction(name = "hold-one", maxInputs = 1)
    public static final class HoldOne implements HttpHandler {
        @Override
        public Response handle(Request request) throws InterruptedException {
            if (!request.path().equals("/hold")) {
                return Response.text(200, "ok");
            }
            System.out.println("hold-one holding");
            try {
                new java.util.concurrent.CountDownLatch(1).await(); // until the call is cancelled
                return Response.text(200, "held");
            } finally {
                Thread.interrupted();
                long until = System.nanoTime() + 300_000_000L;
                while (System.nanoTime() < until) {
                    java.util.concurrent.locks.LockSupport.parkNanos(until - System.nanoTime());
                }
            }
        }
    }

    /**
     * Sleeps {@code ?ms=}: four inputs per container and never more than one container, so a
     * fifth concurrent call has to wait for a slot (the queue tests).
     */
    @FerryFunction(name = "one-slow", maxInputs = 4, maxContainers = 1)
    public static final class OneSlow implements HttpHandler {
        @Override
        public Response handle(Request request) throws InterruptedException {
            String ms = request.query().replaceFirst("^.*ms=(\\d+).*$", "$1");
            Thread.sleep(ms.isEmpty() || !ms.chars().allMatch(Character::isDigit) ? 0 : Long.parseLong(ms));
            return Response.text(200, "slept " + ms + " ms\n");
        }
    }

    /**
     * Sleeps {@code ?ms=}, four inputs per container, and prints {@code slow-four running} as it
     * starts: a test that sees the line knows the container accepted the call.
     */
    @FerryFunction(name = "slow-four", maxInputs = 4, timeout = "15m")
    public static final class SlowFour implements HttpHandler {
        @Override
        public Response handle(Request request) throws InterruptedException {
            System.out.println("slow-four running");
            String ms = request.query().replaceFirst("^.*ms=(\\d+).*$", "$1");
            Thread.sleep(ms.isEmpty() || !ms.chars().allMatch(Character::isDigit) ? 0 : Long.parseLong(ms));
            return Response.text(200, "slept " + ms + " ms\n");
        }
    }

    /** Describes the scope it was called with: one "key=value" line each. */
    @FerryFunction(name = "scope", maxInputs = 64)
    public static final class Scope implements HttpHandler {
        @Override
        public Response handle(Request request) {
            var scope = request.scope();
            StringBuilder out = new StringBuilder()
                    .append("http_version=")
                    .append(scope.getHttpVersion())
                    .append('\n')
                    .append("scheme=")
                    .append(scope.getScheme())
                    .append('\n')
                    .append("method=")
                    .append(scope.getMethod())
                    .append('\n')
                    .append("path=")
                    .append(scope.getPath())
                    .append('\n')
                    .append("query=")
                    .append(request.query())
                    .append('\n');
            scope.getHeadersList()
                    .forEach(h -> out.append("header=")
                            .append(h.getName().toStringUtf8())
                            .append('\n'));
            out.append("body=").append(request.bodyText()).append('\n');
            return Response.text(200, out.toString());
        }
    }

    /** A low-level app that streams a body and then sends trailers, if the scope offers them. */
    @FerryFunction(name = "trailers")
    public static final class Trailers implements dev.ferry.function.runtime.AsgiApp {
        @Override
        public void call(
                dev.ferry.request.protocol.CallStart scope,
                dev.ferry.function.runtime.Receive receive,
                dev.ferry.function.runtime.Send send)
                throws Exception {
            boolean offered = scope.getHttp().getExtensionsList().contains("http.response.trailers");
            send.send(dev.ferry.request.protocol.ServerEvent.newBuilder()
                    .setHttpResponseStart(dev.ferry.request.protocol.HttpResponseStart.newBuilder()
                            .setStatus(200)
                            .setTrailers(offered))
                    .build());
            send.send(dev.ferry.request.protocol.ServerEvent.newBuilder()
                    .setHttpResponseBody(dev.ferry.request.protocol.HttpResponseBody.newBuilder()
                            .setBody(com.google.protobuf.ByteString.copyFromUtf8("body"))
                            .setMoreBody(false))
                    .build());
            if (offered) {
                send.send(dev.ferry.request.protocol.ServerEvent.newBuilder()
                        .setHttpResponseTrailers(dev.ferry.request.protocol.HttpResponseTrailers.newBuilder()
                                .addHeaders(dev.ferry.request.protocol.Header.newBuilder()
                                        .setName(com.google.protobuf.ByteString.copyFromUtf8("x-checksum"))
                                        .setValue(com.google.protobuf.ByteString.copyFromUtf8("abc123"))))
                        .build());
            }
        }
    }

    /** Echoes bodies of at most 1 KB. */
    @FerryFunction(name = "small", maxRequestBody = "1KB")
    public static final class Small implements HttpHandler {
        @Override
        public Response handle(Request request) {
            return Response.text(200, "got " + request.bodyBytes().length);
        }
    }

    /** Refuses every WebSocket. */
    @FerryFunction(name = "ws-refuse")
    public static final class WsRefuse implements dev.ferry.function.runtime.WebSocketHandler {
        @Override
        public void onConnect(dev.ferry.function.runtime.WebSocketSession session) throws InterruptedException {
            session.close(1008, "not you");
        }

        @Override
        public void onMessage(
                dev.ferry.function.runtime.WebSocketSession session,
                dev.ferry.function.runtime.WebSocketMessage message) {}
    }

    /** Echoes WebSocket messages of at most 1 KiB; prints the close code and reason it hears. */
    @FerryFunction(name = "ws-small", maxWebSocketMessage = "1KiB")
    public static final class WsSmall implements dev.ferry.function.runtime.WebSocketHandler {
        @Override
        public void onMessage(
                dev.ferry.function.runtime.WebSocketSession session,
                dev.ferry.function.runtime.WebSocketMessage message)
                throws InterruptedException {
            session.send(message.asText());
        }

        @Override
        public void onClose(dev.ferry.function.runtime.WebSocketSession session, int code, String reason) {
            System.out.println("ws-small closed " + code + " " + reason);
        }
    }

    /** Throws on its first message: the client gets close 1011 with a generic reason. */
    @FerryFunction(name = "ws-boom")
    public static final class WsBoom implements dev.ferry.function.runtime.WebSocketHandler {
        @Override
        public void onMessage(
                dev.ferry.function.runtime.WebSocketSession session,
                dev.ferry.function.runtime.WebSocketMessage message) {
            throw new IllegalStateException("secret detail that must not reach the client");
        }
    }

    /** Closes with 4001 after the first message. */
    @FerryFunction(name = "ws-closer")
    public static final class WsCloser implements dev.ferry.function.runtime.WebSocketHandler {
        @Override
        public void onMessage(
                dev.ferry.function.runtime.WebSocketSession session,
                dev.ferry.function.runtime.WebSocketMessage message)
                throws InterruptedException {
            session.close(4001, "bye " + message.asText());
        }
    }

    /** Its container cannot start: the start hook fails. */
    @FerryFunction(name = "broken")
    public static final class Broken implements HttpHandler {
        @OnStart
        public void start() {
            throw new IllegalStateException("missing model weights");
        }

        @Override
        public Response handle(Request request) {
            return Response.text(200, "unreachable");
        }
    }
}
