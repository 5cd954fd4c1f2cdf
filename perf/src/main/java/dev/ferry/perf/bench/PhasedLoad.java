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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A closed-loop HTTP/1.1 load (keep-alive connections, one request in flight on each) that
 * tells failures apart — a status other than 200, a connection that breaks or cannot be made,
 * a request unanswered after a timeout — and files every completion under the phase that was
 * current when it completed (before, during, after an outage: the caller switches phases)
 * and under its second since the start. A connection that breaks is replaced, so the load
 * keeps its number of connections; a request the load sent is never left uncounted.
 */
final class PhasedLoad {

    enum Phase {
        WARMUP,
        BEFORE,
        OUTAGE,
        AFTER
    }

    /** Where the load goes: a gateway's port and the Host header of the function. */
    record Endpoint(int port, String host, String path) {}

    /** What the load measured. */
    static final class Results {
        final Map<Phase, Latencies> latencies = new LinkedHashMap<>();
        final Map<Phase, Long> failed = new LinkedHashMap<>();
        /** Failures by kind ("status 503", "connection closed", "timeout", "connect: ..."). */
        final Map<String, Long> failures = new TreeMap<>();
        /** The first failures, with when they happened and what the server said. */
        final List<String> samples = new ArrayList<>();
        /** Per second since the start: {ok, failed}. */
        final List<long[]> timeline = new ArrayList<>();

        Results() {
            for (Phase phase : Phase.values()) {
                latencies.put(phase, new Latencies());
                failed.put(phase, 0L);
            }
        }

        long ok(Phase phase) {
            return latencies.get(phase).count();
        }

        long total() {
            long n = 0;
            for (Phase phase : Phase.values()) {
                if (phase != Phase.WARMUP) {
                    n += ok(phase) + failed.get(phase);
                }
            }
            return n;
        }

        long failedTotal() {
            long n = 0;
            for (Phase phase : Phase.values()) {
                if (phase != Phase.WARMUP) {
                    n += failed.get(phase);
                }
            }
            return n;
        }

        private void add(Results other) {
            for (Phase phase : Phase.values()) {
                latencies.get(phase).add(other.latencies.get(phase));
                failed.merge(phase, other.failed.get(phase), Long::sum);
            }
            other.failures.forEach((k, v) -> failures.merge(k, v, Long::sum));
            for (String sample : other.samples) {
                if (samples.size() < 20) {
                    samples.add(sample);
                }
            }
            for (int s = 0; s < other.timeline.size(); s++) {
                while (timeline.size() <= s) {
                    timeline.add(new long[2]);
                }
                timeline.get(s)[0] += other.timeline.get(s)[0];
                timeline.get(s)[1] += other.timeline.get(s)[1];
            }
        }
    }

    private static final int MAX_SAMPLES = 10;

    private final List<Lane> lanes = new ArrayList<>();
    private final long requestTimeoutNanos;
    private volatile Phase phase = Phase.WARMUP;
    private volatile long startNanos;
    private volatile boolean stopping;

    /**
     * @param connections how many connections in all, taking the endpoints in turn and shared
     *     out among {@code loops}
     */
    PhasedLoad(List<EventLoop> loops, List<Endpoint> endpoints, int connections, Duration requestTimeout) {
        this.requestTimeoutNanos = requestTimeout.toNanos();
        for (int i = 0; i < connections; i++) {
            lanes.add(new Lane(loops.get(i % loops.size()), endpoints.get(i % endpoints.size())));
        }
    }

    /** Switches phase; the timeline's second 0 begins when {@link Phase#BEFORE} does. */
    void phase(Phase next) {
        if (next == Phase.BEFORE) {
            startNanos = System.nanoTime();
        }
        phase = next;
    }

    /** Opens the connections and starts sending; the timeline counts from now. */
    void start() {
        startNanos = System.nanoTime();
        lanes.forEach(Lane::start);
    }

    /**
     * Stops sending, waits until every request in flight has completed or timed out, and
     * returns what all connections measured.
     */
    Results stop() throws Exception {
        stopping = true;
        Results all = new Results();
        long wait = requestTimeoutNanos + TimeUnit.SECONDS.toNanos(10);
        for (Lane lane : lanes) {
            all.add(lane.done.get(wait, TimeUnit.NANOSECONDS));
        }
        return all;
    }

    /** One connection (replaced when it breaks), on its event loop; all its state is touched there only. */
    private final class Lane {
        final EventLoop loop;
        final Endpoint endpoint;
        final Bootstrap bootstrap;
        final Results results = new Results();
        final CompletableFuture<Results> done = new CompletableFuture<>();
        final FullHttpRequest request;
        Channel channel;
        /** When the request in flight was sent; 0 when none is. */
        long sent;

