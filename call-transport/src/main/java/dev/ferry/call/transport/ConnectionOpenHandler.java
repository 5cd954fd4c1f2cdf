package dev.ferry.call.transport;

import dev.ferry.request.protocol.ContainerSecret;
import dev.ferry.request.protocol.Frame;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A container's gate on one connection: the connection's first frame must be a
 * {@code ConnectionOpen} with the container's secret, and must come within the handshake
 * timeout. Then the gate takes itself out of the pipeline and lets the frames after it through
 * to the {@link ServerConnection}; until then nothing reaches it. Anything else first (a call,
 * a wrong secret, a frame too long for a {@code ConnectionOpen}), or nothing in time, and it
 * says why in one frame ({@code CallError CONNECTION_REFUSED} on call 0), logs it without the
 * secret, and closes the connection; what the peer sent meanwhile is dropped unread.
 *
 * <p>Loop-confined, one per connection.
 */
final class ConnectionOpenHandler extends ChannelInboundHandlerAdapter {

    private static final System.Logger logger = System.getLogger(ConnectionOpenHandler.class.getName());

    private final ContainerSecret secret;
    private final Duration timeout;
    /** The connection's decoder, which reads short frames only until the connection is open. */
    private final Frames.Decoder decoder;

    private ScheduledFuture<?> deadline;
    private boolean refused;

    ConnectionOpenHandler(ContainerSecret secret, Duration timeout, Frames.Decoder decoder) {
        this.secret = secret;
        this.timeout = timeout;
        this.decoder = decoder;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive()) {
            startClock(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        startClock(ctx);
        ctx.fireChannelActive();
    }

    private void startClock(ChannelHandlerContext ctx) {
        if (deadline == null) {
            deadline = ctx.executor()
                    .schedule(
                            () -> refuse(ctx, "no ConnectionOpen within " + timeout.toMillis() + " ms"),
                            timeout.toNanos(),
                            TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (refused) {
            return;
        }
        Frame frame = ((Frames.Inbound) msg).frame();
        if (frame.getBodyCase() != Frame.BodyCase.OPEN || frame.getCall() != Frames.CONNECTION) {
            refuse(
                    ctx,
                    "its first frame was a " + frame.getBodyCase() + " frame of call " + frame.getCall()
                            + " (expected: a ConnectionOpen on call 0)");
        } else if (!secret.matches(frame.getOpen().getSecret())) {
            refuse(ctx, "its ConnectionOpen has the wrong secret");
        } else {
            deadline.cancel(false);
            decoder.maxFrame(Frames.MAX_FRAME);
            ctx.pipeline().remove(this); // the frames after this one go straight to the connection
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (Frames.isConnectionEnd(cause)) {
            ctx.close();
        } else {
            refuse(ctx, "its first frame is unreadable: " + cause.getMessage());
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (deadline != null) {
            deadline.cancel(false);
        }
        ctx.fireChannelInactive();
    }

    private void refuse(ChannelHandlerContext ctx, String reason) {
        if (refused) {
            return;
        }
        refused = true;
        if (deadline != null) {
            deadline.cancel(false);
        }
        // A peer on a local socket has no address of its own: name the socket it came in on.
        String from = Transport.isLocalSocket(ctx.channel().localAddress())
                ? "on " + Transport.describe(ctx.channel().localAddress())
                : "from " + Transport.describe(ctx.channel().remoteAddress());
        logger.log(System.Logger.Level.WARNING, "refusing a connection " + from + ": " + reason);
        if (!ctx.channel().isActive()) {
            return;
        }
        ctx.writeAndFlush(Frames.encode(ctx.alloc(), Frames.unauthenticated("connection refused: " + reason)))
                .addListener(ChannelFutureListener.CLOSE);
    }
}
