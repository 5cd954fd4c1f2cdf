package dev.ferry.call.transport;

import static java.util.concurrent.TimeUnit.SECONDS;

import com.google.protobuf.ByteString;
import dev.ferry.request.protocol.CallStart;
import dev.ferry.request.protocol.ClientEvent;
import dev.ferry.request.protocol.ContainerSecret;
import dev.ferry.request.protocol.Frame;
import dev.ferry.request.protocol.HttpRequest;
import dev.ferry.request.protocol.HttpResponseBody;
import dev.ferry.request.protocol.HttpResponseStart;
import dev.ferry.request.protocol.HttpScope;
import dev.ferry.request.protocol.ServerEvent;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/** What the call-transport tests share: events, a recording listener, an echo container and waiting helpers. */
final class Fixtures {

    /** How long any single wait in these tests may take before it fails the test. */
    static final Duration WAIT = Duration.ofSeconds(10);

    /** The secret of the tests' servers, which their connections open with. */
    static final ContainerSecret SECRET = ContainerSecret.generate();

    private Fixtures() {}

    // Events.

    static ClientEvent start(String callId) {
        return ClientEvent.newBuilder()
                .setStart(CallStart.newBuilder()
                        .setFunction("app--fn")
                        .setCallId(callId)
                        .setHttp(HttpScope.newBuilder()
                                .setMethod("POST")
                                .setPath("/")
                                .setScheme("http")
                                .setHttpVersion("1.1")))
                .build();
    }

    static ClientEvent request(ByteString body, boolean more) {
        return ClientEvent.newBuilder()
                .setHttpRequest(HttpRequest.newBuilder().setBody(body).setMoreBody(more))
                .build();
    }

    static ClientEvent request(String body, boolean more) {
        return request(ByteString.copyFromUtf8(body), more);
    }

    static ServerEvent responseStart(int status) {
        return ServerEvent.newBuilder()
                .setHttpResponseStart(HttpResponseStart.newBuilder().setStatus(status))
                .build();
    }

    static ServerEvent responseBody(ByteString body, boolean more) {
        return ServerEvent.newBuilder()
                .setHttpResponseBody(HttpResponseBody.newBuilder().setBody(body).setMoreBody(more))
                .build();
    }

    static ServerEvent responseBody(String body, boolean more) {
        return responseBody(ByteString.copyFromUtf8(body), more);
    }

