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
import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The overload bench's HTTP/1.1 traffic to one gateway: GET requests on keep-alive connections,
 * one request in flight on each, every one kept as a {@link Shot} (when it was meant to start,
 * when it went out, when it ended, its status and whether a 503 said Retry-After).
 *
 * <p>Open loop ({@link #play}): requests are due at each spell's rate, back to back from one
 * spell to the next, however the gateway answers. A due request takes an idle connection, or a
 * new one while fewer than {@code maxConnections} are open, else waits in the client's queue
 * (that wait counts: latency runs from the intended start). Closed loop ({@link #closedLoop}):
 * a fixed number of connections each send their next request when the last ends, which finds
 * the saturation rate.
 *
 * <p>Everything runs on one event loop; the public-facing methods block until their run ends
 * and are bounded in time: a request unanswered after {@link #REQUEST_TIMEOUT} fails.
 */
final class OverloadTraffic implements AutoCloseable {

    /** Longer than any wait the gateway's bounded queue can impose at the bench's rates. */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    /** How long a due request may wait for a connection before it counts as {@link #UNSENT}. */
    static final Duration UNSENT_AFTER = Duration.ofSeconds(1);

    /** The failure of a request that found no connection for {@link #UNSENT_AFTER}: the generator's limit. */
    static final String UNSENT = "not sent: every connection busy for 1 s";

    private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    /** One spell of an open-loop run: {@code rate} requests per second for {@code duration}. */
    record Spell(String name, double rate, Duration duration) {
        Spell {
            if (!(rate > 0) || Double.isInfinite(rate)) {
                throw new IllegalArgumentException("rate: " + rate + " (expected: > 0 requests/s)");
            }
        }
    }

    /**
     * One request: its spell's index, when it was meant to start, sent (0: never, {@link #UNSENT})
     * and ended ({@link System#nanoTime()}), its status (0: no response), why it failed (the
     * reason of a non-2xx response, or what the client saw; null for a 2xx) and whether the
     * response carried Retry-After.
     */
    record Shot(int spell, long intended, long sent, long end, int status, boolean retryAfter, String failure) {
        boolean ok() {
            return status >= 200 && status < 300;
        }

        /** From the intended start to the end: what a user waiting on the schedule saw. */
        long latencyNanos() {
            return end - intended;
        }

        /** From the request's sending to its end: the gateway's own time, the client's queue left out. */
        long serviceNanos() {
            return end - sent;
        }
    }

    private final EventLoop loop;
    private final Bootstrap bootstrap;
    private final FullHttpRequest request;
    private final int maxConnections;
    private final ArrayDeque<Connection> idle = new ArrayDeque<>();
    private final Set<Connection> open = new HashSet<>();
    private int connecting;
    private int connectionsOpened;
    private boolean closed;

    /**
     * Traffic to 127.0.0.1:{@code port} for {@code host}{@code path} on {@code loop}, with at most
     * {@code maxConnections} connections open; none is opened yet.
     */
    OverloadTraffic(EventLoop loop, int port, String host, String path, int maxConnections) {
        if (maxConnections < 1) {
            throw new IllegalArgumentException("maxConnections: " + maxConnections + " (expected: >= 1)");
        }
        this.loop = loop;
        this.maxConnections = maxConnections;
        this.request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path, Unpooled.EMPTY_BUFFER);
        request.headers().set(HttpHeaderNames.HOST, host + ":" + port);
        this.bootstrap = new Bootstrap()
                .group(loop)
                .channel(ClientTransport.socketChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5_000)
                .remoteAddress("127.0.0.1", port);
    }

    /** Connections opened so far, replacements included. */
    int connectionsOpened() throws Exception {
        return loop.submit(() -> connectionsOpened).get(10, TimeUnit.SECONDS);
    }

    /**
     * {@code connections} connections, each sending its next request as soon as the last ended,
     * for {@code duration}: the requests that ended within it. Blocking.
     */
    List<Shot> closedLoop(int connections, Duration duration) throws Exception {
        ClosedRun run = new ClosedRun(connections, System.nanoTime() + duration.toNanos());
        loop.execute(run::start);
        return run.done.get(duration.plus(REQUEST_TIMEOUT).toSeconds() + 10, TimeUnit.SECONDS);
    }

    /**
     * Plays {@code spells} back to back, open loop, from now; returns every request once all
     * have ended (or failed at {@link #REQUEST_TIMEOUT}). {@code onSpell} is told each spell's
     * start ({@link System#nanoTime()}) as it begins, on the event loop. Blocking.
     */
    List<Shot> play(List<Spell> spells, SpellStarts onSpell) throws Exception {
        OpenRun run = new OpenRun(spells, onSpell);
        loop.execute(run::start);
        Duration total = Duration.ZERO;
        for (Spell s : spells) {
            total = total.plus(s.duration());
        }
        return run.done.get(total.plus(REQUEST_TIMEOUT).toSeconds() + 10, TimeUnit.SECONDS);
    }

    /** Told when a spell begins. */
    @FunctionalInterface
    interface SpellStarts {
        void started(int spell, long nanos);
    }

    /** Sends a request on an idle connection, or opens one; false when neither is possible now. */
    private boolean trySend(Pending pending) {
        Connection c = idle.poll();
        if (c != null) {
            c.send(pending);
            return true;
        }
        if (open.size() + connecting < maxConnections) {
            connect(pending);
            return true;
        }
        return false;
    }

    private void connect(Pending first) {
        connecting++;
        connectionsOpened++;
        Connection connection = new Connection();
        ChannelFuture f = bootstrap
                .clone()
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(1 << 16), connection);
                    }
                })
                .connect();
        f.addListener(done -> {
            connecting--;
            if (done.isSuccess()) {
                open.add(connection);
                connection.send(first);
            } else {
                Throwable cause = done.cause();
                first.end(0, false, "connect: " + (cause instanceof ConnectException ? "refused" : cause));
            }
        });
    }

    /** A request not yet ended: where its outcome goes. */
    private static final class Pending {
        final int spell;
        final long intended;
        final Sink sink;
        long sent;
        boolean ended;
        ScheduledFuture<?> timeout;

        Pending(int spell, long intended, Sink sink) {
            this.spell = spell;
            this.intended = intended;
            this.sink = sink;
        }

        void end(int status, boolean retryAfter, String failure) {
            if (ended) {
                return;
            }
            ended = true;
            if (timeout != null) {
                timeout.cancel(false);
            }
            long now = System.nanoTime();
            // A request that never went out keeps sent 0, so no spell counts it as sent.
            long sentAt = sent != 0 || UNSENT.equals(failure) ? sent : now;
            sink.ended(new Shot(spell, intended, sentAt, now, status, retryAfter, failure));
        }
    }

    @FunctionalInterface
    private interface Sink {
        void ended(Shot shot);
    }

    /** One keep-alive connection, one request at a time. */
    private final class Connection extends SimpleChannelInboundHandler<FullHttpResponse> {
        private ChannelHandlerContext ctx;
        private Pending pending;

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            this.ctx = ctx;
        }

        void send(Pending p) {
            pending = p;
            p.sent = System.nanoTime();
            p.timeout = loop.schedule(
                    () -> {
                        p.end(0, false, "timeout (" + REQUEST_TIMEOUT.toSeconds() + " s)");
                        ctx.close();
                    },
                    REQUEST_TIMEOUT.toNanos(),
                    TimeUnit.NANOSECONDS);
            ctx.writeAndFlush(request.retainedDuplicate()).addListener(w -> {
                if (!w.isSuccess()) {
                    ctx.close();
                }
            });
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
            Pending done = pending;
            pending = null;
            boolean reuse = HttpUtil.isKeepAlive(response);
            if (reuse && !closed) {
                idle.add(this);
            } else {
                ctx.close();
            }
            if (done != null) {
                int status = response.status().code();
                done.end(
                        status,
                        response.headers().contains(HttpHeaderNames.RETRY_AFTER),
                        status / 100 == 2 ? null : reason(response));
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            open.remove(this);
            idle.remove(this);
            Pending done = pending;
            pending = null;
            if (done != null) {
                done.end(0, false, "connection closed before a response");
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            Pending done = pending;
            pending = null;
            if (done != null) {
                String message = String.valueOf(cause.getMessage());
                done.end(
                        0,
                        false,
                        message.contains("reset")
                                ? "connection reset"
                                : cause.getClass().getSimpleName());
            }
            ctx.close();
        }
    }

    /**
     * A refusal's reason, in few kinds: its x-ferry-error and the first words of its body,
     * numbers as N ("no_capacity: N requests already wait for examples--slow").
     */
    private static String reason(FullHttpResponse response) {
        String error = response.headers().get("x-ferry-error", "");
        String body = response.content()
                .toString(java.nio.charset.StandardCharsets.UTF_8)
                .strip();
        int cut = body.indexOf(" (");
        String words = (cut > 0 ? body.substring(0, cut) : body).replaceAll("[0-9][0-9.]*", "N");
        if (words.length() > 100) {
            words = words.substring(0, 100) + "...";
        }
        return "status " + response.status().code() + (error.isEmpty() ? "" : " " + error) + ": " + words;
    }

    /** A closed-loop run; touched on the event loop only. */
    private final class ClosedRun {
        final int connections;
        final long deadline;
        final List<Shot> shots = new ArrayList<>();
        final CompletableFuture<List<Shot>> done = new CompletableFuture<>();
        int inFlight;

        ClosedRun(int connections, long deadline) {
            this.connections = connections;
            this.deadline = deadline;
        }

        void start() {
            for (int i = 0; i < connections; i++) {
                next();
            }
        }

        private void next() {
            long now = System.nanoTime();
            Pending p = new Pending(0, now, this::ended);
            if (trySend(p)) {
                inFlight++;
            }
        }

        private void ended(Shot shot) {
            inFlight--;
            if (shot.end() <= deadline) {
                shots.add(shot);
            }
            if (shot.end() < deadline && !closed) {
                next();
            }
            if (inFlight == 0) {
                done.complete(shots);
            }
        }
    }

    /** An open-loop run over its spells; touched on the event loop only. */
    private final class OpenRun {
        final List<Spell> spells;
        final SpellStarts onSpell;
        final List<Shot> shots = new ArrayList<>();
        final ArrayDeque<Pending> waiting = new ArrayDeque<>();
        final CompletableFuture<List<Shot>> done = new CompletableFuture<>();
        int spell = -1;
        long spellStart;
        long spellEnd;
        long sentInSpell;
        long scheduled;
        long ended;
        boolean allScheduled;
        boolean dispatching;
        ScheduledFuture<?> ticker;

        OpenRun(List<Spell> spells, SpellStarts onSpell) {
            this.spells = List.copyOf(spells);
            this.onSpell = onSpell;
        }

        void start() {
            spellEnd = System.nanoTime();
            nextSpell();
            ticker = loop.scheduleAtFixedRate(this::tickOrFail, 0, TICK_NANOS, TimeUnit.NANOSECONDS);
        }

        /** A tick that throws would end the ticker in silence and the run would wait out its limit. */
        private void tickOrFail() {
            try {
                tick();
            } catch (RuntimeException | StackOverflowError e) {
                ticker.cancel(false);
                done.completeExceptionally(e);
            }
        }

        private boolean nextSpell() {
            spell++;
            if (spell >= spells.size()) {
                allScheduled = true;
                return false;
            }
            spellStart = spellEnd; // back to back: the next spell's schedule starts where the last ended
            spellEnd = spellStart + spells.get(spell).duration().toNanos();
            sentInSpell = 0;
            onSpell.started(spell, spellStart);
            return true;
        }

        private void tick() {
            long now = System.nanoTime();
            while (!allScheduled) {
                double rate = spells.get(spell).rate();
                long intended = spellStart + (long) (sentInSpell * 1e9 / rate);
                if (intended >= spellEnd) {
                    if (!nextSpell()) {
                        break;
                    }
                    continue;
                }
                if (intended > now) {
                    break;
                }
                waiting.add(new Pending(spell, intended, this::ended));
                sentInSpell++;
                scheduled++;
            }
            dispatch();
            if (allScheduled) {
                ticker.cancel(false);
                finishIfDone();
            }
        }

        private void dispatch() {
            // Ending a request dispatches again: without this guard, dropping thousands of unsent
            // requests would recurse once per request and overflow the stack, killing the ticker.
            if (dispatching) {
                return;
            }
            dispatching = true;
            try {
                dispatchNow();
            } finally {
                dispatching = false;
            }
        }

        private void dispatchNow() {
            long stale = System.nanoTime() - UNSENT_AFTER.toNanos();
            while (!waiting.isEmpty() && waiting.peek().intended < stale) {
                // A generator whose every connection is taken would otherwise carry this backlog
                // into the next spell and measure itself there.
                waiting.poll().end(0, false, UNSENT);
            }
            while (!waiting.isEmpty() && !closed) {
                if (!trySend(waiting.peek())) {
                    return;
                }
                waiting.poll();
            }
        }

        private void ended(Shot shot) {
            shots.add(shot);
            ended++;
            dispatch();
            finishIfDone();
        }

        private void finishIfDone() {
            if (allScheduled && ended == scheduled) {
                done.complete(shots);
            }
        }
    }

    /** Closes every connection; blocking. */
    @Override
    public void close() throws Exception {
        loop.submit(() -> {
                    closed = true;
                    idle.clear();
                    List.copyOf(open).forEach(c -> c.ctx.close());
                })
                .get(10, TimeUnit.SECONDS);
        request.release();
    }
}
