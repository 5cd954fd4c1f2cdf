package dev.ferry.call.transport;

import static dev.ferry.call.transport.Fixtures.SECRET;
import static dev.ferry.call.transport.Fixtures.WAIT;
import static dev.ferry.call.transport.Fixtures.echo;
import static dev.ferry.call.transport.Fixtures.get;
import static dev.ferry.call.transport.Fixtures.onLoop;
import static dev.ferry.call.transport.Fixtures.open;
import static dev.ferry.call.transport.Fixtures.pattern;
import static dev.ferry.call.transport.Fixtures.request;
import static dev.ferry.call.transport.Fixtures.responseBody;
import static dev.ferry.call.transport.Fixtures.responseStart;
import static dev.ferry.call.transport.Fixtures.start;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.call.transport.Fixtures.Closed;
import dev.ferry.call.transport.Fixtures.Echo;
import dev.ferry.call.transport.Fixtures.Handlers;
import dev.ferry.call.transport.Fixtures.Recorder;
import dev.ferry.call.transport.Fixtures.TrackingServer;
import dev.ferry.request.protocol.CallEnd;
import dev.ferry.request.protocol.Frame;
import dev.ferry.request.protocol.ServerEvent;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Each side against a peer written here with plain blocking sockets, to see the frames on the
 * wire and to send what a well-behaved peer would not.
 */
class ProtocolTest {

