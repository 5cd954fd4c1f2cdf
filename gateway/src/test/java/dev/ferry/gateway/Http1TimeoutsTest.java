package dev.ferry.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The stall timeouts, on a fake clock (EmbeddedChannel's), with Netty's real codec behind them. */
class Http1TimeoutsTest {

    private final Http1Timeouts timeouts = new Http1Timeouts(Duration.ofSeconds(30), Duration.ofSeconds(75));

    private EmbeddedChannel channel() {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.freezeTime();
        channel.pipeline().addLast(timeouts, new HttpServerCodec(), new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof HttpRequest) {
                    timeouts.headComplete(); // as HttpConnectionHandler does
                }
                ReferenceCountUtil.release(msg);
            }
        });
        return channel;
    }

    private static String written(EmbeddedChannel channel) {
        StringBuilder out = new StringBuilder();
        ByteBuf buf;
        while ((buf = channel.readOutbound()) != null) {
            out.append(buf.toString(StandardCharsets.US_ASCII));
            buf.release();
        }
        return out.toString();
    }

    @Test
    void anUnfinishedHeadGets408AndTheConnectionClosesAfterTheHeadTimeout() {
        EmbeddedChannel channel = channel();
        channel.writeInbound(
                Unpooled.copiedBuffer("GET / HTTP/1.1\r\nHost: a--b.localhost\r\nX-Slow: ", StandardCharsets.US_ASCII));

        channel.advanceTimeBy(29, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertThat(channel.isOpen()).isTrue();

        channel.advanceTimeBy(2, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertThat(written(channel))
                .startsWith("HTTP/1.1 408 Request Timeout\r\n")
                .endsWith("request head not received in time\r\n");
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void aCompleteHeadIsNotTimedOutWhileItsRequestRuns() {
        EmbeddedChannel channel = channel();
        channel.writeInbound(
                Unpooled.copiedBuffer("GET / HTTP/1.1\r\nHost: a--b.localhost\r\n\r\n", StandardCharsets.US_ASCII));

        channel.advanceTimeBy(10, TimeUnit.MINUTES);
        channel.runScheduledPendingTasks();

        assertThat(channel.isOpen()).isTrue();
        assertThat(written(channel)).isEmpty();
        channel.finishAndReleaseAll();
    }

    @Test
    void anIdleKeepAliveConnectionIsClosedAfterTheIdleTimeout() {
        EmbeddedChannel channel = channel();
        channel.writeInbound(
                Unpooled.copiedBuffer("GET / HTTP/1.1\r\nHost: a--b.localhost\r\n\r\n", StandardCharsets.US_ASCII));
        timeouts.idle(); // the response ended

        channel.advanceTimeBy(74, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertThat(channel.isOpen()).isTrue();

        channel.advanceTimeBy(2, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertThat(channel.isOpen()).isFalse();
        assertThat(written(channel)).isEmpty();
    }

    @Test
    void aNewConnectionThatSendsNothingIsClosedAfterTheIdleTimeout() {
        EmbeddedChannel channel = channel();

        channel.advanceTimeBy(76, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();

        assertThat(channel.isOpen()).isFalse();
    }
}
