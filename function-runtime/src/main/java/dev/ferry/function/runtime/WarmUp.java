package dev.ferry.function.runtime;

import com.google.protobuf.ByteString;
import dev.ferry.call.transport.CallConnection;
import dev.ferry.call.transport.CallListener;
import dev.ferry.call.transport.CallOutcome;
import dev.ferry.call.transport.ClientCall;
import dev.ferry.call.transport.Transport;
import dev.ferry.request.protocol.CallStart;
import dev.ferry.request.protocol.ClientEvent;
import dev.ferry.request.protocol.ContainerSecret;
import dev.ferry.request.protocol.FunctionId;
import dev.ferry.request.protocol.Header;
import dev.ferry.request.protocol.HttpRequest;
import dev.ferry.request.protocol.HttpScope;
import dev.ferry.request.protocol.ServerEvent;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Synthetic calls that a pool member makes to itself before it has a function, so that the
 * call path (the call server, protobuf, {@link FunctionCallService}, {@link InputCall}, the
 * {@link HttpHandler} adapter) is loaded, linked and compiled by the JIT when the first real
 * request comes: a new container then serves near its warm speed from its first second, not
 * at a tenth of it.
 *
 * <p>The calls go over a real {@link CallConnection} to the member's own port, as a gateway
 * makes them (start, then the body), several at once. They stop after {@link #calls} calls,
 * after {@link #budget}, or as soon as {@link #stop()} is called (the member got its assignment).
 */
final class WarmUp {

    /**
     * The built-in function the calls go to. Only a member without a function answers it: once
     * routed to its assigned function, a container refuses calls for any other.
     */
    static final FunctionId FUNCTION = FunctionId.of("ferry-pool", "warm-up");

    /** Calls in flight at once: enough that the server's concurrent paths (flow control, queues) get exercised. */
    static final int CONCURRENCY = 16;

    private static final System.Logger logger = System.getLogger(WarmUp.class.getName());
    private static final ByteString BODY = ByteString.copyFromUtf8("x".repeat(512));

    private final int calls;
    private final Duration budget;
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final AtomicInteger completed = new AtomicInteger();

    WarmUp(int calls, Duration budget) {
        if (calls < 0) {
            throw new IllegalArgumentException("calls: " + calls + " (expected: >= 0)");
        }
        this.calls = calls;
        this.budget = budget;
    }

    /**
     * The services the member routes to, in turn, while it warms up: the real call service over
     * three built-in functions of three classes. Three, because the JIT compiles a call site
     * that saw one or two receiver classes for those classes alone, and throws the compiled code
     * away (deoptimizes, profiles again, recompiles: seconds of slow calls) when another one
     * comes: the user's function, right after the assignment. A site that saw three calls any
     * class at full speed.
     */
    static List<FunctionCallService> services(ScheduledExecutorService timer) {
        List<FunctionCallService> services = new ArrayList<>();
        for (AsgiApp app : List.<AsgiApp>of(new Echo(), new Text(), new Bytes())) {
            FunctionClass function = FunctionClass.of(app.getClass());
            services.add(new FunctionCallService(
                    FUNCTION.toString(), app, WarmUp.class.getClassLoader(), function.settings(), timer));
        }
        return List.copyOf(services);
    }

    /**
     * Makes the calls to {@code address}, on a connection that opens with {@code secret}; returns
     * how many completed. Blocks until done or stopped.
     */
    int run(InetSocketAddress address, ContainerSecret secret) throws InterruptedException {
        if (calls == 0) {
            return 0;
        }
        // A loop of its own, as a gateway's calls have theirs: one thread does for 16 calls.
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(
                1, new DefaultThreadFactory("ferry-warm-up-calls", true), Transport.ioHandlerFactory());
        EventLoop loop = group.next();
        CallConnection connection = CallConnection.open(loop, address, secret);
        long deadline = System.nanoTime() + budget.toNanos();
        Semaphore inFlight = new Semaphore(CONCURRENCY);
        try {
            for (int i = 0; i < calls && !stopped.get() && System.nanoTime() < deadline; i++) {
                if (!inFlight.tryAcquire(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    break;
                }
                int n = i;
                loop.execute(() -> call(connection, n, inFlight));
            }
            // Let the last ones finish (briefly): a call cut off mid-way would log as an error.
            inFlight.tryAcquire(CONCURRENCY, 2, TimeUnit.SECONDS);
        } finally {
            connection.close();
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).await(2, TimeUnit.SECONDS);
        }
        return completed.get();
    }

    /** Ends the calls early: the ones in flight finish, no new one starts. */
    void stop() {
        stopped.set(true);
    }

    /** Starts call {@code n}; on the connection's loop. */
    private void call(CallConnection connection, int n, Semaphore inFlight) {
        ClientCall call = connection.newCall(new CallListener() {
            @Override
            public void onEvent(ServerEvent event) {}

            @Override
            public void onReady() {}

            @Override
            public void onClose(CallOutcome outcome, String detail) {
                if (outcome == CallOutcome.COMPLETED) {
                    completed.incrementAndGet();
                } else {
                    logger.log(System.Logger.Level.DEBUG, () -> "warm-up call failed: " + outcome + ": " + detail);
                }
                inFlight.release();
            }
        });
        call.acknowledgeAll(); // the answers are dropped as they come
        boolean post = (n & 1) == 1;
        String path = post ? "/echo" : "/";
        call.send(ClientEvent.newBuilder()
                .setStart(CallStart.newBuilder()
                        .setFunction(FUNCTION.toString())
                        .setCallId("warm-up-" + n)
                        .setHttp(HttpScope.newBuilder()
                                .setHttpVersion("1.1")
                                .setMethod(post ? "POST" : "GET")
                                .setScheme("http")
                                .setPath(path)
                                .setRawPath(ByteString.copyFromUtf8(path))
                                .setQueryString(ByteString.copyFromUtf8("n=" + n))
                                .addHeaders(header("host", "warm-up.localhost"))
                                .addHeaders(header("accept", "*/*"))))
                .build());
        call.send(ClientEvent.newBuilder()
                .setHttpRequest(HttpRequest.newBuilder()
                        .setBody(post ? BODY : ByteString.EMPTY)
                        .setMoreBody(false))
                .build());
    }

    private static Header header(String name, String value) {
        return Header.newBuilder()
                .setName(ByteString.copyFromUtf8(name))
                .setValue(ByteString.copyFromUtf8(value))
                .build();
    }

    /** A built-in function: GET answers a short text, POST echoes the body. */
    @FerryFunction(name = "warm-up", maxInputs = CONCURRENCY * 2, timeout = "10s")
    public static final class Echo implements HttpHandler {

        @Override
        public Response handle(Request request) {
            byte[] body = request.bodyBytes();
            if (request.method().equals("POST")) {
                return Response.builder(200)
                        .header("content-type", "application/octet-stream")
                        .body(body)
                        .build();
            }
            return Response.text(200, "warm " + request.queryParam("n").orElse("") + "\n");
        }
    }

    /** Another, of another class: answers the request's path and headers as text. */
    @FerryFunction(name = "warm-up", maxInputs = CONCURRENCY * 2, timeout = "10s")
    public static final class Text implements HttpHandler {

        @Override
        public Response handle(Request request) {
            request.bodyBytes();
            return Response.builder(200)
                    .header("content-type", "text/plain; charset=utf-8")
                    .body(request.path() + " " + request.header("host").orElse("") + "\n")
                    .build();
        }
    }

    /** A third: answers a fixed body of bytes with a header of its own. */
    @FerryFunction(name = "warm-up", maxInputs = CONCURRENCY * 2, timeout = "10s")
    public static final class Bytes implements HttpHandler {

        private static final byte[] BODY = new byte[256];

        @Override
        public Response handle(Request request) {
            request.bodyBytes();
            return Response.builder(200)
                    .header("cache-control", "no-store")
                    .body(BODY)
                    .build();
        }
    }
}