        ScheduledFuture<?> timeout;

        Lane(EventLoop loop, Endpoint endpoint) {
            this.loop = loop;
            this.endpoint = endpoint;
            this.request = new DefaultFullHttpRequest(
                    HttpVersion.HTTP_1_1, HttpMethod.GET, endpoint.path(), Unpooled.EMPTY_BUFFER);
            request.headers().set(HttpHeaderNames.HOST, endpoint.host());
            this.bootstrap = new Bootstrap()
                    .group(loop)
                    .channel(ClientTransport.socketChannel())
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5_000)
                    .remoteAddress("127.0.0.1", endpoint.port());
        }

        void start() {
            loop.execute(this::connect);
        }

        private void connect() {
            if (stopping) {
                finish();
                return;
            }
            Handler handler = new Handler();
            ChannelFuture future = bootstrap
                    .clone()
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(1 << 20), handler);
                        }
                    })
                    .connect();
            future.addListener(f -> {
                if (f.isSuccess()) {
                    channel = future.channel();
                    send(handler);
                } else {
                    // No request was sent, so none is lost; a gateway that refuses connections
                    // still shows, as failed attempts.
                    if (!stopping) {
                        fail("connect: " + f.cause().getMessage(), null);
                    }
                    loop.schedule(this::connect, 100, TimeUnit.MILLISECONDS);
                }
            });
        }

        private void send(Handler handler) {
            if (stopping) {
                channel.close();
                return;
            }
            sent = System.nanoTime();
            handler.pending = true;
            long mine = sent;
            timeout = loop.schedule(
                    () -> {
                        if (handler.pending && sent == mine) {
                            handler.pending = false;
                            sent = 0;
                            fail(
                                    "timeout (no answer in " + TimeUnit.NANOSECONDS.toMillis(requestTimeoutNanos)
                                            + " ms)",
                                    null);
                            channel.close(); // its channelInactive reconnects
                        }
                    },
                    requestTimeoutNanos,
                    TimeUnit.NANOSECONDS);
            channel.writeAndFlush(request.retainedDuplicate()).addListener(f -> {
                if (!f.isSuccess()) {
                    channel.close();
                }
            });
        }

        private void completed(Handler handler, FullHttpResponse response) {
            long now = System.nanoTime();
            handler.pending = false;
            timeout.cancel(false);
            int status = response.status().code();
            if (status == 200) {
                results.latencies.get(phase).record(sent, now);
                tick(now, 0);
            } else {
                String body =
                        response.content().toString(StandardCharsets.UTF_8).strip();
                fail("status " + status, body.length() > 200 ? body.substring(0, 200) + "..." : body);
            }
            sent = 0;
            if (HttpUtil.isKeepAlive(response)) {
                send(handler);
            } else {
                channel.close(); // its channelInactive reconnects
            }
        }

        private void broken(Handler handler, String why) {
            if (handler.pending) {
                handler.pending = false;
                timeout.cancel(false);
                sent = 0;
                fail(why, null);
            }
            channel = null;
            connect();
        }

        private void fail(String kind, String body) {
            long now = System.nanoTime();
            Phase current = phase;
            results.failed.merge(current, 1L, Long::sum);
            results.failures.merge(kind, 1L, Long::sum);
            if (results.samples.size() < MAX_SAMPLES && current != Phase.WARMUP) {
                results.samples.add(String.format(
                        "at %.3f s (%s): %s%s",
                        (now - startNanos) / 1e9,
                        current.name().toLowerCase(),
                        kind,
                        body == null || body.isEmpty() ? "" : ": " + body));
            }
            tick(now, 1);
        }

        private void tick(long now, int column) {
            if (phase == Phase.WARMUP) {
                return;
            }
            int second = (int) Math.max(0, (now - startNanos) / 1_000_000_000L);
            while (results.timeline.size() <= second) {
                results.timeline.add(new long[2]);
            }
            results.timeline.get(second)[column]++;
        }

        private void finish() {
            if (!done.isDone()) {
                request.release();
                done.complete(results);
            }
        }

        private final class Handler extends SimpleChannelInboundHandler<FullHttpResponse> {
            boolean pending;

            @Override
            protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
                if (pending) {
                    completed(this, response);
                }
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) {
                broken(this, "connection closed");
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                if (pending) {
                    pending = false;
                    timeout.cancel(false);
                    sent = 0;
                    fail("I/O error: " + cause.getClass().getSimpleName() + ": " + cause.getMessage(), null);
                }
                ctx.close();
            }
        }
    }
}