    private final EventLoopGroup clientLoops = Fixtures.clientLoops();
    private final EventLoop loop = clientLoops.next();
    private final Handlers handlers = new Handlers();
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        clientLoops.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        for (AutoCloseable closeable : closeables.reversed()) {
            closeable.close();
        }
    }

    // A raw gateway against the container's side.

    private Socket gatewaySocket(InetSocketAddress address) throws IOException {
        Socket socket = new Socket(address.getAddress(), address.getPort());
        socket.setSoTimeout((int) WAIT.toMillis());
        socket.setTcpNoDelay(true);
        closeables.add(socket);
        write(socket, Frames.open(SECRET)); // as a gateway opens every connection
        return socket;
    }

    private CallServer echoServer() throws IOException {
        CallServer server = CallServer.start("127.0.0.1", 0, SECRET, echo(handlers));
        closeables.add(server);
        return server;
    }

    @Test
    void theContainerAnswersAndEndsACallWithCompleted() throws Exception {
        CallServer server = echoServer();
        Socket socket = gatewaySocket(server.address());

        write(socket, Frame.newBuilder().setCall(5).setClient(start("raw")).build());
        write(
                socket,
                Frame.newBuilder().setCall(5).setClient(request("hi", false)).build());

        InputStream in = socket.getInputStream();
        assertThat(Frame.parseDelimitedFrom(in))
                .isEqualTo(Frame.newBuilder()
                        .setCall(5)
                        .setServer(responseStart(200))
                        .build());
        assertThat(Frame.parseDelimitedFrom(in))
                .isEqualTo(Frame.newBuilder()
                        .setCall(5)
                        .setServer(responseBody("hi", false))
                        .build());
        assertThat(Frame.parseDelimitedFrom(in)).isEqualTo(Frames.end(5, CallEnd.Reason.COMPLETED, ""));
    }

    @Test
    void aCallTheContainerTakesOnIsAcceptedBeforeItsFirstEvent() throws Exception {
        CallServer server = CallServer.start(
                "127.0.0.1",
                0,
                SECRET,
                Fixtures.acceptor(handlers, (call, registry) -> new Fixtures.ServerHandler(call, registry) {
                    @Override
                    void heard(dev.ferry.request.protocol.ClientEvent event, int bytes) {
                        call.accept();
                        call.send(responseStart(204));
                        call.complete();
                        call.accept(); // after the end: nothing goes out
                    }
                }));
        closeables.add(server);
        Socket socket = gatewaySocket(server.address());

        write(socket, Frame.newBuilder().setCall(3).setClient(start("taken")).build());

        InputStream in = socket.getInputStream();
        assertThat(Frame.parseDelimitedFrom(in)).isEqualTo(Frames.accepted(3));
        assertThat(Frame.parseDelimitedFrom(in))
                .isEqualTo(Frame.newBuilder()
                        .setCall(3)
                        .setServer(responseStart(204))
                        .build());
        assertThat(Frame.parseDelimitedFrom(in)).isEqualTo(Frames.end(3, CallEnd.Reason.COMPLETED, ""));
    }

    @Test
    void theCallerHearsTheContainerAcceptTheCallBeforeItsEvents() throws Exception {
        ServerSocket listener = containerSocket();
        CallConnection connection =
                CallConnection.open(loop, (InetSocketAddress) listener.getLocalSocketAddress(), SECRET);
        Recorder recorder = new Recorder();
        onLoop(loop, () -> open(connection, recorder, "taken"));
        Socket socket = accept(listener);
        int id = Frame.parseDelimitedFrom(socket.getInputStream()).getCall();

        write(socket, Frames.accepted(id + 1)); // not its call: dropped
        write(socket, Frames.accepted(id));
        write(
                socket,
                Frame.newBuilder().setCall(id).setServer(responseStart(204)).build());
        write(socket, Frames.end(id, CallEnd.Reason.COMPLETED, "served"));

        assertThat(get(recorder.closed)).isEqualTo(new Closed(CallOutcome.COMPLETED, "served"));
        assertThat(recorder.eventsWhenAccepted).isZero();
        assertThat(recorder.events).containsExactly(responseStart(204));
        assertThat(recorder.violations).isEmpty();
    }

    @Test
    void theContainerGrantsWhatItConsumedInBatchesOfTheThreshold() throws Exception {
        CallServer server = echoServer();
        Socket socket = gatewaySocket(server.address());
        Frame startFrame =
                Frame.newBuilder().setCall(1).setClient(start("silent-raw")).build();
        write(socket, startFrame);
        Echo handler = handlers.get("silent-raw");
        int chunk = 10 * 1024;
        int count = Frames.WINDOW_UPDATE_THRESHOLD / chunk + 3; // crosses the threshold, then a few more
        List<Frame> chunks = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            chunks.add(Frame.newBuilder()
                    .setCall(1)
                    .setClient(request(pattern(i, chunk), true))
                    .build());
        }
        for (Frame frame : chunks) {
            write(socket, frame);
        }
        Fixtures.await("the chunks", () -> handler.events.size() == count + 1);

        // The silent handler consumes nothing by itself: the test consumes each event's bytes.
        handler.call.consumed(startFrame.getSerializedSize());
        int expected = startFrame.getSerializedSize();
        int consumedChunks = 0;
        for (Frame frame : chunks) {
            handler.call.consumed(frame.getSerializedSize());
            expected += frame.getSerializedSize();
            consumedChunks++;
            if (expected >= Frames.WINDOW_UPDATE_THRESHOLD) {
                break;
            }
        }
        Frame grant = Frame.parseDelimitedFrom(socket.getInputStream());
        assertThat(grant).isEqualTo(Frames.window(1, expected));

        // The rest stays below the threshold: nothing is granted for it, and the next frame is the end.
        for (Frame frame : chunks.subList(consumedChunks, chunks.size())) {
            handler.call.consumed(frame.getSerializedSize());
        }
        handler.call.complete();
        assertThat(Frame.parseDelimitedFrom(socket.getInputStream()))
                .isEqualTo(Frames.end(1, CallEnd.Reason.COMPLETED, ""));
    }

    /**
     * The container completes a call while the gateway's cancel of it is already on its way (in
     * the same read here). call.proto: the call "is over for both sides once either side has
     * sent CallEnd", and "frames for a call that is over are dropped". But complete() only
     * queues the end; the call stays in the connection's table until the loop writes it, so the
     * cancel read meanwhile reaches onCancel of a handler that has already completed.
     */
    @Test
    void aCancelCrossingTheContainersEndIsDropped() throws Exception {
        CallServer server = echoServer();
        Socket socket = gatewaySocket(server.address());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Frame.newBuilder().setCall(3).setClient(start("crossing")).build().writeDelimitedTo(bytes);
        Frame.newBuilder().setCall(3).setClient(request("last", false)).build().writeDelimitedTo(bytes);
        Frames.end(3, CallEnd.Reason.CANCELLED, "gave up").writeDelimitedTo(bytes);

        writeRaw(socket, bytes.toByteArray()); // one write: the container reads the three frames at once

        InputStream in = socket.getInputStream();
        assertThat(Frame.parseDelimitedFrom(in).getServer()).isEqualTo(responseStart(200));
        assertThat(Frame.parseDelimitedFrom(in).getServer()).isEqualTo(responseBody("last", false));
        assertThat(Frame.parseDelimitedFrom(in)).isEqualTo(Frames.end(3, CallEnd.Reason.COMPLETED, ""));
        Echo handler = handlers.get("crossing");
        assertThat(handler.call.closed()).isTrue();
        assertThat(handler.cancelled)
                .as("onCancel of a call its handler had already completed")
                .isNotDone();
    }

    @Test
    void theContainerClosesAConnectionThatSendsALengthOverMaxFrameAndCancelsItsCalls() throws Exception {
        CallServer server = echoServer();
        Socket socket = gatewaySocket(server.address());
        write(
                socket,
                Frame.newBuilder().setCall(1).setClient(start("silent-victim")).build());
        Echo victim = handlers.get("silent-victim");

        writeRaw(socket, varint(Frames.MAX_FRAME + 1));

        assertClosedByPeer(socket);
        assertThat(get(victim.cancelled)).isEqualTo("the gateway's connection closed");
    }

    @Test
    void theContainerClosesAConnectionThatSendsACorruptLength() throws Exception {
        CallServer server = echoServer();
        Socket socket = gatewaySocket(server.address());

        writeRaw(socket, new byte[] {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80});

        assertClosedByPeer(socket);
    }

    @Test
    void theContainerClosesAConnectionThatSendsAnUnparsableFrame() throws Exception {
        CallServer server = echoServer();
        Socket socket = gatewaySocket(server.address());

        writeRaw(socket, new byte[] {0x01, 0x0F});

        assertClosedByPeer(socket);
    }

    @Test
    void theContainerClosesAConnectionThatSendsAContainersFrame() throws Exception {
        CallServer server = echoServer();
        Socket socket = gatewaySocket(server.address());
        write(
                socket,
                Frame.newBuilder().setCall(1).setClient(start("silent-victim")).build());
        Echo victim = handlers.get("silent-victim");

        write(
                socket,
                Frame.newBuilder().setCall(1).setServer(responseStart(200)).build());

        assertClosedByPeer(socket);
        assertThat(get(victim.cancelled)).isEqualTo("the gateway's connection closed");
    }

    @Test
    void theContainerDropsFramesOfCallsItDoesNotHave() throws Exception {
        CallServer server = echoServer();
        Socket socket = gatewaySocket(server.address());

        write(socket, Frames.window(5, 1000));
        write(
                socket,
                Frame.newBuilder().setCall(6).setClient(request("late", false)).build());
        write(socket, Frames.end(7, CallEnd.Reason.CANCELLED, "late"));
        write(
                socket,
                Frame.newBuilder().setCall(8).setClient(start("after-strays")).build());
        write(
                socket,
                Frame.newBuilder().setCall(8).setClient(request("ok", false)).build());

        InputStream in = socket.getInputStream();
        assertThat(Frame.parseDelimitedFrom(in).getCall()).isEqualTo(8);
        assertThat(Frame.parseDelimitedFrom(in).getServer()).isEqualTo(responseBody("ok", false));
        assertThat(Frame.parseDelimitedFrom(in).getEnd().getReason()).isEqualTo(CallEnd.Reason.COMPLETED);
        assertThat(handlers.accepted).hasValue(1);
    }

    /**
     * After the decoder refuses a length, the connection closes; but ByteToMessageDecoder
     * decodes what is left in its buffer as the channel goes inactive, so the bytes after the
     * refused length (here a well-formed start) reach the acceptor as a new call.
     */
    @Test
    void noCallIsAcceptedFromTheBytesAfterALengthOverMaxFrame() throws Exception {
        CompletableFuture<Void> inactive = new CompletableFuture<>();
        TrackingServer server = new TrackingServer(
                echo(handlers),
                ch -> ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelInactive(ChannelHandlerContext ctx) {
                        inactive.complete(null);
                    }
                }));
        closeables.add(server);
        Socket socket = gatewaySocket(server.address());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.writeBytes(varint(Frames.MAX_FRAME + 1));
        Frame.newBuilder()
                .setCall(9)
                .setClient(start("silent-smuggled"))
                .build()
                .writeDelimitedTo(bytes);

        writeRaw(socket, bytes.toByteArray());

        assertClosedByPeer(socket);
        get(inactive);
        assertThat(handlers.accepted)
                .as("calls accepted after the protocol error")
                .hasValue(0);
    }

    // A raw container against the caller's side.

    private ServerSocket containerSocket() throws IOException {
        ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        listener.setSoTimeout((int) WAIT.toMillis());
        closeables.add(listener);
        return listener;
    }

    /** The caller's connection, past its first frame: the secret. */
    private Socket accept(ServerSocket listener) throws IOException {
        Socket socket = listener.accept();
        socket.setSoTimeout((int) WAIT.toMillis());
        socket.setTcpNoDelay(true);
        closeables.add(socket);
        assertThat(Frame.parseDelimitedFrom(socket.getInputStream()))
                .as("a caller opens each connection with the container's secret")
                .isEqualTo(Frames.open(SECRET));
        return socket;
    }

    @Test
    void theCallerSendsItsEventsThenGrantsInBatchesThenCancels() throws Exception {
        ServerSocket listener = containerSocket();
        CallConnection connection =
                CallConnection.open(loop, (InetSocketAddress) listener.getLocalSocketAddress(), SECRET);
        int serverEvents = Frames.WINDOW_UPDATE_THRESHOLD / (10 * 1024) + 3; // crosses the threshold, then a few more
        Recorder cancelling = new Recorder() {
            @Override
            public void onEvent(ServerEvent event) {
                super.onEvent(event);
                call.acknowledge();
                if (eventCount.get() == serverEvents) {
                    call.cancel("done reading");
                }
            }
        };
        onLoop(loop, () -> open(connection, cancelling, "raw-caller", "a", "b"));
        Socket socket = accept(listener);
        InputStream in = socket.getInputStream();

        Frame first = Frame.parseDelimitedFrom(in);
        int id = first.getCall();
        assertThat(first)
                .isEqualTo(Frame.newBuilder()
                        .setCall(id)
                        .setClient(start("raw-caller"))
                        .build());
        assertThat(Frame.parseDelimitedFrom(in))
                .isEqualTo(Frame.newBuilder()
                        .setCall(id)
                        .setClient(request("a", true))
                        .build());
        assertThat(Frame.parseDelimitedFrom(in))
                .isEqualTo(Frame.newBuilder()
                        .setCall(id)
                        .setClient(request("b", false))
                        .build());

        int expectedGrant = 0;
        boolean granted = false;
        for (int i = 0; i < serverEvents; i++) {
            Frame frame = Frame.newBuilder()
                    .setCall(id)
                    .setServer(responseBody(pattern(i, 10 * 1024), true))
                    .build();
            write(socket, frame);
            if (!granted) {
                expectedGrant += frame.getSerializedSize();
                granted = expectedGrant >= Frames.WINDOW_UPDATE_THRESHOLD;
            }
        }

        assertThat(Frame.parseDelimitedFrom(in))
                .as("one grant, of the frames' sizes")
                .isEqualTo(Frames.window(id, expectedGrant));
        assertThat(Frame.parseDelimitedFrom(in))
                .as("the rest stays below the threshold: the next frame is the cancel")
                .isEqualTo(Frames.end(id, CallEnd.Reason.CANCELLED, "done reading"));
        assertThat(cancelling.closed).isNotDone();
        assertThat(cancelling.eventCount).hasValue(serverEvents);
    }

    @Test
    void theCallerEndsItsCallsWhenTheContainerSendsACallersFrame() throws Exception {
        ServerSocket listener = containerSocket();
        CallConnection connection =
                CallConnection.open(loop, (InetSocketAddress) listener.getLocalSocketAddress(), SECRET);
        Recorder recorder = new Recorder();
        onLoop(loop, () -> open(connection, recorder, "victim"));
        Socket socket = accept(listener);
        int id = Frame.parseDelimitedFrom(socket.getInputStream()).getCall();

        write(
                socket,
                Frame.newBuilder()
                        .setCall(id)
                        .setClient(request("wrong way", false))
                        .build());

        assertThat(get(recorder.closed).outcome()).isEqualTo(CallOutcome.CONNECTION_LOST);
        assertThat(connection.failed()).isTrue();
        assertClosedByPeer(socket);
    }

    @Test
    void theCallerDropsFramesOfCallsItDoesNotHaveAndHearsTheEndsDetail() throws Exception {
        ServerSocket listener = containerSocket();
        CallConnection connection =
                CallConnection.open(loop, (InetSocketAddress) listener.getLocalSocketAddress(), SECRET);
        Recorder recorder = new Recorder();
        onLoop(loop, () -> open(connection, recorder, "real"));
        Socket socket = accept(listener);
        int id = Frame.parseDelimitedFrom(socket.getInputStream()).getCall();

        write(
                socket,
                Frame.newBuilder()
                        .setCall(id + 100)
                        .setServer(responseStart(500))
                        .build());
        write(socket, Frames.window(id + 101, 1000));
        write(socket, Frames.end(id + 102, CallEnd.Reason.COMPLETED, "not yours"));
        write(
                socket,
                Frame.newBuilder().setCall(id).setServer(responseStart(204)).build());
        write(socket, Frames.end(id, CallEnd.Reason.COMPLETED, "served"));

        assertThat(get(recorder.closed)).isEqualTo(new Closed(CallOutcome.COMPLETED, "served"));
        assertThat(recorder.events).containsExactly(responseStart(204));
        assertThat(connection.failed()).isFalse();
    }

    // Raw I/O.

    private static void write(Socket socket, Frame frame) throws IOException {
        OutputStream out = socket.getOutputStream();
        frame.writeDelimitedTo(out);
        out.flush();
    }

    private static void writeRaw(Socket socket, byte[] bytes) throws IOException {
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
    }

    /** Reads (and drops) what the peer still sends until it closes; fails if it does not within the wait. */
    private static void assertClosedByPeer(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[8192];
        long deadline = System.nanoTime() + WAIT.toNanos();
        try {
            while (in.read(buffer) >= 0) {
                if (System.nanoTime() - deadline > 0) {
                    throw new AssertionError("the peer kept the connection open");
                }
            }
        } catch (SocketException e) {
            // reset by the peer: closed too
        }
    }

    private static byte[] varint(int value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while ((value & ~0x7F) != 0) {
            out.write((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        out.write(value);
        return out.toByteArray();
    }
}