    /** {@code size} bytes whose values depend on {@code seed} and their position, to tell chunks apart. */
    static ByteString pattern(int seed, int size) {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) (seed * 31 + i);
        }
        return ByteString.copyFrom(bytes);
    }

    // Waiting.

    static <T> T get(CompletableFuture<T> future) throws Exception {
        return future.get(WAIT.toSeconds(), SECONDS);
    }

    /** Runs {@code task} on {@code loop} and waits for its result. */
    static <T> T onLoop(EventLoop loop, Callable<T> task) throws Exception {
        return loop.submit(task).get(WAIT.toSeconds(), SECONDS);
    }

    static void onLoop(EventLoop loop, Runnable task) throws Exception {
        loop.submit(task).get(WAIT.toSeconds(), SECONDS);
    }

    /** Polls {@code condition} until it holds, failing the test after {@link #WAIT}. */
    static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + WAIT + " waiting for " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    static EventLoopGroup clientLoops() {
        return new MultiThreadIoEventLoopGroup(1, Transport.ioHandlerFactory());
    }

    /** A free port on 127.0.0.1 that nobody listens on: a server was there and closed without taking a connection. */
    static int closedPort() throws Exception {
        try (CallServer server = CallServer.start("127.0.0.1", 0, SECRET, call -> {
            throw new AssertionError("no call expected");
        })) {
            return server.port();
        }
    }

    // The caller's side.

    record Closed(CallOutcome outcome, String detail) {}

    /** A listener that records what it hears. Its fields other than the futures and counters are read on the loop, or after {@link #closed}. */
    static class Recorder implements CallListener {

        final List<ServerEvent> events = new ArrayList<>();
        final CompletableFuture<Closed> closed = new CompletableFuture<>();
        final AtomicInteger readies = new AtomicInteger();
        /** What the listener heard that it should not have (checked by the tests: a throw here would hit the loop). */
        final List<String> violations = new CopyOnWriteArrayList<>();

        final AtomicInteger eventCount = new AtomicInteger();
        /** Bytes of response body received. */
        final AtomicLong bodyBytes = new AtomicLong();
        /** The concatenated response body. */
        ByteString body = ByteString.EMPTY;

        /** The call this listener hears, once made (see {@link #open}). */
        ClientCall call;

        /** Set to have every event acknowledged as it arrives. */
        ClientCall ackEach;

        Runnable onReady = () -> {};

        /** How many events had arrived when the container accepted the call, or -1 while it has not. */
        volatile int eventsWhenAccepted = -1;

        @Override
        public void onAccepted() {
            if (eventsWhenAccepted >= 0) {
                violations.add("accepted twice");
            }
            eventsWhenAccepted = events.size();
        }

        @Override
        public void onEvent(ServerEvent event) {
            if (closed.isDone()) {
                violations.add("an event after the call closed: " + event);
            }
            events.add(event);
            eventCount.incrementAndGet();
            if (event.hasHttpResponseBody()) {
                ByteString chunk = event.getHttpResponseBody().getBody();
                body = body.concat(chunk);
                bodyBytes.addAndGet(chunk.size());
            }
            if (ackEach != null) {
                ackEach.acknowledge();
            }
        }

        @Override
        public void onReady() {
            readies.incrementAndGet();
            onReady.run();
        }

        @Override
        public void onClose(CallOutcome outcome, String detail) {
            if (!closed.complete(new Closed(outcome, detail))) {
                violations.add("closed twice: " + outcome + " " + detail);
            }
        }
    }

    /** On the loop: a new call on {@code connection} that sends its start and {@code chunks} (the last one ends the body). */
    static Recorder open(CallConnection connection, Recorder recorder, String callId, String... chunks) {
        recorder.call = connection.newCall(recorder);
        recorder.call.send(start(callId));
        for (int i = 0; i < chunks.length; i++) {
            recorder.call.send(request(chunks[i], i < chunks.length - 1));
        }
        return recorder;
    }

    static int frameSize(int call, ClientEvent event) {
        return Frame.newBuilder().setCall(call).setClient(event).build().getSerializedSize();
    }

    static int frameSize(int call, ServerEvent event) {
        return Frame.newBuilder().setCall(call).setServer(event).build().getSerializedSize();
    }

    /**
     * A caller that sends {@code chunks} request chunks of {@code chunkSize} bytes (chunk i is
     * {@code pattern(i, chunkSize)}) as fast as the call is ready, going on at each onReady. Its
     * state is the loop's; call {@link #pump()} once after the start.
     */
    static final class Pump extends Recorder {

        final int chunks;
        final int chunkSize;
        int next;
        /** Bytes sent, counted as the window counts them: the start (counted by the test) and every chunk's frame. */
        final AtomicLong sentFrameBytes = new AtomicLong();

        Pump(int chunks, int chunkSize) {
            this.chunks = chunks;
            this.chunkSize = chunkSize;
            this.onReady = this::pump;
        }

        void pump() {
            while (next < chunks && call.isReady()) {
                ClientEvent event = request(pattern(next, chunkSize), next < chunks - 1);
                call.send(event);
                sentFrameBytes.addAndGet(frameSize(call.id(), event));
                next++;
            }
        }
    }

    // The container's side.

    /**
     * A handler that registers itself under its call's id (from the start) and records what it
     * hears; subclasses decide what to answer.
     */
    abstract static class ServerHandler implements ServerCallHandler {

        final ServerCall call;
        final Handlers registry;
        final List<ClientEvent> events = new CopyOnWriteArrayList<>();
        final CompletableFuture<String> cancelled = new CompletableFuture<>();
        final AtomicInteger readies = new AtomicInteger();
        final List<String> violations = new CopyOnWriteArrayList<>();
        /** Bytes (frame sizes) of the events heard. */
        final AtomicLong received = new AtomicLong();

        volatile String callId;

        ServerHandler(ServerCall call, Handlers registry) {
            this.call = call;
            this.registry = registry;
        }

        @Override
        public final void onEvent(ClientEvent event, int bytes) {
            if (cancelled.isDone()) {
                violations.add("an event after the call was cancelled: " + event);
            }
            events.add(event);
            received.addAndGet(bytes);
            if (event.hasStart()) {
                callId = event.getStart().getCallId();
                registry.register(callId, this);
            }
            heard(event, bytes);
        }

        abstract void heard(ClientEvent event, int bytes);

        @Override
        public void onReady() {
            readies.incrementAndGet();
        }

        @Override
        public void onCancel(String reason) {
            if (!cancelled.complete(reason)) {
                violations.add("cancelled twice: " + reason);
            }
        }
    }

    /** The handlers a container made, by call id. */
    static final class Handlers {

        private final ConcurrentHashMap<String, CompletableFuture<ServerHandler>> byId = new ConcurrentHashMap<>();
        final AtomicInteger accepted = new AtomicInteger();

        void register(String callId, ServerHandler handler) {
            if (!byId.computeIfAbsent(callId, k -> new CompletableFuture<>()).complete(handler)) {
                throw new AssertionError("two calls with id " + callId);
            }
        }

        @SuppressWarnings("unchecked")
        <H extends ServerHandler> H get(String callId) throws Exception {
            return (H) Fixtures.get(byId.computeIfAbsent(callId, k -> new CompletableFuture<>()));
        }

        boolean has(String callId) {
            CompletableFuture<ServerHandler> handler = byId.get(callId);
            return handler != null && handler.isDone();
        }
    }

    /**
     * Echoes the request: a response start on the call's start, each request chunk back as a
     * response body chunk (consumed at once), and completes after the last one. A call whose id
     * starts with "silent" hears its events and answers nothing (the test does); one whose id
     * starts with "twice" completes twice and then tries to send once more.
     */
    static final class Echo extends ServerHandler {

        Echo(ServerCall call, Handlers registry) {
            super(call, registry);
        }

        @Override
        void heard(ClientEvent event, int bytes) {
            if (callId.startsWith("silent")) {
                return; // the test answers
            }
            if (event.hasStart()) {
                call.send(responseStart(200));
            } else if (event.hasHttpRequest()) {
                HttpRequest request = event.getHttpRequest();
                call.send(responseBody(request.getBody(), request.getMoreBody()));
                if (!request.getMoreBody()) {
                    call.complete();
                    if (callId.startsWith("twice")) {
                        call.complete();
                        call.send(responseBody("after the end", false));
                        call.complete();
                    }
                }
            }
            call.consumed(bytes);
        }
    }

    static CallAcceptor echo(Handlers handlers) {
        return acceptor(handlers, Echo::new);
    }

    static CallAcceptor acceptor(Handlers handlers, BiFunction<ServerCall, Handlers, ServerHandler> make) {
        return call -> {
            handlers.accepted.incrementAndGet();
            return make.apply(call, handlers);
        };
    }

    /**
     * A container's listener built like {@link CallServer}'s (same decoder and
     * {@link ServerConnection}), that also keeps the connections it took so that a test can
     * count them and see them close.
     */
    static final class TrackingServer implements AutoCloseable {

        final EventLoopGroup loops = new MultiThreadIoEventLoopGroup(2, Transport.ioHandlerFactory());
        final List<Channel> connections = new CopyOnWriteArrayList<>();
        final Channel listener;

        TrackingServer(CallAcceptor acceptor) {
            this(acceptor, pipeline -> {});
        }

        TrackingServer(CallAcceptor acceptor, Consumer<Channel> extra) {
            listener = new ServerBootstrap()
                    .group(loops)
                    .channel(Transport.serverChannel())
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            connections.add(ch);
                            ch.pipeline().addLast(new Frames.Decoder(), new ServerConnection(acceptor));
                            extra.accept(ch);
                        }
                    })
                    .bind(new InetSocketAddress("127.0.0.1", 0))
                    .syncUninterruptibly()
                    .channel();
        }

        InetSocketAddress address() {
            return (InetSocketAddress) listener.localAddress();
        }

        boolean allClosed() {
            return connections.stream().noneMatch(Channel::isOpen);
        }

        @Override
        public void close() {
            listener.close().syncUninterruptibly();
            connections.forEach(ch -> ch.close().syncUninterruptibly());
            loops.shutdownGracefully(0, 2, SECONDS).syncUninterruptibly();
        }
    }
}
