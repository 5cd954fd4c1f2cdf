package dev.ferry.function.runtime;

import com.google.protobuf.ByteString;
import dev.ferry.request.protocol.CallStart;
import dev.ferry.request.protocol.HttpResponseBody;
import dev.ferry.request.protocol.ServerEvent;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/** Functions the runtime tests run in a real container server. */
final class TestFunctions {

    private TestFunctions() {}

    /** Says hello, and whether its start hook ran first. */
    @FerryFunction(name = "hello")
    public static final class Hello implements HttpHandler {
        static final AtomicInteger stops = new AtomicInteger();
        private volatile boolean started;

        @OnStart
        public void load() {
            started = true;
        }

        @OnStop
        public void release() {
            stops.incrementAndGet();
        }

        @Override
        public Response handle(Request request) {
            return Response.text(200, "hello started=" + started);
        }
    }

    /** Streams the body back with its method and path in headers. */
    @FerryFunction(name = "echo", maxInputs = 8)
    public static final class Echo implements HttpHandler {
        @Override
        public Response handle(Request request) {
            return Response.builder(201)
                    .header("x-path", request.path())
                    .streamingBody(out -> request.body().transferTo(out))
                    .build();
        }
    }

    /** Blocks until interrupted; counts the inputs running and those that saw the interrupt. */
    @FerryFunction(name = "block", maxInputs = 1, timeout = "300ms")
    public static final class Block implements HttpHandler {
        static final AtomicInteger running = new AtomicInteger();
        static volatile CountDownLatch interrupted = new CountDownLatch(1);

        @Override
        public Response handle(Request request) throws InterruptedException {
            running.incrementAndGet();
            try {
                new CountDownLatch(1).await(); // until the call is cancelled or times out
                return Response.text(200, "woke up");
            } catch (InterruptedException e) {
                interrupted.countDown();
                throw e;
            } finally {
                running.decrementAndGet();
            }
        }
    }

    /** Blocks until interrupted, like {@link Block}, two inputs at once. */
    @FerryFunction(name = "block-two", maxInputs = 2, timeout = "300ms")
    public static final class BlockTwo implements HttpHandler {
        static final AtomicInteger running = new AtomicInteger();

        @Override
        public Response handle(Request request) throws InterruptedException {
            running.incrementAndGet();
            try {
                new CountDownLatch(1).await(); // until the call times out
                return Response.text(200, "woke up");
            } finally {
                running.decrementAndGet();
            }
        }
    }

    /** Throws on "/boom", answers otherwise. */
    @FerryFunction(name = "boom", maxInputs = 4)
    public static final class Boom implements HttpHandler {
        @Override
        public Response handle(Request request) {
            if (request.path().equals("/boom")) {
                throw new IllegalStateException("secret detail that must not reach the client");
            }
            return Response.text(200, "fine");
        }
    }

    /** A low-level app that breaks the event order: a body before the start. */
    @FerryFunction(name = "disorder")
    public static final class Disorder implements AsgiApp {
        @Override
        public void call(CallStart scope, Receive receive, Send send) throws Exception {
            send.send(ServerEvent.newBuilder()
                    .setHttpResponseBody(HttpResponseBody.newBuilder().setBody(ByteString.copyFromUtf8("too early")))
                    .build());
        }
    }

    /** Its start hook fails, so its container must not start. */
    @FerryFunction(name = "broken-start")
    public static final class BrokenStart implements HttpHandler {
        @OnStart
        public void load() {
            throw new IllegalStateException("model file missing");
        }

        @Override
        public Response handle(Request request) {
            return Response.text(200, "unreachable");
        }
    }
}
