package dev.ferry.perf.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An open-loop step of HTTP/1.1 GETs for the burst bench: request {@code i} is due at
 * {@code start + i / rate} ({@link RatePacer}) whatever the server does, and is sent at once on
 * an idle keep-alive connection, or on a new one when none is idle (at most
 * {@code maxConnections}; beyond that it waits for one, and the wait is part of its latency).
 * So the offered load does not depend on how fast the server answers, and slow answers (a cold
 * start, a queue at the gateway) show as latency and as requests in flight, not as a lower rate.
 *
 * <p>Every request ends in exactly one outcome: its status code ({@code "200"}, {@code "503"}),
 * {@code "connection closed"}, {@code "connect failed"} or {@code "timeout"} (no answer within
 * the request timeout; its connection is then closed). The run is bounded: it sends
 * {@code rate × duration} requests, and each one's answer is waited for at most the request
 * timeout. Everything runs on one event loop; {@link #inFlight()} may be read from any thread.
 */
final class BurstLoad {

    /** One request: when it was due (ns from the burst's start), when it ended, and how. */
    record Request(long dueNanos, long endNanos, String outcome) {

        boolean ok() {
            return outcome.equals("200");
        }
    }

    /** What a run found. {@code startNanos} is the first request's due time, on {@link System#nanoTime()}'s scale. */
    record Result(
            long startNanos,
            List<Request> requests,
            Latencies latencies,
            int connectionsOpened,
            Map<String, String> firstBodies) {

        /** Requests by outcome, in order ("200" first among the status codes). */
        Map<String, Long> outcomes() {
            Map<String, Long> outcomes = new TreeMap<>();
            requests.forEach(r -> outcomes.merge(r.outcome(), 1L, Long::sum));
            return outcomes;
        }

        long ok() {
            return requests.stream().filter(Request::ok).count();
        }

        long errors() {
            return requests.size() - ok();
        }

        /** From the first request's due time to the end of the last one, in ns: the time the burst took to drain. */
        long drainedNanos() {
            return requests.stream().mapToLong(Request::endNanos).max().orElse(0);
        }
    }

    private final EventLoop loop;
    private final Bootstrap bootstrap;
    private final FullHttpRequest request;
    private final String bodyPrefix;
    private final int maxConnections;
    private final long timeoutNanos;
    private final AtomicInteger inFlight = new AtomicInteger();

    // Touched on the event loop only.
    private final ArrayDeque<Connection> idle = new ArrayDeque<>();
    private final Set<Channel> channels = new HashSet<>();
    private final ArrayDeque<Integer> waiting = new ArrayDeque<>();
    private final List<Request> done = new ArrayList<>();
    /** The body of the first answer of each status other than 200, cut short: what the server said. */
    private final Map<String, String> firstBodies = new TreeMap<>();

    private final Latencies latencies = new Latencies();
    private final CompletableFuture<Result> result = new CompletableFuture<>();
    private RatePacer pacer;
    private int scheduled;
    private int connecting;
    private int opened;
    private boolean closed;
    private ScheduledFuture<?> ticker;

    /**
     * @param authority the Host header, such as {@code examples--slow.localhost:8080}
     * @param path the request target, such as {@code /?ms=2000}
     * @param bodyPrefix how a 200's body must start; another body is the outcome {@code "200 unexpected body"}
     * @param maxConnections how many connections may be open at once, &ge; 1
     * @param timeout the longest wait for one request's answer, from when it was sent
     */
    BurstLoad(
            EventLoop loop,
            int port,
            String authority,
            String path,
            String bodyPrefix,
            int maxConnections,
            Duration timeout) {
        if (maxConnections < 1) {
            throw new IllegalArgumentException("maxConnections: " + maxConnections + " (expected: >= 1)");
        }
        this.loop = loop;
        this.bodyPrefix = bodyPrefix;
        this.maxConnections = maxConnections;
        this.timeoutNanos = timeout.toNanos();
        this.request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path, Unpooled.EMPTY_BUFFER);
        request.headers().set(HttpHeaderNames.HOST, authority);
        this.bootstrap = new Bootstrap()
                .group(loop)
                .channel(ClientTransport.socketChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5_000)
                .remoteAddress("127.0.0.1", port);
    }

    /** Requests sent or waiting for a connection, and not answered yet. Any thread. */
    int inFlight() {
        return inFlight.get();
    }

    /**
     * Sends {@code rate × duration} requests at {@code rate} a second, starting now, and
     * completes once every one has ended (each within the request timeout of being sent).
     */
    CompletableFuture<Result> start(double rate, Duration duration) {
        loop.execute(() -> {
            pacer = new RatePacer(System.nanoTime(), rate, duration.toNanos());
            ticker = loop.scheduleAtFixedRate(this::tick, 0, 1, TimeUnit.MILLISECONDS);
        });
        return result;
    }

    private void tick() {
        long due = pacer.dueBy(System.nanoTime());
        while (scheduled < due) {
            waiting.add(scheduled++);
            inFlight.incrementAndGet();
        }
        if (scheduled == pacer.count()) {
            ticker.cancel(false);
        }
        dispatch();
    }

    /** Sends waiting requests on idle connections, and opens connections for the rest, within the limit. */
    private void dispatch() {
        while (!waiting.isEmpty() && !idle.isEmpty()) {
            idle.poll().send(waiting.poll());
        }
        while (waiting.size() > connecting && channels.size() + connecting < maxConnections && !closed) {
            connect();
        }
    }

    private void connect() {
        connecting++;
        opened++;
        Connection connection = new Connection();
        ChannelFuture future = bootstrap
                .clone()
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(1 << 16), connection);
                    }
                })
                .connect();
        future.addListener(f -> {
            connecting--;
            if (f.isSuccess()) {
                channels.add(future.channel());
                idle.add(connection);
            } else if (!waiting.isEmpty()) {
                // The gateway refused or did not answer the connect: the oldest waiting request fails with it.
                end(waiting.poll(), "connect failed");
            }
            dispatch();
        });
    }

    private void end(int index, String outcome) {
        long now = System.nanoTime();
        long dueNanos = pacer.intendedStart(index) - pacer.intendedStart(0);
        done.add(new Request(dueNanos, now - pacer.intendedStart(0), outcome));
        if (outcome.equals("200")) {
            latencies.record(pacer.intendedStart(index), now);
        } else {
            latencies.error();
        }
        inFlight.decrementAndGet();
        if (done.size() == pacer.count()) {
            finish();
        }
    }

    private void finish() {
        closed = true;
        idle.clear();
        List.copyOf(channels).forEach(Channel::close);
        request.release();
        List<Request> sorted = new ArrayList<>(done);
        sorted.sort((a, b) -> Long.compare(a.dueNanos(), b.dueNanos()));
        result.complete(
                new Result(pacer.intendedStart(0), List.copyOf(sorted), latencies, opened, Map.copyOf(firstBodies)));
    }

    private final class Connection extends SimpleChannelInboundHandler<FullHttpResponse> {
        private ChannelHandlerContext ctx;
        private int pending = -1;
        private ScheduledFuture<?> timeout;

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            this.ctx = ctx;
        }

        void send(int index) {
            pending = index;
            timeout = loop.schedule(
                    () -> {
                        if (pending == index) {
                            pending = -1;
                            end(index, "timeout");
                            ctx.close();
                        }
                    },
                    timeoutNanos,
                    TimeUnit.NANOSECONDS);
            ctx.writeAndFlush(request.retainedDuplicate());
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
            int index = pending;
            if (index < 0) {
                return; // an answer after its timeout: already counted
            }
            pending = -1;
            timeout.cancel(false);
            String outcome = Integer.toString(response.status().code());
            String body = response.content().toString(StandardCharsets.UTF_8);
            if (response.status().code() == 200 && !body.startsWith(bodyPrefix)) {
                outcome = "200 unexpected body";
            }
            if (!outcome.equals("200")) {
                firstBodies.putIfAbsent(outcome, body.length() > 200 ? body.substring(0, 200) + "..." : body.strip());
            }
            boolean keepAlive = HttpUtil.isKeepAlive(response);
            end(index, outcome);
            if (keepAlive && !closed) {
                idle.add(this);
            } else {
                ctx.close();
            }
            dispatch();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            channels.remove(ctx.channel());
            idle.remove(this);
            int index = pending;
            pending = -1;
            if (index >= 0) {
                timeout.cancel(false);
                end(index, "connection closed");
            }
            if (!closed) {
                dispatch();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
