package dev.ferry.perf.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Slow-header ("slowloris") connections to one gateway: each opens from one of
 * {@link #SOURCE_ADDRESSES} loopback addresses (127.0.0.2 and up, so that no one source
 * address runs out of ports), sends the start of a request head and then a few more bytes at
 * each {@code interval} (with jitter), never finishing the head. A connection the gateway ends
 * is counted by how (a 408, another response, a plain close) and, while the attack is
 * {@linkplain #holding holding}, replaced by a new one, as an attacker would.
 *
 * <p>Connections open at most {@code openRate} per second. Everything runs on one event loop;
 * {@link #stats} and {@link #close} may be called from any thread and block briefly.
 */
final class Slowloris implements AutoCloseable {

    /** How many source addresses the connections spread over: 127.0.0.2 to 127.0.0.(1 + this). */
    static final int SOURCE_ADDRESSES = 50;

    private static final byte[] FIRST = "GET / HTTP/1.1\r\nHost: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DRIP = "x".getBytes(StandardCharsets.US_ASCII);
    private static final long OPEN_TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final EventLoop loop;
    private final int port;
    private final int target;
    private final double openRate;
    private final Duration interval;
    private final Bootstrap bootstrap;
    private final Set<Drip> open = new HashSet<>();
    private final List<Long> timedOutAfterMillis = new ArrayList<>();
    private final Map<String, Long> endings = new TreeMap<>();
    private int connecting;
    private long opened;
    private long connectFailures;
    private int peakOpen;
    private long bytesSent;
    private boolean holding = true;
    private long startNanos;
    private long rampedNanos;
    private long lastTick;
    private double tokens;
    private ScheduledFuture<?> opener;

    /**
     * {@code connections} slow connections to 127.0.0.1:{@code port}, opened at {@code openRate}
     * per second once {@link #start} is called, each dripping a byte every {@code interval}.
     */
    Slowloris(EventLoop loop, int port, int connections, double openRate, Duration interval) {
        if (connections < 1) {
            throw new IllegalArgumentException("connections: " + connections + " (expected: >= 1)");
        }
        this.loop = loop;
        this.port = port;
        this.target = connections;
        this.openRate = openRate;
        this.interval = interval;
        this.bootstrap = new Bootstrap()
                .group(loop)
                .channel(ClientTransport.socketChannel())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
                .option(ChannelOption.SO_REUSEADDR, true);
    }

    /** Starts opening connections, without blocking. */
    void start() {
        loop.execute(() -> {
            startNanos = System.nanoTime();
            lastTick = startNanos;
            opener = loop.scheduleAtFixedRate(this::openSome, 0, OPEN_TICK_NANOS, TimeUnit.NANOSECONDS);
        });
    }

    /** Waits until every connection is open or {@code limit} passes; whether all are open. */
    boolean awaitOpen(Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (loop.submit(() -> open.size() >= target).get(10, TimeUnit.SECONDS)) {
                return true;
            }
            Thread.sleep(50);
        }
        return false;
    }

    /** Opens connections while fewer than asked are open, at most {@code openRate} per second (a token bucket). */
    private void openSome() {
        if (!holding) {
            return;
        }
        long now = System.nanoTime();
        tokens = Math.min(Math.max(1, openRate / 10), tokens + (now - lastTick) * openRate / 1e9);
        lastTick = now;
        while (open.size() + connecting < target && tokens >= 1) {
            tokens--;
            openOne();
        }
        if (rampedNanos == 0 && open.size() >= target) {
            rampedNanos = now - startNanos;
        }
    }

    private void openOne() {
        connecting++;
        opened++;
        int source = (int) (opened % SOURCE_ADDRESSES) + 2;
        Drip drip = new Drip();
        bootstrap
                .clone()
                .handler(drip)
                .connect(new InetSocketAddress("127.0.0.1", port), new InetSocketAddress("127.0.0." + source, 0))
                .addListener(f -> {
                    connecting--;
                    if (f.isSuccess()) {
                        open.add(drip);
                        peakOpen = Math.max(peakOpen, open.size());
                    } else {
                        connectFailures++;
                        endings.merge("connect failed: " + f.cause().getClass().getSimpleName(), 1L, Long::sum);
                    }
                });
    }

    /** One slow connection: the head's start, then a byte per interval; how it ended is counted. */
    private final class Drip extends ChannelInboundHandlerAdapter {
        private ChannelHandlerContext ctx;
        private long firstByteNanos;
        private ScheduledFuture<?> next;
        private final StringBuilder answer = new StringBuilder();

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            this.ctx = ctx;
            firstByteNanos = System.nanoTime();
            write(ctx, FIRST);
            scheduleNext(ctx);
            ctx.fireChannelActive();
        }

        private void scheduleNext(ChannelHandlerContext ctx) {
            long jitter = ThreadLocalRandom.current().nextLong(interval.toNanos() / 2 + 1);
            next = ctx.executor()
                    .schedule(
                            () -> {
                                write(ctx, DRIP);
                                scheduleNext(ctx);
                            },
                            interval.toNanos() / 2 + jitter,
                            TimeUnit.NANOSECONDS);
        }

        private void write(ChannelHandlerContext ctx, byte[] bytes) {
            bytesSent += bytes.length;
            ctx.writeAndFlush(Unpooled.wrappedBuffer(bytes));
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof ByteBuf data && answer.length() < 64) {
                    answer.append(data.toString(StandardCharsets.US_ASCII));
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (next != null) {
                next.cancel(false);
            }
            boolean wasOpen = open.remove(this);
            if (wasOpen && holding) {
                String status =
                        answer.length() >= 12 && answer.toString().startsWith("HTTP/1.") ? answer.substring(9, 12) : "";
                if (status.equals("408")) {
                    timedOutAfterMillis.add((System.nanoTime() - firstByteNanos) / 1_000_000);
                }
                endings.merge(status.isEmpty() ? "closed without a response" : "answered " + status, 1L, Long::sum);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** Open now. */
    int openNow() throws Exception {
        return loop.submit(open::size).get(10, TimeUnit.SECONDS);
    }

    /** What happened so far, for the report. */
    Map<String, Object> stats() throws Exception {
        return loop.submit(() -> {
                    Map<String, Object> s = new LinkedHashMap<>();
                    s.put("connections_asked", target);
                    s.put("source_addresses", "127.0.0.2-127.0.0." + (SOURCE_ADDRESSES + 1));
                    s.put("drip_interval_s", interval.toMillis() / 1000.0);
                    s.put("opened", opened);
                    s.put("peak_open", peakOpen);
                    s.put("open_now", open.size());
                    s.put("all_open_after_s", rampedNanos == 0 ? null : Math.round(rampedNanos / 1e8) / 10.0);
                    s.put("connect_failures", connectFailures);
                    s.put("bytes_sent", bytesSent);
                    s.put("ended_by_the_gateway", Map.copyOf(endings));
                    List<Long> sorted = timedOutAfterMillis.stream().sorted().toList();
                    s.put(
                            "answered_408_after_s",
                            sorted.isEmpty()
                                    ? null
                                    : Map.of(
                                            "min", sorted.getFirst() / 1000.0,
                                            "p50", sorted.get(sorted.size() / 2) / 1000.0,
                                            "max", sorted.getLast() / 1000.0));
                    return s;
                })
                .get(10, TimeUnit.SECONDS);
    }

    /** Stops replacing connections and closes every one; blocking. */
    @Override
    public void close() throws Exception {
        loop.submit(() -> {
                    holding = false;
                    if (opener != null) {
                        opener.cancel(false);
                    }
                })
                .get(10, TimeUnit.SECONDS);
        // In batches, so that the loop's other tasks (the closes themselves) interleave.
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            int left = loop.submit(() -> {
                        List<Drip> batch = open.stream().limit(1000).toList();
                        batch.forEach(d -> {
                            open.remove(d);
                            if (d.next != null) {
                                d.next.cancel(false);
                            }
                            if (d.ctx != null) {
                                d.ctx.close();
                            }
                        });
                        return open.size() + connecting;
                    })
                    .get(30, TimeUnit.SECONDS);
            if (left == 0) {
                return;
            }
            Thread.sleep(10);
        }
    }
}
