package dev.ferry.perf.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The idle bench's client side: many connections to one gateway that it opens, leaves idle and
 * checks later. A keep-alive connection makes one request and then waits; a WebSocket does its
 * handshake and then waits. Connections are spread over several loopback source addresses
 * (each has its own ~28,000 ephemeral ports) and over the group's event loops.
 *
 * <p>Opening is bounded: at most {@code concurrency} connections are being set up at once, and
 * each phase has a deadline after which what is not open counts as failed. Blocking methods are
 * called from one thread, never from an event loop.
 */
final class IdleConnections implements AutoCloseable {

    /** How a phase went: asked for, now open, failed by cause, and how long it took. */
    record Opened(int asked, int held, Map<String, Long> failures, double seconds) {}

    /** How a check of a sample went: checked, answered as expected, failed by cause. */
    record Checked(int checked, int ok, Map<String, Long> failures) {}

    private static final String ECHO = "idle bench echo";

    private final EventLoopGroup group;
    private final int port;
    private final List<String> sources;
    private final List<KeepAlive> keepAlives = new CopyOnWriteArrayList<>();
    private final List<Socket> webSockets = new CopyOnWriteArrayList<>();
    private int next;

    /**
     * @param sources the loopback addresses (127.x.y.z) the connections come from, in turn
     */
    IdleConnections(EventLoopGroup group, int port, List<String> sources) {
        if (sources.isEmpty()) {
            throw new IllegalArgumentException("sources: none (expected: at least one 127.x address)");
        }
        this.group = group;
        this.port = port;
        this.sources = List.copyOf(sources);
    }

    /**
     * Opens {@code count} keep-alive connections, each sending {@code GET /} with Host {@code host}
     * once and counted as held when a 200 came back on a connection that stays open.
     */
    Opened openKeepAlives(int count, String host, int concurrency, Duration limit) throws InterruptedException {
        return open(count, concurrency, limit, () -> {
            KeepAlive k = new KeepAlive(host);
            keepAlives.add(k);
            return k;
        });
    }

    /** Opens {@code count} WebSockets to {@code ws://host/}, each held once its handshake completed. */
    Opened openWebSockets(int count, String host, int concurrency, Duration limit) throws InterruptedException {
        URI uri = URI.create("ws://" + host + ":" + port + "/");
        return open(count, concurrency, limit, () -> {
            Socket s = new Socket(uri, limit);
            webSockets.add(s);
            return s;
        });
    }

