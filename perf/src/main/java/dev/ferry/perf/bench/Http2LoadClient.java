package dev.ferry.perf.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * HTTP/2 with prior knowledge (h2c): a few connections, each carrying up to {@code streams}
 * concurrent requests, as h2load does. Each request is a new stream: HEADERS with END_STREAM,
 * answered by HEADERS and DATA.
 */
final class Http2LoadClient implements LoadClient {

    private final EventLoop loop;
    private final Http2Headers headers;
    private final int streamsPerConnection;
    private final List<Connection> connections = new ArrayList<>();
    private int next;

    Http2LoadClient(EventLoop loop, int port, Target.Route route, int connections, int streamsPerConnection)
            throws Exception {
        this.loop = loop;
        this.streamsPerConnection = streamsPerConnection;
        this.headers = new DefaultHttp2Headers()
                .method("GET")
                .scheme("http")
                .path(route.path())
                .authority(route.authority());
        Bootstrap bootstrap = new Bootstrap()
                .group(loop)
                .channel(ClientTransport.socketChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline()
                                .addLast(
                                        Http2FrameCodecBuilder.forClient()
                                                .initialSettings(Http2Settings.defaultSettings()
                                                        .initialWindowSize(1 << 20))
                                                .build(),
                                        new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
                    }
                });
        for (int i = 0; i < connections; i++) {
            this.connections.add(
                    new Connection(bootstrap.connect("127.0.0.1", port).sync().channel()));
        }
    }

    @Override
    public boolean trySend(Completion completion) {
        // Round robin over connections with room, so streams spread evenly.
        for (int tried = 0; tried < connections.size(); tried++) {
            Connection connection = connections.get(next);
            next = (next + 1) % connections.size();
            if (connection.channel.isActive() && connection.active < streamsPerConnection) {
                connection.open(completion);
                return true;
            }
        }
        return false;
    }

    @Override
    public int slots() {
        return connections.size() * streamsPerConnection;
    }

    @Override
    public void close() {
        try {
            loop.submit(() -> connections.forEach(c -> c.channel.close())).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("closing HTTP/2 load connections", e);
        }
    }

    private final class Connection {
        final Channel channel;
        final Http2StreamChannelBootstrap streams;
        int active;

        Connection(Channel channel) {
            this.channel = channel;
            this.streams = new Http2StreamChannelBootstrap(channel);
        }

        void open(Completion completion) {
            active++;
            streams.handler(new Exchange(this, completion)).open().addListener(f -> {
                if (f.isSuccess()) {
                    ((Http2StreamChannel) f.getNow()).writeAndFlush(new DefaultHttp2HeadersFrame(headers, true));
                } else {
                    active--;
                    completion.completed(false);
                }
            });
        }
    }

    /** One request's stream: done at the end of the response, failed if the stream goes first. */
    private static final class Exchange extends ChannelInboundHandlerAdapter {
        private final Connection connection;
        private final Completion completion;
        private boolean ok;
        private boolean done;

        Exchange(Connection connection, Completion completion) {
            this.connection = connection;
            this.completion = completion;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof Http2HeadersFrame frame) {
                    if (frame.headers().status() != null) {
                        ok = "200".contentEquals(frame.headers().status());
                    }
                    if (frame.isEndStream()) {
                        finish(ctx);
                    }
                } else if (msg instanceof Http2DataFrame data && data.isEndStream()) {
                    finish(ctx);
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        private void finish(ChannelHandlerContext ctx) {
            if (!done) {
                done = true;
                connection.active--;
                completion.completed(ok);
                ctx.close();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (!done) {
                done = true;
                connection.active--;
                completion.completed(false);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
