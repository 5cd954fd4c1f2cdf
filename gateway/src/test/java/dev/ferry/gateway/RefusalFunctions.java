package dev.ferry.gateway;

import dev.ferry.function.runtime.FerryFunction;
import dev.ferry.function.runtime.HttpHandler;
import dev.ferry.function.runtime.Request;
import dev.ferry.function.runtime.Response;
import dev.ferry.function.runtime.WebSocketHandler;
import dev.ferry.function.runtime.WebSocketMessage;
import dev.ferry.function.runtime.WebSocketSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/** Functions that gateway tests run in real container processes, each container its own JVM. */
public final class RefusalFunctions {

    private RefusalFunctions() {}

    /**
     * Reads the body, takes {@code ?ms=} milliseconds (default 400), and answers
     * {@code <pid> <inputs running when it started> <body>}: which container ran it, and how
     * many inputs that container ran at once.
     */
    @FerryFunction(name = "slow", maxInputs = 2)
    public static final class Slow implements HttpHandler {
        private static final AtomicInteger running = new AtomicInteger();

        @Override
        public Response handle(Request request) throws InterruptedException {
            int now = running.incrementAndGet();
            try {
                String body = request.bodyText();
                Thread.sleep(Long.parseLong(request.queryParam("ms").orElse("400")));
                return Response.text(200, ProcessHandle.current().pid() + " " + now + " " + body);
            } finally {
                running.decrementAndGet();
            }
        }
    }

    /**
     * Creates the file {@code ?mark=} names as it starts, which tells a test that the container
     * has taken the call on, then holds the call until it is cancelled.
     */
    @FerryFunction(name = "hold", maxInputs = 1)
    public static final class Hold implements HttpHandler {
        @Override
        public Response handle(Request request) throws Exception {
            Files.createFile(Path.of(request.queryParam("mark").orElseThrow()));
            new CountDownLatch(1).await();
            return Response.text(200, "released");
        }
    }

    /** Answers {@code ok} at once; its timeout is 1 s. */
    @FerryFunction(name = "quick", timeout = "1s")
    public static final class Quick implements HttpHandler {
        @Override
        public Response handle(Request request) {
            return Response.text(200, "ok");
        }
    }

    /** Answers every message with {@code <pid>:<message>}, one socket per container at a time. */
    @FerryFunction(name = "ws", maxInputs = 1)
    public static final class Echo implements WebSocketHandler {
        @Override
        public void onMessage(WebSocketSession session, WebSocketMessage message) throws Exception {
            session.send(ProcessHandle.current().pid() + ":" + message.asText());
        }
    }
}