    private Opened open(int count, int concurrency, Duration limit, java.util.function.Supplier<Held> make)
            throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + limit.toNanos();
        Semaphore setting = new Semaphore(concurrency);
        List<Held> opened = new ArrayList<>();
        Map<String, LongAdder> failures = new ConcurrentHashMap<>();
        for (int i = 0; i < count; i++) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !setting.tryAcquire(left, TimeUnit.NANOSECONDS)) {
                failures.computeIfAbsent("not opened within " + limit.toSeconds() + " s", k -> new LongAdder())
                        .add(count - i);
                break;
            }
            Held held = make.get();
            opened.add(held);
            held.ready().whenComplete((ok, e) -> setting.release());
            connect(held);
        }
        int held = 0;
        for (Held h : opened) {
            long left = Math.max(0, deadline - System.nanoTime());
            try {
                h.ready().get(left, TimeUnit.NANOSECONDS);
                held++;
            } catch (java.util.concurrent.ExecutionException e) {
                failures.computeIfAbsent(cause(e.getCause()), k -> new LongAdder())
                        .increment();
                h.close();
            } catch (java.util.concurrent.TimeoutException e) {
                failures.computeIfAbsent("not opened within " + limit.toSeconds() + " s", k -> new LongAdder())
                        .increment();
                h.close();
            }
        }
        return new Opened(count, held, counts(failures), (System.nanoTime() - start) / 1e9);
    }

    private void connect(Held held) {
        String source = sources.get(next++ % sources.size());
        new Bootstrap()
                .group(group)
                .channel(ClientTransport.socketChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .localAddress(new InetSocketAddress(source, 0))
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        held.init(ch);
                    }
                })
                .connect("127.0.0.1", port)
                .addListener(f -> {
                    if (!f.isSuccess()) {
                        held.ready().completeExceptionally(f.cause());
                    }
                });
    }

    /** Keep-alive connections and WebSockets still open now. */
    long openKeepAlives() {
        return keepAlives.stream().filter(Held::isOpen).count();
    }

    long openWebSockets() {
        return webSockets.stream().filter(Held::isOpen).count();
    }

    /** Sends one more {@code GET /} on up to {@code sample} held keep-alives, spread over all of them: 200 expected. */
    Checked checkKeepAlives(int sample, Duration limit) throws InterruptedException {
        return check(held(keepAlives), sample, limit);
    }

    /** Sends a text message on up to {@code sample} held WebSockets, spread over all of them: its echo expected. */
    Checked checkWebSockets(int sample, Duration limit) throws InterruptedException {
        return check(held(webSockets), sample, limit);
    }

    private static List<Held> held(List<? extends Held> all) {
        return all.stream()
                .filter(h -> h.ready().isDone() && !h.ready().isCompletedExceptionally())
                .map(h -> (Held) h)
                .toList();
    }

    private static Checked check(List<Held> held, int sample, Duration limit) throws InterruptedException {
        int n = Math.min(sample, held.size());
        List<CompletableFuture<Void>> checks = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            // Evenly spread: the first opened (idle longest) and the last both get checked.
            checks.add(held.get((int) ((long) i * held.size() / n)).check());
        }
        long deadline = System.nanoTime() + limit.toNanos();
        int ok = 0;
        Map<String, LongAdder> failures = new ConcurrentHashMap<>();
        for (CompletableFuture<Void> c : checks) {
            try {
                c.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                ok++;
            } catch (java.util.concurrent.ExecutionException e) {
                failures.computeIfAbsent(cause(e.getCause()), k -> new LongAdder())
                        .increment();
            } catch (java.util.concurrent.TimeoutException e) {
                failures.computeIfAbsent("no answer within " + limit.toSeconds() + " s", k -> new LongAdder())
                        .increment();
            }
        }
        return new Checked(n, ok, counts(failures));
    }

    private static Map<String, Long> counts(Map<String, LongAdder> adders) {
        Map<String, Long> m = new TreeMap<>();
        adders.forEach((k, v) -> m.put(k, v.sum()));
        return m;
    }

    private static String cause(Throwable t) {
        String message = t.getMessage() == null
                ? ""
                : ": " + t.getMessage().lines().findFirst().orElse("");
        // Ports and addresses differ per connection: drop them so that causes add up.
        return (t.getClass().getSimpleName() + message).replaceAll("/?127\\.[0-9.]+:[0-9]+", "127.x");
    }

    /** Closes every connection and waits (up to 30 s) until they are closed. */
    @Override
    public void close() {
        List<ChannelFuture> closing = new ArrayList<>();
        for (Held h : keepAlives) {
            closing.add(h.close());
        }
        for (Held h : webSockets) {
            closing.add(h.close());
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (ChannelFuture f : closing) {
            if (f != null) {
                f.awaitUninterruptibly(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
        }
        keepAlives.clear();
        webSockets.clear();
    }

    /** One held connection: its set-up, its readiness, one check at a time. */
    private abstract static class Held extends SimpleChannelInboundHandler<Object> {
        final CompletableFuture<Void> ready = new CompletableFuture<>();
        volatile Channel channel;
        /** The check in progress; touched on the channel's event loop only. */
        CompletableFuture<Void> pending;

        Held() {
            super(false);
        }

        CompletableFuture<Void> ready() {
            return ready;
        }

        boolean isOpen() {
            Channel c = channel;
            return c != null && c.isActive();
        }

        abstract void init(Channel ch);

        abstract void send();

        CompletableFuture<Void> check() {
            CompletableFuture<Void> done = new CompletableFuture<>();
            Channel c = channel;
            if (c == null || !c.isActive()) {
                done.completeExceptionally(new IllegalStateException("closed before the check"));
                return done;
            }
            c.eventLoop().execute(() -> {
                pending = done;
                send();
            });
            return done;
        }

        void answered(Exception failure) {
            CompletableFuture<Void> done = pending;
            pending = null;
            if (done != null) {
                if (failure == null) {
                    done.complete(null);
                } else {
                    done.completeExceptionally(failure);
                }
            }
        }

        ChannelFuture close() {
            Channel c = channel;
            return c == null ? null : c.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            ready.completeExceptionally(new IllegalStateException("closed by the gateway while opening"));
            answered(new IllegalStateException("closed by the gateway"));
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ready.completeExceptionally(cause);
            answered(new IllegalStateException(cause));
            ctx.close();
        }
    }

    private static final class KeepAlive extends Held {
        private final String host;

        KeepAlive(String host) {
            this.host = host;
        }

        @Override
        void init(Channel ch) {
            channel = ch;
            ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(1 << 16), this);
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            pending = ready; // the first request's answer makes it held
            send();
            ctx.fireChannelActive();
        }

        @Override
        void send() {
            FullHttpRequest request =
                    new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/", Unpooled.EMPTY_BUFFER);
            request.headers().set(HttpHeaderNames.HOST, host);
            channel.writeAndFlush(request);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof FullHttpResponse response) {
                    int status = response.status().code();
                    answered(status == 200 ? null : new IllegalStateException("status " + status));
                }
            } finally {
                io.netty.util.ReferenceCountUtil.release(msg);
            }
        }
    }

    private static final class Socket extends Held {
        private final URI uri;
        private final Duration handshakeLimit;

        Socket(URI uri, Duration handshakeLimit) {
            this.uri = uri;
            this.handshakeLimit = handshakeLimit;
        }

        @Override
        void init(Channel ch) {
            channel = ch;
            ch.pipeline()
                    .addLast(
                            new HttpClientCodec(),
                            new HttpObjectAggregator(1 << 16),
                            new WebSocketClientProtocolHandler(WebSocketClientProtocolConfig.newBuilder()
                                    .webSocketUri(uri)
                                    .version(WebSocketVersion.V13)
                                    .handshakeTimeoutMillis(handshakeLimit.toMillis())
                                    .build()),
                            this);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (event == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
                ready.complete(null);
            } else if (event == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
                ready.completeExceptionally(new IllegalStateException("handshake timed out"));
            }
            ctx.fireUserEventTriggered(event);
        }

        @Override
        void send() {
            channel.writeAndFlush(new TextWebSocketFrame(ECHO));
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof TextWebSocketFrame frame) {
                    answered(ECHO.equals(frame.text()) ? null : new IllegalStateException("wrong echo"));
                }
            } finally {
                io.netty.util.ReferenceCountUtil.release(msg);
            }
        }
    }
}
