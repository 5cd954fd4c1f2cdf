package dev.ferry.perf.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakeException;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.ConnectException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The chaos bench's steady traffic: an open loop of four kinds of call through every usable
 * gateway in turn, each on a connection of its own — {@code hello} (a short call), {@code slow}
 * (2 s), an SSE stream ({@code sse}, 5 events 200 ms apart) and a WebSocket ({@code ws}, 5
 * echoes 100 ms apart). New calls start at each kind's rate however the cluster answers, and
 * every call ends as one {@link Outcome}: a success, or a failure with its cause (status and
 * {@code x-ferry-error}, a broken connection, a timeout, a stream cut short).
 *
 * <p>A connection a gateway refuses (it is down) is no failed call: the client marks that
 * gateway down and opens the connection to another at once, as a client of a load balancer
 * would; {@link #gatewayUp} marks it usable again. Thread-safe.
 */
final class ChaosTraffic implements AutoCloseable {

    /** A kind of call, its function and its request. */
    enum Kind {
        HELLO("hello", "/", Duration.ZERO, Duration.ofSeconds(5)),
        SLOW("slow", "/?ms=2000", Duration.ofSeconds(2), Duration.ofSeconds(10)),
        SSE("sse", "/?n=" + SSE_EVENTS + "&interval_ms=200", Duration.ofMillis(800), Duration.ofSeconds(10)),
        WS("ws", "/", Duration.ofMillis(400), Duration.ofSeconds(10));

        final String function;
        final String path;
        /** How long the call takes by design (a slow call's sleep, a stream's spacing). */
        final Duration length;

        final Duration timeout;

        Kind(String function, String path, Duration length, Duration timeout) {
            this.function = function;
            this.path = path;
            this.length = length;
            this.timeout = timeout;
        }

        String host() {
            return FerryTarget.APP + "--" + function + ".localhost";
        }

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    static final int SSE_EVENTS = 5;
    static final int WS_ECHOES = 5;

    /**
     * One call: its kind, the gateway it went to, when it was sent and ended (nanoTime), and why
     * it failed ({@code null}: it succeeded).
     */
    record Outcome(Kind kind, String gateway, long sentNanos, long endNanos, String failure) {
        boolean ok() {
            return failure == null;
        }
    }

    /** One gateway the traffic may use. */
    private record Entry(String id, int port, AtomicBoolean up) {}

    private final EventLoopGroup group;
    private final List<Entry> gateways = new ArrayList<>();
    private final ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicLong lastFailureEnd = new AtomicLong(System.nanoTime());
    private final AtomicLong reconnects = new AtomicLong();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final java.util.Set<Call> open = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final List<ScheduledFuture<?>> tickers = new ArrayList<>();
    private volatile boolean stopped;

    ChaosTraffic(EventLoopGroup group, List<ClusterNodes.Gateway> gateways) {
        this.group = group;
        for (ClusterNodes.Gateway g : gateways) {
            this.gateways.add(new Entry(g.id(), g.httpPort(), new AtomicBoolean(true)));
        }
    }

    /**
     * Starts each kind at its rate (calls per second; 0: none), until {@link #stop}; at once,
     * without blocking.
     */
    void start(double helloRate, double slowRate, double sseRate, double wsRate) {
        schedule(Kind.HELLO, helloRate);
        schedule(Kind.SLOW, slowRate);
        schedule(Kind.SSE, sseRate);
        schedule(Kind.WS, wsRate);
    }

    private void schedule(Kind kind, double rate) {
        if (rate <= 0) {
            return;
        }
        long periodMicros = Math.max(1, Math.round(1e6 / rate));
        tickers.add(group.next()
                .scheduleAtFixedRate(
                        () -> {
                            if (!stopped) {
                                call(kind, System.nanoTime(), false);
                            }
                        },
                        0,
                        periodMicros,
                        TimeUnit.MICROSECONDS));
    }

    /** Stops starting calls; waits up to {@code drain} for those in flight to end. */
    void stop(Duration drain) throws InterruptedException {
        stopped = true;
        tickers.forEach(t -> t.cancel(false));
        long deadline = System.nanoTime() + drain.toNanos();
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    /** Every call ended so far. */
    List<Outcome> outcomes() {
        return List.copyOf(outcomes);
    }

    /** When the latest failed call ended (nanoTime; the start when none has). */
    long lastFailureEnd() {
        return lastFailureEnd.get();
    }

    /**
     * Whether a call in flight has taken {@code grace} longer than its kind takes by design: a
     * call that hangs is no failure until it times out, but no sign of health either.
     */
    boolean overdue(Duration grace) {
        long now = System.nanoTime();
        for (Call call : open) {
            if (now - call.sentNanos > call.kind.length.toNanos() + grace.toNanos()) {
                return true;
            }
        }
        return false;
    }

    /** Calls started and not ended yet: after {@link #stop}, those that outlived its drain. */
    int inFlight() {
        return inFlight.get();
    }

    /** Connections a gateway refused and that went to another instead. */
    long reconnects() {
        return reconnects.get();
    }

    /** Marks gateway {@code id} usable again (restarted). */
    void gatewayUp(String id) {
        gateways.stream().filter(g -> g.id().equals(id)).forEach(g -> g.up().set(true));
    }

    /** The next usable gateway, in turn; every one when none is marked usable. */
    private Entry pick() {
        List<Entry> up = gateways.stream().filter(g -> g.up().get()).toList();
        List<Entry> from = up.isEmpty() ? gateways : up;
        return from.get(Math.floorMod(next.getAndIncrement(), from.size()));
    }

    private void call(Kind kind, long sentNanos, boolean reconnect) {
        Entry gateway = pick();
        if (!reconnect) {
            inFlight.incrementAndGet();
        }
        Call call = new Call(kind, gateway.id(), sentNanos);
        Bootstrap bootstrap = new Bootstrap()
                .group(group.next())
                .channel(ClientTransport.socketChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 3_000)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (kind == Kind.WS) {
                            URI uri = URI.create("ws://" + kind.host() + ":" + gateway.port() + kind.path);
                            ch.pipeline()
                                    .addLast(
                                            new HttpClientCodec(),
                                            new HttpObjectAggregator(1 << 16),
                                            new WebSocketClientProtocolHandler(
                                                    WebSocketClientProtocolConfig.newBuilder()
                                                            .webSocketUri(uri)
                                                            .version(WebSocketVersion.V13)
                                                            .handshakeTimeoutMillis(kind.timeout.toMillis())
                                                            .build()),
                                            new WebSocketSession(call));
                        } else {
                            ch.pipeline().addLast(new HttpClientCodec(), new HttpExchange(call, gateway.port()));
                        }
                    }
                });
        ChannelFuture connect = bootstrap.connect("127.0.0.1", gateway.port());
        connect.addListener(f -> {
            if (f.isSuccess()) {
                call.armTimeout(connect.channel());
                return;
            }
            Throwable cause = f.cause();
            if (cause instanceof ConnectException && !reconnect && gateways.size() > 1) {
                // Nothing was sent: the client takes another gateway, as behind a load balancer.
                gateway.up().set(false);
                reconnects.incrementAndGet();
                open.remove(call);
                call(kind, sentNanos, true);
                return;
            }
            call.end("connect: " + reason(cause));
        });
    }

    private static String reason(Throwable cause) {
        if (cause instanceof ConnectException) {
            return "refused";
        }
        String message = cause.getMessage() == null ? "" : cause.getMessage();
        if (message.contains("reset")) {
            return "connection reset";
        }
        return cause.getClass().getSimpleName() + (message.isEmpty() ? "" : " " + message);
    }

    /** One call's life: it ends once, as a success or with a reason. */
    private final class Call {
        final Kind kind;
        final String gateway;
        final long sentNanos;
        final AtomicBoolean ended = new AtomicBoolean();
        ScheduledFuture<?> timeout;
        Channel channel;

        Call(Kind kind, String gateway, long sentNanos) {
            this.kind = kind;
            this.gateway = gateway;
            this.sentNanos = sentNanos;
            open.add(this);
        }

        void armTimeout(Channel ch) {
            channel = ch;
            long left = sentNanos + kind.timeout.toNanos() - System.nanoTime();
            timeout = ch.eventLoop()
                    .schedule(
                            () -> end("timeout (" + kind.timeout.toSeconds() + " s)"),
                            Math.max(1, left),
                            TimeUnit.NANOSECONDS);
        }

        /** Ends the call: {@code failure} null for a success. Later calls do nothing. */
        void end(String failure) {
            if (!ended.compareAndSet(false, true)) {
                return;
            }
            long now = System.nanoTime();
            if (timeout != null) {
                timeout.cancel(false);
            }
            if (channel != null) {
                channel.close();
            }
            if (failure != null) {
                lastFailureEnd.accumulateAndGet(now, Math::max);
            }
            outcomes.add(new Outcome(kind, gateway, sentNanos, now, failure));
            open.remove(this);
            inFlight.decrementAndGet();
        }
    }

    /** An HTTP call: GET, then the whole response; an SSE stream must bring all its events. */
    private static final class HttpExchange extends ChannelInboundHandlerAdapter {
        private final Call call;
        private final int port;
        private int status = -1;
        private String error = "";
        private final StringBuilder body = new StringBuilder();
        private int events;

        HttpExchange(Call call, int port) {
            this.call = call;
            this.port = port;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, call.kind.path);
            request.headers()
                    .set(HttpHeaderNames.HOST, call.kind.host() + ":" + port)
                    .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(request);
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof HttpResponse response) {
                    status = response.status().code();
                    String header = response.headers().get("x-ferry-error");
                    error = header == null ? "" : header;
                }
                if (msg instanceof HttpContent content) {
                    ByteBuf data = content.content();
                    String text = data.toString(StandardCharsets.UTF_8);
                    if (body.length() < 4096) {
                        body.append(text);
                    }
                    if (call.kind == Kind.SSE) {
                        for (int i = text.indexOf("event: tick"); i >= 0; i = text.indexOf("event: tick", i + 1)) {
                            events++;
                        }
                    }
                    if (msg instanceof LastHttpContent) {
                        finish();
                    }
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        private void finish() {
            if (status != 200) {
                call.end("status " + status + (error.isEmpty() ? "" : " " + error) + firstLine());
            } else if (call.kind == Kind.SSE && events < SSE_EVENTS) {
                call.end("stream cut after " + events + " of " + SSE_EVENTS + " events");
            } else {
                call.end(null);
            }
        }

        private String firstLine() {
            String text = body.toString().strip();
            int nl = text.indexOf('\n');
            String line = nl < 0 ? text : text.substring(0, nl);
            return line.isEmpty() ? "" : ": " + (line.length() > 80 ? line.substring(0, 80) + "..." : line);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (status < 0) {
                call.end("connection closed before a response");
            } else if (call.kind == Kind.SSE) {
                call.end("connection closed after " + events + " of " + SSE_EVENTS + " events (status " + status + ")");
            } else {
                call.end("connection closed mid-response (status " + status + ")");
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            call.end(status < 0 ? reason(cause) : reason(cause) + " mid-response (status " + status + ")");
            ctx.close();
        }
    }

    /** A WebSocket: the handshake, then {@link #WS_ECHOES} messages, each echoed before the next goes. */
    private static final class WebSocketSession extends ChannelInboundHandlerAdapter {
        private final Call call;
        private boolean open;
        private int echoes;

        WebSocketSession(Call call) {
            this.call = call;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (event == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
                open = true;
                send(ctx);
            } else if (event == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
                call.end("handshake timeout");
            }
            ctx.fireUserEventTriggered(event);
        }

        private void send(ChannelHandlerContext ctx) {
            ctx.writeAndFlush(new TextWebSocketFrame("chaos " + echoes));
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof TextWebSocketFrame frame) {
                    if (!frame.text().equals("chaos " + echoes)) {
                        call.end("wrong echo: " + frame.text());
                        return;
                    }
                    echoes++;
                    if (echoes == WS_ECHOES) {
                        call.end(null);
                    } else {
                        ctx.executor().schedule(() -> send(ctx), 100, TimeUnit.MILLISECONDS);
                    }
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            call.end(
                    open
                            ? "socket closed after " + echoes + " of " + WS_ECHOES + " echoes"
                            : "connection closed before the handshake");
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (cause instanceof WebSocketClientHandshakeException handshake) {
                String status = handshake.response() == null
                        ? ""
                        : "status " + handshake.response().status().code();
                String error = handshake.response() == null
                        ? null
                        : handshake.response().headers().get("x-ferry-error");
                call.end("handshake refused: " + status + (error == null ? "" : " " + error));
            } else {
                call.end((open ? "" : "handshake: ") + reason(cause));
            }
            ctx.close();
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop(Duration.ofSeconds(12));
    }
}
