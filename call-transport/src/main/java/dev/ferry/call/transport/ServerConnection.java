package dev.ferry.call.transport;

import dev.ferry.request.protocol.Frame;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;
import java.util.ArrayList;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A container's end of one gateway connection: opens a {@link ServerCall} for each call that
 * arrives, and writes what the calls send.
 *
 * <p>Calls send from their own threads: each frame is encoded there and queued, and the
 * connection's loop writes every queued frame and flushes once, so the events of many calls
 * sent meanwhile go out in one write.
 */
final class ServerConnection extends ChannelInboundHandlerAdapter {

    private static final System.Logger logger = System.getLogger(ServerConnection.class.getName());

    /** A frame on its way out, with its size on the wire; {@code ends} removes its call once written. */
    private record Outbound(Frame frame, int total, boolean ends) {}

    private final CallAcceptor acceptor;
    /** Loop-confined. */
    private final IntObjectMap<ServerCall> calls = new IntObjectHashMap<>();

    private final Queue<Outbound> outbound = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final Runnable drain = this::drain;
    /** Loop-confined. */
    private final FrameBatch batch = new FrameBatch();

    private volatile Channel channel;
    /** Set once the connection closed: what calls send from then on is dropped at once. */
    private volatile boolean closed;

    ServerConnection(CallAcceptor acceptor) {
        this.acceptor = acceptor;
    }

    /**
     * Queues {@code frame} for the loop and returns its size. Any thread. The loop encodes what
     * is queued into as few buffers as it can, and writes them in one flush.
     *
     * @throws IllegalArgumentException when the frame is longer than {@link Frames#MAX_FRAME}
     */
    int send(Frame frame, boolean ends) {
        int total = Frames.encodedSize(frame);
        if (closed) {
            return frame.getSerializedSize();
        }
        outbound.add(new Outbound(frame, total, ends));
        if (drainScheduled.compareAndSet(false, true)) {
            try {
                channel.eventLoop().execute(drain);
            } catch (RejectedExecutionException e) {
                closed = true; // the server is shutting down: nobody will read it
                outbound.clear();
            }
        }
        return frame.getSerializedSize();
    }

    /**
     * As {@link #send}, but on the connection's loop the frame (after those queued before it) is
     * written and flushed before this returns: on its way before anything that another thread
     * starts next can do. Elsewhere it is queued as {@link #send} queues it.
     */
    void sendNow(Frame frame) {
        Channel ch = channel;
        if (closed || !ch.eventLoop().inEventLoop()) {
            send(frame, false);
            return;
        }
        outbound.add(new Outbound(frame, Frames.encodedSize(frame), false));
        drain();
    }

    boolean writable() {
        return channel.isWritable();
    }

    private void drain() {
        drainScheduled.set(false);
        Channel ch = channel;
        if (closed) {
            outbound.clear();
            return;
        }
        Outbound next;
        while ((next = outbound.poll()) != null) {
            batch.add(ch, next.frame(), next.total());
            if (next.ends()) {
                calls.remove(next.frame().getCall());
            }
        }
        batch.writeTo(ch);
        ch.flush();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Frames.Inbound inbound = (Frames.Inbound) msg;
        Frame frame = inbound.frame();
        int id = frame.getCall();
        ServerCall call = calls.get(id);
        switch (frame.getBodyCase()) {
            case CLIENT -> {
                if (call == null) {
                    if (!frame.getClient().hasStart()) {
                        return; // a late event of a call that has ended
                    }
                    call = new ServerCall(this, id);
                    call.handler = acceptor.accept(call);
                    calls.put(id, call);
                }
                call.handler.onEvent(frame.getClient(), inbound.bytes());
            }
            case WINDOW -> {
                if (call != null) {
                    call.granted(frame.getWindow());
                }
            }
            case END -> {
                if (call != null) {
                    calls.remove(id);
                    call.cancelled(
                            frame.getEnd().getDetail().isEmpty()
                                    ? "cancelled by the gateway"
                                    : frame.getEnd().getDetail());
                }
            }
            case SERVER, ACCEPTED, BODY_NOT_SET -> {
                logger.log(
                        System.Logger.Level.WARNING,
                        "closing a gateway connection from " + ctx.channel().remoteAddress() + ": it sent a "
                                + frame.getBodyCase() + " frame (expected: client, window or end)");
                ctx.close();
            }
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closed = true;
        outbound.clear();
        if (!calls.isEmpty()) {
            ArrayList<ServerCall> open = new ArrayList<>(calls.values());
            calls.clear();
            for (ServerCall call : open) {
                call.cancelled("the gateway's connection closed");
            }
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            for (ServerCall call : new ArrayList<>(calls.values())) {
                call.writable();
            }
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        logger.log(
                Frames.isConnectionEnd(cause) ? System.Logger.Level.DEBUG : System.Logger.Level.WARNING,
                "closing a gateway connection from " + ctx.channel().remoteAddress() + ": " + cause);
        ctx.close();
    }
}
