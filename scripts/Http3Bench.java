import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.handler.codec.http3.Http3;
import io.netty.handler.codec.http3.Http3ClientConnectionHandler;
import io.netty.handler.codec.http3.Http3FrameToHttpObjectCodec;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.codec.quic.QuicSslContextBuilder;
import io.netty.handler.codec.quic.QuicStreamChannel;
import java.io.File;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * HTTP/3 load on examples--hello: one QUIC connection, STREAMS requests kept in flight for
 * SECONDS, then requests/s and p50/p99. A 5 s warm-up first. Run by scripts/bench-http3;
 * arguments: HTTPS_PORT CA_FILE STREAMS SECONDS.
 */
public final class Http3Bench {

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        File ca = new File(args[1]);
        int streams = Integer.parseInt(args[2]);
        int seconds = Integer.parseInt(args[3]);
        var group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        QuicSslContext ssl = QuicSslContextBuilder.forClient()
                .trustManager(ca)
                .applicationProtocols(Http3.supportedApplicationProtocols())
                .build();
        var codec = Http3.newQuicClientCodecBuilder()
                .sslContext(ssl)
                .sslEngineProvider(q -> ssl.newEngine(q.alloc(), "localhost", port))
                .maxIdleTimeout(30, TimeUnit.SECONDS)
                .initialMaxData(64 << 20)
                .initialMaxStreamDataBidirectionalLocal(1 << 20)
                .initialMaxStreamsBidirectional(1024)
                .build();
        Channel datagram = new Bootstrap()
                .group(group)
                .channel(EpollDatagramChannel.class)
                .handler(codec)
                .bind(0)
                .sync()
                .channel();
        QuicChannel quic = QuicChannel.newBootstrap(datagram)
                .handler(new Http3ClientConnectionHandler())
                .remoteAddress(new InetSocketAddress("127.0.0.1", port))
                .connect()
                .get(30, TimeUnit.SECONDS);
        run(quic, streams, 5, false);
        run(quic, streams, seconds, true);
        System.exit(0);
    }

    private static void run(QuicChannel quic, int streams, int seconds, boolean report) throws Exception {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        long[] samples = new long[5_000_000];
        AtomicLong count = new AtomicLong();
        CountDownLatch done = new CountDownLatch(streams);
        for (int i = 0; i < streams; i++) {
            quic.eventLoop().execute(() -> next(quic, end, samples, count, done));
        }
        done.await();
        if (report) {
            long n = Math.min(count.get(), samples.length);
            long[] sorted = Arrays.copyOf(samples, (int) n);
            Arrays.sort(sorted);
            System.out.printf(
                    "HTTP/3 hello, %d streams in flight, %ds: %,.0f requests/s, p50 %.3f ms, p99 %.3f ms%n",
                    streams,
                    seconds,
                    count.get() / (double) seconds,
                    sorted[(int) (n / 2)] / 1e6,
                    sorted[(int) (n * 0.99)] / 1e6);
        }
    }

    private static void next(QuicChannel quic, long end, long[] samples, AtomicLong count, CountDownLatch done) {
        if (System.nanoTime() >= end) {
            done.countDown();
            return;
        }
        long start = System.nanoTime();
        Http3.newRequestStream(quic, new ChannelInitializer<QuicStreamChannel>() {
                    @Override
                    protected void initChannel(QuicStreamChannel ch) {
                        ch.pipeline()
                                .addLast(
                                        new Http3FrameToHttpObjectCodec(false),
                                        new HttpObjectAggregator(65536),
                                        new SimpleChannelInboundHandler<FullHttpResponse>() {
                                            @Override
                                            protected void channelRead0(
                                                    ChannelHandlerContext ctx, FullHttpResponse response) {
                                                long i = count.getAndIncrement();
                                                if (i < samples.length) {
                                                    samples[(int) i] = System.nanoTime() - start;
                                                }
                                                ctx.close();
                                                next(quic, end, samples, count, done);
                                            }
                                        });
                    }
                })
                .addListener(f -> {
                    QuicStreamChannel stream = (QuicStreamChannel) f.getNow();
                    DefaultFullHttpRequest request = new DefaultFullHttpRequest(
                            HttpVersion.HTTP_1_1, HttpMethod.GET, "/", Unpooled.EMPTY_BUFFER);
                    request.headers()
                            .set("host", "examples--hello.localhost")
                            .set(HttpConversionUtil.ExtensionHeaderNames.SCHEME.text(), "https");
                    stream.writeAndFlush(request);
                });
    }
}
