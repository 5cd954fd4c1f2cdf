package dev.ferry.call.transport;

import static dev.ferry.call.transport.Fixtures.SECRET;
import static dev.ferry.call.transport.Fixtures.echo;
import static dev.ferry.call.transport.Fixtures.get;
import static dev.ferry.call.transport.Fixtures.onLoop;
import static dev.ferry.call.transport.Fixtures.open;
import static dev.ferry.call.transport.Fixtures.request;
import static dev.ferry.call.transport.Fixtures.responseBody;
import static dev.ferry.call.transport.Fixtures.responseStart;
import static dev.ferry.call.transport.Fixtures.start;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.call.transport.Fixtures.Closed;
import dev.ferry.call.transport.Fixtures.Handlers;
import dev.ferry.call.transport.Fixtures.Recorder;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Calls over a Unix domain socket in the abstract namespace, beside the server's TCP socket. */
class LocalSocketTest {

    private final EventLoopGroup clientLoops = Fixtures.clientLoops();
    private final EventLoop loop = clientLoops.next();
    private final Handlers handlers = new Handlers();
    private final List<CallServer> servers = new ArrayList<>();
    private final String name = "ferry-test/" + UUID.randomUUID();

    @BeforeEach
    void linuxWithEpoll() {
        // The gateway and the containers take local sockets for granted wherever epoll is; a
        // machine that runs these tests without it must say so, not pass them by.
        assertThat(Transport.LOCAL_SOCKETS)
                .as("local sockets need Netty's epoll transport: " + Transport.describe())
                .isTrue();
    }

    @AfterEach
    void stop() {
        clientLoops.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        servers.forEach(CallServer::close);
    }

    private CallServer server(String localName) throws IOException {
        CallServer server = CallServer.start("127.0.0.1", 0, localName, SECRET, echo(handlers));
        servers.add(server);
        return server;
    }

    @Test
    void aCallCompletesOverTheLocalSocket() throws Exception {
        CallServer server = server(name);
        SocketAddress local = server.localAddress().orElseThrow();
        assertThat(Transport.isLocalSocket(local)).isTrue();
        assertThat(Transport.describe(local)).isEqualTo("unix:@" + name);
        CallConnection connection =
                CallConnection.open(loop, Transport.localSocket(name).orElseThrow(), SECRET);
        Recorder recorder = new Recorder();

        onLoop(loop, () -> open(connection, recorder, "c-1", "hello", " world"));

        assertThat(get(recorder.closed)).isEqualTo(new Closed(CallOutcome.COMPLETED, ""));
        assertThat(recorder.events)
                .containsExactly(responseStart(200), responseBody("hello", true), responseBody(" world", false));
        assertThat(handlers.get("c-1").events)
                .containsExactly(start("c-1"), request("hello", true), request(" world", false));
    }

    @Test
    void aNameThatIsAPathIsASocketFile() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("ferry-test-");
        try {
            String path = dir.resolve("call.sock").toString();
            CallServer server = server(path);

            assertThat(Transport.isSocketPath(path)).isTrue();
            assertThat(Transport.describe(server.localAddress().orElseThrow())).isEqualTo("unix:" + path);
            assertThat(dir.resolve("call.sock")).exists();
            CallConnection connection =
                    CallConnection.open(loop, Transport.localSocket(path).orElseThrow(), SECRET);
            Recorder recorder = new Recorder();
            onLoop(loop, () -> open(connection, recorder, "c-1", "hello", ""));
            assertThat(get(recorder.closed)).isEqualTo(new Closed(CallOutcome.COMPLETED, ""));
        } finally {
            servers.forEach(CallServer::close);
            servers.clear();
            try (java.util.stream.Stream<java.nio.file.Path> left = java.nio.file.Files.list(dir)) {
                left.forEach(p -> p.toFile().delete());
            }
            java.nio.file.Files.delete(dir);
        }
    }

    @Test
    void theTcpSocketServesBesideIt() throws Exception {
        CallServer server = server(name);
        CallConnection connection = CallConnection.open(loop, server.address(), SECRET);
        Recorder recorder = new Recorder();

        onLoop(loop, () -> open(connection, recorder, "c-1", "over tcp"));

        assertThat(get(recorder.closed)).isEqualTo(new Closed(CallOutcome.COMPLETED, ""));
    }

    @Test
    void withoutANameThereIsNoLocalSocket() throws Exception {
        assertThat(server("").localAddress()).isEmpty();
    }

    @Test
    void aNameAnotherServerHoldsIsRefusedWithTheName() throws Exception {
        server(name);

        assertThatThrownBy(() -> server(name))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("cannot listen on unix:@" + name);
    }

    @Test
    void callsToANameNobodyHoldsEndAsLost() throws Exception {
        CallConnection connection =
                CallConnection.open(loop, Transport.localSocket(name).orElseThrow(), SECRET);
        Recorder recorder = new Recorder();

        onLoop(loop, () -> open(connection, recorder, "c-1", "anyone?"));

        Closed closed = get(recorder.closed);
        assertThat(closed.outcome()).isEqualTo(CallOutcome.CONNECTION_LOST);
        assertThat(closed.detail()).startsWith("cannot connect to unix:@" + name);
    }

    @Test
    void stoppingAcceptingClosesTheLocalSocketToo() throws Exception {
        CallServer server = server(name);
        server.stopAccepting();
        CallConnection connection =
                CallConnection.open(loop, Transport.localSocket(name).orElseThrow(), SECRET);
        Recorder recorder = new Recorder();

        onLoop(loop, () -> open(connection, recorder, "c-1", "late"));

        assertThat(get(recorder.closed).outcome()).isEqualTo(CallOutcome.CONNECTION_LOST);
    }

    @Test
    void badNamesAreRefusedWithWhatIsExpected() {
        assertThatThrownBy(() -> Transport.localSocket(""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected: 1-107 bytes");
        assertThatThrownBy(() -> Transport.localSocket("x".repeat(108)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected: 1-107 bytes");
        assertThatThrownBy(() -> Transport.localSocket("a\0b"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no NUL");
    }
}
