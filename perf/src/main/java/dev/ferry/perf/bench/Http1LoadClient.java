package dev.ferry.perf.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
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
import io.netty.handler.codec.http.HttpVersion;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * HTTP/1.1 keep-alive connections, one request in flight on each. A connection that breaks
 * fails its request and is replaced, so a run keeps its number of slots.
 */
final class Http1LoadClient implements LoadClient {

    private final EventLoop loop;
    private final Bootstrap bootstrap;
    private final FullHttpRequest request;
    private final int connections;
    private final ArrayDeque<Connection> idle = new ArrayDeque<>();
    private final List<Channel> channels = new ArrayList<>();
    private boolean closed;

    /** Opens {@code connections} connections to 127.0.0.1:{@code port} and returns once all are up. */
    Http1LoadClient(EventLoop loop, int port, Target.Route route, int connections) throws Exception {
        this(loop, port, route, connections, java.util.Optional.empty());
    }

    /**
     * {@link #Http1LoadClient(EventLoop, int, Target.Route, int)} whose every request carries
     * {@code Authorization: Bearer <token>} when {@code token} is given.
     */
    Http1LoadClient(
            EventLoop loop, int port, Target.Route route, int connections, java.util.Optional<BearerToken> token)
            throws Exception {
        this.loop = loop;
        this.connections = connections;
        this.request =
                new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, route.path(), Unpooled.EMPTY_BUFFER);
        request.headers().set(HttpHeaderNames.HOST, route.authority());
        token.ifPresent(t -> request.headers().set(HttpHeaderNames.AUTHORIZATION, t.bearer()));
        this.bootstrap = new Bootstrap()
                .group(loop)
                .channel(ClientTransport.socketChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .remoteAddress("127.0.0.1", port);
        for (int i = 0; i < connections; i++) {
            connect().sync();
        }
    }

    private io.netty.channel.ChannelFuture connect() {
        Connection connection = new Connection();
        return bootstrap
                .clone()
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(1 << 20), connection);
                    }
                })
                .connect()
                .addListener(f -> {
                    if (f.isSuccess()) {
                        Channel channel = ((io.netty.channel.ChannelFuture) f).channel();
                        channels.add(channel);
                        if (!closed) {
                            idle.add(connection);
                        }
                    }
                });
    }

    @Override
    public boolean trySend(Completion completion) {
        Connection connection = idle.poll();
        if (connection == null) {
            return false;
        }
        connection.send(completion);
        return true;
    }

    @Override
    public int slots() {
        return connections;
    }

    @Override
    public void close() {
        try {
            loop.submit(() -> {
                        closed = true;
                        idle.clear();
                        channels.forEach(Channel::close);
                    })
                    .get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("closing HTTP/1.1 load connections", e);
        } finally {
            request.release();
        }
    }

    private final class Connection extends SimpleChannelInboundHandler<FullHttpResponse> {
        private ChannelHandlerContext ctx;
        private Completion pending;

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            this.ctx = ctx;
        }

        void send(Completion completion) {
            pending = completion;
            ctx.writeAndFlush(request.retainedDuplicate());
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
            Completion done = pending;
            pending = null;
            if (!closed) {
                idle.add(this);
            }
            if (done != null) {
                done.completed(response.status().code() == 200);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            channels.remove(ctx.channel());
            idle.remove(this);
            Completion done = pending;
            pending = null;
            if (done != null) {
                done.completed(false);
            }
            if (!closed) {
                connect(); // keep the number of slots
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
