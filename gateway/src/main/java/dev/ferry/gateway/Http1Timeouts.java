package dev.ferry.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpServerCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Ends HTTP/1.x connections that stall outside a request: a request head that has begun but
 * is not complete within {@code headTimeout} gets a 408 and the connection is closed (slow
 * "slowloris" heads hold no resources for long); a keep-alive connection with no new request
 * for {@code idleTimeout} is closed. While a request runs, neither applies: the function's
 * own timeout does.
 *
 * <p>It sits before the HTTP codec, so it sees the first bytes of a head; the
 * {@link HttpConnectionHandler} tells it when a head is complete and when a response ends.
 * Runs on the channel's event loop only.
 */
final class Http1Timeouts extends ChannelDuplexHandler {

    /** Default time from a head's first byte to its end. */
    static final Duration DEFAULT_HEAD_TIMEOUT = Duration.ofSeconds(30);
    /** Default time a keep-alive connection may wait for its next request. */
    static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(75);

    private static final byte[] REQUEST_TIMEOUT =
            ("HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain; charset=utf-8\r\n"
                            + "x-ferry-error: request_timeout\r\ncontent-length: 35\r\nconnection: close\r\n\r\n"
                            + "request head not received in time\r\n")
                    .getBytes(StandardCharsets.US_ASCII);

    private enum State {
        IDLE,
        HEAD,
        BUSY
    }

    private final Duration headTimeout;
    private final Duration idleTimeout;
    private ChannelHandlerContext ctx;
    private State state = State.IDLE;
    private ScheduledFuture<?> timer;

    Http1Timeouts(Duration headTimeout, Duration idleTimeout) {
        this.headTimeout = headTimeout;
        this.idleTimeout = idleTimeout;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        if (ctx.channel().isActive()) {
            idle();
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        idle();
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!http1()) {
            ctx.pipeline().remove(this);
        } else if (state == State.IDLE && msg instanceof ByteBuf bytes && bytes.isReadable()) {
            state = State.HEAD;
            schedule(headTimeout, this::headTimedOut);
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancel();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancel(); // e.g. the connection became HTTP/2
    }

    /** A request head is complete; its request now runs. */
    void headComplete() {
        state = State.BUSY;
        cancel();
    }

    /** The response ended and the connection waits for its next request. */
    void idle() {
        state = State.IDLE;
        schedule(idleTimeout, () -> {
            if (http1()) {
                ctx.close();
            }
        });
    }

    /** Whether the connection still speaks HTTP/1.x: an upgrade to HTTP/2 removes the codec. */
    private boolean http1() {
        return ctx.pipeline().get(HttpServerCodec.class) != null;
    }

    private void headTimedOut() {
        if (!http1()) {
            ctx.pipeline().remove(this);
            return;
        }
        ctx.writeAndFlush(ctx.alloc().buffer(REQUEST_TIMEOUT.length).writeBytes(REQUEST_TIMEOUT))
                .addListener(ChannelFutureListener.CLOSE);
    }

    private void schedule(Duration delay, Runnable task) {
        cancel();
        timer = ctx.executor().schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
