package dev.ferry.call.transport;

import static dev.ferry.call.transport.Fixtures.SECRET;
import static dev.ferry.call.transport.Fixtures.WAIT;
import static dev.ferry.call.transport.Fixtures.echo;
import static dev.ferry.call.transport.Fixtures.get;
import static dev.ferry.call.transport.Fixtures.onLoop;
import static dev.ferry.call.transport.Fixtures.open;
import static dev.ferry.call.transport.Fixtures.request;
import static dev.ferry.call.transport.Fixtures.start;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.call.transport.Fixtures.Closed;
import dev.ferry.call.transport.Fixtures.Handlers;
import dev.ferry.call.transport.Fixtures.Recorder;
import dev.ferry.request.protocol.CallError;
import dev.ferry.request.protocol.ContainerSecret;
import dev.ferry.request.protocol.ErrorCode;
import dev.ferry.request.protocol.Frame;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A container's server takes connections only from callers that open them with its secret. */
class AuthenticationTest {

    private final EventLoopGroup clientLoops = Fixtures.clientLoops();
    private final EventLoop loop = clientLoops.next();
    private final Handlers handlers = new Handlers();
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable closeable : closeables.reversed()) {
            closeable.close();
        }
        clientLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private CallServer server(Duration handshakeTimeout) throws IOException {
        CallServer server = CallServer.start("127.0.0.1", 0, "", SECRET, handshakeTimeout, echo(handlers));
        closeables.add(server);
        return server;
    }

    private CallServer server() throws IOException {
        return server(CallServer.HANDSHAKE_TIMEOUT);
    }

    private Socket rawClient(InetSocketAddress address) throws IOException {
        Socket socket = new Socket(address.getAddress(), address.getPort());
        socket.setSoTimeout((int) WAIT.toMillis());
        closeables.add(socket);
        return socket;
    }

    @Test
    void aRawClientThatStartsACallWithoutTheSecretIsRefusedAndNoCallIsAccepted() throws Exception {
        CallServer server = server();
        Socket socket = rawClient(server.address());

        write(socket, Frame.newBuilder().setCall(1).setClient(start("intruder")).build());
        write(
                socket,
                Frame.newBuilder()
                        .setCall(1)
                        .setClient(request("payload", false))
                        .build());

        assertThat(refusal(socket).getDetail())
                .isEqualTo("connection refused: its first frame was a CLIENT frame of call 1"
                        + " (expected: a ConnectionOpen on call 0)");
        assertClosedByPeer(socket);
        assertThat(handlers.accepted).hasValue(0);
    }

    @Test
    void aWrongSecretIsRefused() throws Exception {
        CallServer server = server();
        Socket socket = rawClient(server.address());

        write(socket, Frames.open(ContainerSecret.generate()));
        write(socket, Frame.newBuilder().setCall(1).setClient(start("guesser")).build());

        assertThat(refusal(socket).getDetail())
                .isEqualTo("connection refused: its ConnectionOpen has the wrong secret");
        assertClosedByPeer(socket);
        assertThat(handlers.accepted).hasValue(0);
    }

    @Test
    void theRightSecretIsServedAndTheFramesSentWithItToo() throws Exception {
        CallServer server = server();
        Socket socket = rawClient(server.address());

        // The secret and a whole call in one write, as a gateway sends them: a CallStart longer
        // than what the container reads before the secret must pass once the secret has.
        OutputStream out = socket.getOutputStream();
        Frames.open(SECRET).writeDelimitedTo(out);
        String longId = "served-" + "x".repeat(2 * Frames.MAX_UNAUTHENTICATED_FRAME);
        Frame.newBuilder().setCall(1).setClient(start(longId)).build().writeDelimitedTo(out);
        Frame.newBuilder().setCall(1).setClient(request("hi", false)).build().writeDelimitedTo(out);
        out.flush();

        InputStream in = socket.getInputStream();
        Frame first = Frame.parseDelimitedFrom(in);
        assertThat(first.getCall()).isEqualTo(1);
        assertThat(first.getServer().hasHttpResponseStart()).isTrue();
        assertThat(handlers.accepted).hasValue(1);
    }

    @Test
    void aConnectionThatSaysNothingIsClosedAfterTheHandshakeTimeout() throws Exception {
        CallServer server = server(Duration.ofMillis(200));
        Socket socket = rawClient(server.address());

        assertThat(refusal(socket).getDetail()).isEqualTo("connection refused: no ConnectionOpen within 200 ms");
        assertClosedByPeer(socket);
    }

    @Test
    void aFirstFrameTooLongForASecretIsRefusedUnread() throws Exception {
        CallServer server = server();
        Socket socket = rawClient(server.address());

        OutputStream out = socket.getOutputStream();
        out.write(new byte[] {(byte) 0x80, (byte) 0x80, 0x40}); // a varint length of 1 MiB
        out.flush();

        assertThat(refusal(socket).getDetail())
                .startsWith("connection refused: its first frame is unreadable: frame of 1048576 bytes")
                .endsWith("(expected: at most " + Frames.MAX_UNAUTHENTICATED_FRAME + ")");
        assertClosedByPeer(socket);
    }

    @Test
    void aCallerWithTheWrongSecretHearsWhyItsCallsFail() throws Exception {
        CallServer server = server();
        CallConnection connection = CallConnection.open(loop, server.address(), ContainerSecret.generate());
        Recorder recorder = new Recorder();

        onLoop(loop, () -> open(connection, recorder, "refused", "body"));

        Closed closed = get(recorder.closed);
        assertThat(closed.outcome()).isEqualTo(CallOutcome.CONNECTION_LOST);
        assertThat(closed.detail())
                .isEqualTo("connection to " + server.address() + " refused by the container:"
                        + " connection refused: its ConnectionOpen has the wrong secret");
        assertThat(connection.failed()).isTrue();
        assertThat(handlers.accepted).hasValue(0);
    }

    @Test
    void theLocalSocketRefusesACallerWithoutTheSecret() throws Exception {
        assertThat(Transport.LOCAL_SOCKETS)
                .as("local sockets wherever epoll is: " + Transport.describe())
                .isTrue();
        String name = "ferry-test/" + UUID.randomUUID();
        CallServer server = CallServer.start("127.0.0.1", 0, name, SECRET, echo(handlers));
        closeables.add(server);
        // NONE sends no ConnectionOpen: the call's frames come first, as from any other client.
        CallConnection bare =
                CallConnection.open(loop, Transport.localSocket(name).orElseThrow(), ContainerSecret.NONE);
        Recorder refused = new Recorder();

        onLoop(loop, () -> open(bare, refused, "local-intruder", "body"));

        assertThat(get(refused.closed).detail())
                .endsWith("refused by the container: connection refused: its first frame was a CLIENT frame of call 1"
                        + " (expected: a ConnectionOpen on call 0)");
        assertThat(handlers.accepted).hasValue(0);

        CallConnection gateway =
                CallConnection.open(loop, Transport.localSocket(name).orElseThrow(), SECRET);
        Recorder served = new Recorder();
        onLoop(loop, () -> open(gateway, served, "local-served", "body"));
        assertThat(get(served.closed).outcome()).isEqualTo(CallOutcome.COMPLETED);
        assertThat(handlers.accepted).hasValue(1);
        closeables.add(gateway::close);
        closeables.add(bare::close);
    }

    /** The refusal a container sends before it closes: call 0, {@code CONNECTION_REFUSED}. */
    private static CallError refusal(Socket socket) throws IOException {
        Frame frame = Frame.parseDelimitedFrom(socket.getInputStream());
        assertThat(frame).as("a frame before the close").isNotNull();
        assertThat(frame.getCall()).isZero();
        assertThat(frame.getServer().getError().getCode()).isEqualTo(ErrorCode.CONNECTION_REFUSED);
        return frame.getServer().getError();
    }

    private static void write(Socket socket, Frame frame) throws IOException {
        OutputStream out = socket.getOutputStream();
        frame.writeDelimitedTo(out);
        out.flush();
    }

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
}
