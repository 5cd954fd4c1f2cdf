package dev.ferry.call.transport;

import dev.ferry.request.protocol.CallEnd;
import dev.ferry.request.protocol.ContainerSecret;
import dev.ferry.request.protocol.Frame;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A caller's long-lived connection to one container, carrying many calls at once
 * ({@link ClientCall}), all served by one event loop: the caller's own, so that a gateway's
 * client socket, its calls and their container connection are served by one thread, with no
 * hand-off between threads.
 *
 * <p>Writes are batched: frames written during one turn of the loop go out in one flush at its
 * end. A connection that closes fails the calls on it ({@link CallOutcome#CONNECTION_LOST}); the
 * next new call connects again.
 *
 * <p>Each connection opens with the container's secret (a {@code ConnectionOpen} frame), sent in
 * the same write as the calls made while it connected: no round trip of its own. A container
 * that refuses it says why before it closes; the calls on it end with that reason.
 *
 * <p>Not thread-safe: every method runs on {@link #loop()}, except {@link #failed()}.
 */
public final class CallConnection {

    private static final System.Logger logger = System.getLogger(CallConnection.class.getName());

    private final EventLoop loop;
    private final ContainerSecret secret;
    /** Where it connects: the preferred address until it fails to connect there, then the fallback. */
    private SocketAddress address;
    /** Where to connect when {@link #address} refuses; null when there is nowhere else. */
    private SocketAddress fallback;
    /** How messages name {@link #address}. */
    private String named;

    private final IntObjectMap<ClientCall> calls = new IntObjectHashMap<>();
    /** Frames written before the connection was up; they go out, in order, once it is. */
    private final List<ByteBuf> unsent = new ArrayList<>();

    private final Runnable flush = this::flushNow;
    /** Frames written this turn and not yet handed to the channel. */
    private final FrameBatch batch = new FrameBatch();

    private Channel channel;
    private boolean active;
    private boolean flushScheduled;
    private boolean shutdown;
    /** Whether the last connection attempt failed or the connection broke: read from any thread. */
    private volatile boolean failed;

    /** Why the container refused this connection, if it said so; the calls that fail hear it. */
    private String refusal;

    private int nextId = 1;

    private CallConnection(EventLoop loop, SocketAddress address, SocketAddress fallback, ContainerSecret secret) {
        this.loop = loop;
        this.secret = Objects.requireNonNull(secret, "secret");
        this.address = address;
        this.fallback = fallback;
        this.named = Transport.describe(address);
    }

    /**
     * A connection to {@code address} (TCP, or a {@link Transport#localSocket}) on {@code loop},
     * whose channels must be of {@link Transport}'s kind. It starts connecting now, so that the
     * first call does not wait for it; calls made meanwhile go out once it is up. Each connection
     * opens with {@code secret}, the container's ({@link ContainerSecret#NONE}: with nothing, for
     * a container from before secrets). Call from any thread.
     */
    public static CallConnection open(EventLoop loop, SocketAddress address, ContainerSecret secret) {
        return open(loop, address, null, secret);
    }

    /**
     * A connection to {@code address}, or to {@code fallback} if the first attempt to connect to
     * {@code address} fails (as with {@link #open(EventLoop, SocketAddress, ContainerSecret)}
     * otherwise): a container's local socket, say, with its TCP address to fall back on should it
     * not listen there. Once it has fallen back it stays with {@code fallback}. Call from any
     * thread.
     */
    public static CallConnection open(
            EventLoop loop, SocketAddress address, SocketAddress fallback, ContainerSecret secret) {
        CallConnection connection = new CallConnection(loop, address, fallback, secret);
        loop.execute(connection::connect);
        return connection;
    }

    public EventLoop loop() {
        return loop;
    }

    /** Where it connects now: the first address, or the fallback once the first refused. Call on {@link #loop()}. */
    public SocketAddress address() {
        return address;
    }

    /** Whether the last attempt to connect failed, or the connection broke; a new call tries again. */
    public boolean failed() {
        return failed;
    }

    /** Calls open on this connection now. */
    public int calls() {
        return calls.size();
    }

    /**
     * A new call, whose events {@code listener} hears. On a connection that is shut down the
     * call closes at once with {@link CallOutcome#CONNECTION_LOST}, as it does when the
     * connection cannot be made.
     */
    public ClientCall newCall(CallListener listener) {
        checkLoop();
        int id = nextId();
        ClientCall call = new ClientCall(this, id, listener);
        if (shutdown) {
            // Closed from the start, so that nothing the caller sends in this turn goes out; it
            // hears why in the next.
            call.refuse(CallOutcome.CONNECTION_LOST, "connection to " + named + " is shut down");
            return call;
        }
        calls.put(id, call);
        if (channel == null) {
            connect();
        }
        return call;
    }

    /** The next call number not in use: numbers wrap, but never onto a call that still lives. */
    private int nextId() {
        int id = nextId;
        while (calls.containsKey(id)) {
            id = id == Integer.MAX_VALUE ? 1 : id + 1;
        }
        nextId = id == Integer.MAX_VALUE ? 1 : id + 1;
        return id;
    }

    /** No new calls; the connection closes once those open have ended. Call from any thread. */
    public void shutdown() {
        loop.execute(() -> {
            shutdown = true;
            if (calls.isEmpty()) {
                close();
            }
        });
    }

    /** Closes the connection now: the calls on it end with {@link CallOutcome#CONNECTION_LOST}. Call from any thread. */
    public void close() {
        loop.execute(() -> {
            shutdown = true;
            if (channel != null) {
                batch.writeTo(channel);
                channel.flush(); // the cancels written this turn go out first
                channel.close();
            }
            failAll("connection to " + named + " closed by the caller");
        });
    }

    /** Whether a frame written now would go to the socket without queueing behind a full one. */
    boolean writable() {
        return channel == null || !active || channel.isWritable();
    }

    /**
     * Writes {@code frame} (flushed at the end of this loop turn) and returns its size. The frames
     * of one turn are encoded one after another into one buffer, which goes to the channel as
     * one write; a large one (a body chunk) goes in a buffer of its own, in order.
     */
    int write(Frame frame) {
        int total = Frames.encodedSize(frame);
        int size = frame.getSerializedSize();
        if (!active) {
            unsent.add(Frames.encode(channel == null ? PooledByteBufAllocator.DEFAULT : channel.alloc(), frame));
            return size;
        }
        batch.add(channel, frame, total);
        if (!flushScheduled) {
            flushScheduled = true;
            loop.execute(flush);
        }
        return size;
    }

    void cancel(ClientCall call, String reason) {
        if (calls.remove(call.id()) != null) {
            write(Frames.end(call.id(), CallEnd.Reason.CANCELLED, reason));
            closeIfDone();
        }
    }

    private void flushNow() {
        flushScheduled = false;
        if (channel != null) {
            batch.writeTo(channel);
            channel.flush();
        }
    }

    private void connect() {
        if (shutdown || channel != null) {
            return;
        }
        Bootstrap bootstrap = new Bootstrap().group(loop).channel(Transport.socketChannel(address));
        if (!Transport.isLocalSocket(address)) {
            bootstrap.option(ChannelOption.TCP_NODELAY, true);
        }
        ChannelFuture connecting = bootstrap
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new Frames.Decoder(), new Inbound());
                    }
                })
                .connect(address);
        channel = connecting.channel();
        connecting.addListener(done -> {
            if (!done.isSuccess() && fallback != null && !shutdown) {
                logger.log(
                        System.Logger.Level.DEBUG,
                        "cannot connect to " + named + " (" + done.cause().getMessage() + "); using "
                                + Transport.describe(fallback));
                address = fallback;
                named = Transport.describe(fallback);
                fallback = null;
                channel = null;
                connect(); // what was written meanwhile waits in unsent
            } else if (!done.isSuccess()) {
                // A connect that the caller's own shutdown cut short is no failure (as in
                // disconnected()); it happens when the shutdown comes before the connect completes.
                failed = !shutdown;
                channel = null;
                releaseUnsent();
                failAll("cannot connect to " + named + ": " + done.cause().getMessage());
            }
        });
    }

    private void connected() {
        active = true;
        failed = false;
        refusal = null;
        if (!secret.isNone()) {
            channel.write(Frames.encode(channel.alloc(), Frames.open(secret)), channel.voidPromise());
        }
        for (ByteBuf buf : unsent) {
            channel.write(buf, channel.voidPromise());
        }
        unsent.clear();
        channel.flush();
    }

    private void disconnected() {
        active = false;
        batch.discard();
        channel = null;
        releaseUnsent();
        if (!shutdown) {
            failed = true;
        }
        failAll(
                refusal == null
                        ? "connection to " + named + " closed"
                        : "connection to " + named + " refused by the container: " + refusal);
    }

    private void releaseUnsent() {
        unsent.forEach(ByteBuf::release);
        unsent.clear();
    }

    private void failAll(String detail) {
        if (calls.isEmpty()) {
            return;
        }
        List<ClientCall> open = new ArrayList<>(calls.values());
        calls.clear();
        for (ClientCall call : open) {
            call.ended(CallOutcome.CONNECTION_LOST, detail);
        }
    }

    private void closeIfDone() {
        if (shutdown && calls.isEmpty() && channel != null) {
            batch.writeTo(channel);
            channel.flush(); // a cancel written just now goes out first
            channel.close();
        }
    }

    private void received(Frames.Inbound inbound) {
        Frame frame = inbound.frame();
        if (frame.getCall() == Frames.CONNECTION) {
            if (frame.hasServer() && frame.getServer().hasError()) {
                refusal = frame.getServer().getError().getDetail();
                logger.log(
                        System.Logger.Level.WARNING,
                        "the container at " + named + " refuses this connection ("
                                + frame.getServer().getError().getCode() + "): " + refusal);
            }
            return;
        }
        ClientCall call = calls.get(frame.getCall());
        if (call == null) {
            return; // the call ended while this was in flight
        }
        switch (frame.getBodyCase()) {
            case SERVER -> call.delivered(frame.getServer(), inbound.bytes());
            case WINDOW -> call.granted(frame.getWindow());
            case ACCEPTED -> call.accepted();
            case END -> {
                calls.remove(frame.getCall());
                call.ended(CallOutcome.COMPLETED, frame.getEnd().getDetail());
                closeIfDone();
            }
            case CLIENT, BODY_NOT_SET -> {
                logger.log(
                        System.Logger.Level.WARNING,
                        "closing the connection to " + named + ": it sent a " + frame.getBodyCase()
                                + " frame (expected: server, accepted, window or end)");
                channel.close();
            }
        }
    }

    private void checkLoop() {
        if (!loop.inEventLoop()) {
            throw new IllegalStateException("called off the connection's event loop (expected: " + loop + ")");
        }
    }

    /** The connection's inbound end. */
    private final class Inbound extends ChannelInboundHandlerAdapter {

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            connected();
            ctx.fireChannelActive();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            disconnected();
            ctx.fireChannelInactive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            received((Frames.Inbound) msg);
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (ctx.channel().isWritable()) {
                for (ClientCall call : new ArrayList<>(calls.values())) {
                    call.writable();
                }
            }
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            logger.log(System.Logger.Level.WARNING, "closing the connection to " + named + ": " + cause.getMessage());
            ctx.close();
        }
    }
}
