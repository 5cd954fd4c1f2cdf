import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;

/**
 * WebSocket echo round trips: through the Ferry gateway (examples--ws) against a bare Netty
 * WebSocket echo server started here, in the same run. Each of N sockets sends a short text
 * and waits for its echo, over and over, for D seconds; then round trips/s and p50/p99.
 * Run by scripts/bench-websocket; arguments: GATEWAY_PORT SOCKETS SECONDS.
 */
public final class WebSocketBench {

    public static void main(String[] args) throws Exception {
        int gatewayPort = Integer.parseInt(args[0]);
        int sockets = Integer.parseInt(args[1]);
        int seconds = Integer.parseInt(args[2]);
        int barePort = startBareEcho();
        for (int round = 0; round < 2; round++) { // the first round warms both up
            boolean report = round == 1;
            run("bare Netty WebSocket echo", URI.create("ws://127.0.0.1:" + barePort + "/"), null, sockets, report ? seconds : 5, report);
            run("Ferry gateway -> examples--ws", URI.create("ws://127.0.0.1:" + gatewayPort + "/"),
                    "examples--ws.localhost:" + gatewayPort, sockets, report ? seconds : 5, report);
        }
        System.exit(0);
    }

    private static int startBareEcho() throws InterruptedException {
        var group = new MultiThreadIoEventLoopGroup(0, EpollIoHandler.newFactory());
        var channel = new ServerBootstrap().group(group).channel(EpollServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(65536),
                                new WebSocketServerProtocolHandler("/"), new SimpleChannelInboundHandler<TextWebSocketFrame>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame frame) {
                                        ctx.writeAndFlush(new TextWebSocketFrame(frame.text()));
                                    }
                                });
                    }
                }).bind("127.0.0.1", 0).sync().channel();
        return ((java.net.InetSocketAddress) channel.localAddress()).getPort();
    }

    private static void run(String name, URI uri, String host, int sockets, int seconds, boolean report) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        List<long[]> latencies = new ArrayList<>();
        AtomicLong total = new AtomicLong();
        List<CompletableFuture<Void>> done = new ArrayList<>();
        for (int i = 0; i < sockets; i++) {
            long[] samples = new long[2_000_000];
            latencies.add(samples);
            CompletableFuture<Void> finished = new CompletableFuture<>();
            done.add(finished);
            long[] count = {0};
            long[] sentAt = {0};
            WebSocket.Builder builder = client.newWebSocketBuilder();
            if (host != null) {
                builder.header("Host", host);
            }
            WebSocket ws = builder.buildAsync(uri, new WebSocket.Listener() {
                @Override
                public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
                    long now = System.nanoTime();
                    if (count[0] < samples.length) {
                        samples[(int) count[0]] = now - sentAt[0];
                    }
                    count[0]++;
                    total.incrementAndGet();
                    if (now < end) {
                        sentAt[0] = System.nanoTime();
                        socket.sendText("ping", true);
                    } else {
                        latencies.set(latencies.indexOf(samples), Arrays.copyOf(samples, (int) Math.min(count[0], samples.length)));
                        finished.complete(null);
                    }
                    socket.request(1);
                    return null;
                }
            }).get();
            sentAt[0] = System.nanoTime();
            ws.sendText("ping", true);
        }
        CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get();
        if (report) {
            long[] all = latencies.stream().flatMapToLong(Arrays::stream).sorted().toArray();
            System.out.printf("%-32s %d sockets, %ds: %,.0f round trips/s, p50 %.3f ms, p99 %.3f ms%n", name, sockets, seconds,
                    total.get() / (double) seconds, all[all.length / 2] / 1e6, all[(int) (all.length * 0.99)] / 1e6);
        }
    }
}
