package dev.ferry.call.transport;

import static dev.ferry.call.transport.Fixtures.SECRET;
import static dev.ferry.call.transport.Fixtures.await;
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

import com.google.protobuf.ByteString;
import dev.ferry.call.transport.Fixtures.Closed;
import dev.ferry.call.transport.Fixtures.Echo;
import dev.ferry.call.transport.Fixtures.Handlers;
import dev.ferry.call.transport.Fixtures.Recorder;
import dev.ferry.call.transport.Fixtures.TrackingServer;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.lang.reflect.Field;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Calls between a {@link CallConnection} and a {@link CallServer} over real sockets on 127.0.0.1. */
class CallConnectionTest {

    private final EventLoopGroup clientLoops = Fixtures.clientLoops();
    private final EventLoop loop = clientLoops.next();
    private final Handlers handlers = new Handlers();
    private final List<AutoCloseable> servers = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        clientLoops.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        for (AutoCloseable server : servers) {
            server.close();
        }
    }

    private CallServer echoServer() throws IOException {
        CallServer server = CallServer.start("127.0.0.1", 0, SECRET, echo(handlers));
        servers.add(server);
        return server;
    }

    private TrackingServer trackingEchoServer() {
        TrackingServer server = new TrackingServer(echo(handlers));
        servers.add(server);
        return server;
    }

    @Test
    void aSimpleCallCompletesWithItsEventsInOrder() throws Exception {
        CallServer server = echoServer();
        CallConnection connection = CallConnection.open(loop, server.address(), SECRET);
        Recorder recorder = new Recorder();

        onLoop(loop, () -> open(connection, recorder, "c-1", "hello", " world"));

        assertThat(get(recorder.closed)).isEqualTo(new Closed(CallOutcome.COMPLETED, ""));
        assertThat(recorder.events)
                .containsExactly(responseStart(200), responseBody("hello", true), responseBody(" world", false));
        assertThat(recorder.violations).isEmpty();

        Echo handler = handlers.get("c-1");
        assertThat(handler.events).containsExactly(start("c-1"), request("hello", true), request(" world", false));
        assertThat(handler.call.closed()).isTrue();
        assertThat(handler.cancelled).isNotDone();
        assertThat(handler.violations).isEmpty();

        assertThat(onLoop(loop, () -> recorder.call.closed())).isTrue();
        assertThat(onLoop(loop, connection::calls)).isZero();
        assertThat(connection.failed()).isFalse();
        assertThat(connection.address()).isEqualTo(server.address());
        assertThat(connection.loop()).isSameAs(loop);
    }

    @Test
    void callMethodsRefuseToRunOffTheLoop() throws Exception {
        CallServer server = echoServer();
        CallConnection connection = CallConnection.open(loop, server.address(), SECRET);

        assertThatThrownBy(() -> connection.newCall(new Recorder()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("event loop");
    }

    @Test
    void callsMadeBeforeTheConnectionIsUpAreSentOnceItIs() throws Exception {
        CallServer server = echoServer();
        List<Recorder> recorders = List.of(new Recorder(), new Recorder(), new Recorder());

        // Opening the connection and making the calls in one turn of the loop: the connection
        // cannot be up before the turn ends, so every frame waits for it.
        CallConnection connection = onLoop(loop, () -> {
            CallConnection c = CallConnection.open(loop, server.address(), SECRET);
            for (int i = 0; i < recorders.size(); i++) {
                open(c, recorders.get(i), "early-" + i, "a" + i, "b" + i, "c" + i);
                assertThat(recorders.get(i).call.isReady()).isTrue();
            }
            assertThat(c.calls()).isEqualTo(3);
            return c;
        });

        for (int i = 0; i < recorders.size(); i++) {
            Recorder recorder = recorders.get(i);
            assertThat(get(recorder.closed).outcome()).isEqualTo(CallOutcome.COMPLETED);
            assertThat(recorder.body.toStringUtf8()).isEqualTo("a" + i + "b" + i + "c" + i);
            assertThat(recorder.events).hasSize(4);
        }
        assertThat(connection.failed()).isFalse();
    }

    @Test
    void twoHundredConcurrentCallsOnOneConnectionEachGetTheirOwnBody() throws Exception {
        TrackingServer server = trackingEchoServer();
        CallConnection connection = CallConnection.open(loop, server.address(), SECRET);
        int calls = 200;
        List<Recorder> recorders = new ArrayList<>();
        for (int i = 0; i < calls; i++) {
            recorders.add(new Recorder());
        }

        // Every call starts, then every call sends its middle and last chunks: their frames interleave.
        onLoop(loop, () -> {
            for (int i = 0; i < calls; i++) {
                Recorder recorder = recorders.get(i);
                recorder.call = connection.newCall(recorder);
                recorder.call.send(start("multi-" + i));
                recorder.call.send(request("first of " + i + ";", true));
            }
            assertThat(connection.calls()).isEqualTo(calls);
        });
        onLoop(loop, () -> {
            for (int i = calls - 1; i >= 0; i--) {
                recorders.get(i).call.send(request("second of " + i + ";", true));
            }
            for (int i = 0; i < calls; i++) {
                recorders.get(i).call.send(request("last of " + i, false));
            }
        });

        for (int i = 0; i < calls; i++) {
            Recorder recorder = recorders.get(i);
            assertThat(get(recorder.closed).outcome()).as("call %d", i).isEqualTo(CallOutcome.COMPLETED);
            assertThat(recorder.body.toStringUtf8())
                    .as("call %d", i)
                    .isEqualTo("first of " + i + ";second of " + i + ";last of " + i);
            assertThat(recorder.violations).isEmpty();
        }
        assertThat(server.connections).as("connections the calls used").hasSize(1);
        assertThat(handlers.accepted).hasValue(calls);
        assertThat(onLoop(loop, connection::calls)).isZero();
    }

    @Test
    void callsToAPortNobodyListensOnEndConnectionLostAndALaterCallConnectsOnceAServerIsThere() throws Exception {
        int port = Fixtures.closedPort();
        CallConnection connection = CallConnection.open(loop, new InetSocketAddress("127.0.0.1", port), SECRET);
        Recorder refused = new Recorder();

        onLoop(loop, () -> open(connection, refused, "refused", "body"));

        Closed closed = get(refused.closed);
        assertThat(closed.outcome()).isEqualTo(CallOutcome.CONNECTION_LOST);
        assertThat(closed.detail()).contains("cannot connect to");
        assertThat(connection.failed()).isTrue();
        assertThat(onLoop(loop, connection::calls)).isZero();
        assertThat(refused.events).isEmpty();

        // Another process could take the port meanwhile; then this fails, never skips.
        CallServer server = CallServer.start("127.0.0.1", port, SECRET, echo(handlers));
        servers.add(server);
        Recorder later = new Recorder();

        onLoop(loop, () -> open(connection, later, "later", "body"));

        assertThat(get(later.closed).outcome()).isEqualTo(CallOutcome.COMPLETED);
        assertThat(later.body.toStringUtf8()).isEqualTo("body");
        assertThat(connection.failed()).isFalse();
    }

    @Test
    void whenTheServerClosesOpenCallsEndConnectionLostAndItsHandlersAreCancelled() throws Exception {
        CallServer server = echoServer();
        CallConnection connection = CallConnection.open(loop, server.address(), SECRET);
        List<Recorder> recorders = List.of(new Recorder(), new Recorder(), new Recorder());
        onLoop(loop, () -> {
            for (int i = 0; i < recorders.size(); i++) {
                open(connection, recorders.get(i), "silent-" + i, "part", "more");
            }
        });
        List<Echo> serverSide = new ArrayList<>();
        for (int i = 0; i < recorders.size(); i++) {
            Echo handler = handlers.get("silent-" + i);
            serverSide.add(handler);
        }

        server.close();

        for (Recorder recorder : recorders) {
            Closed closed = get(recorder.closed);
            assertThat(closed.outcome()).isEqualTo(CallOutcome.CONNECTION_LOST);
            assertThat(closed.detail()).contains("closed");
        }
        assertThat(connection.failed()).isTrue();
        for (Echo handler : serverSide) {
            assertThat(get(handler.cancelled)).isEqualTo("the gateway's connection closed");
            assertThat(handler.call.closed()).isTrue();
            assertThat(handler.call.isReady()).isFalse();
            handler.call.send(responseBody("too late", false)); // dropped: no error, no leak
            handler.call.complete();
            assertThat(handler.violations).isEmpty();
        }
    }

    @Test
    void aCancelReachesTheServerHandlerWithItsReasonAndLateSendsAreDropped() throws Exception {
        CallServer server = echoServer();
        CallConnection connection = CallConnection.open(loop, server.address(), SECRET);
        Recorder cancelled = new Recorder();
        onLoop(loop, () -> open(connection, cancelled, "silent-cancelled", "part", "more"));
        Echo handler = handlers.get("silent-cancelled");
        handler.call.send(responseStart(200));
        await("the response start", () -> cancelled.eventCount.get() == 1);

        onLoop(loop, () -> {
            cancelled.call.cancel("the client went away");
            assertThat(cancelled.call.closed()).isTrue();
            assertThat(cancelled.call.isReady()).isFalse();
            assertThat(connection.calls()).isZero();
            cancelled.call.cancel("twice"); // idempotent
            cancelled.call.send(request("after the cancel", false)); // nothing is sent after the call closed
            cancelled.call.acknowledge();
        });

        assertThat(get(handler.cancelled)).isEqualTo("the client went away");
        assertThat(handler.call.closed()).isTrue();
        assertThat(handler.call.isReady()).isFalse();
        handler.call.send(responseBody("late", false)); // dropped: no error, no leak
        handler.call.consumed(Frames.INITIAL_WINDOW);
        handler.call.complete();

        // The connection is unharmed, and the cancelled call hears nothing more.
        Recorder next = new Recorder();
        onLoop(loop, () -> open(connection, next, "after-cancel", "still here"));
        assertThat(get(next.closed).outcome()).isEqualTo(CallOutcome.COMPLETED);
        assertThat(next.body.toStringUtf8()).isEqualTo("still here");
        assertThat(cancelled.closed)
                .as("a call the caller cancelled is not closed to it")
                .isNotDone();
        assertThat(cancelled.events).containsExactly(responseStart(200));
        assertThat(handler.events).hasSize(3).doesNotContain(request("after the cancel", false));
        assertThat(handler.violations).isEmpty();
        assertThat(cancelled.violations).isEmpty();
    }

    @Test
    void aCancelBeforeTheConnectionIsUpStillReachesTheServer() throws Exception {
        CallServer server = echoServer();
        Recorder recorder = new Recorder();

        onLoop(loop, () -> {
            CallConnection c = CallConnection.open(loop, server.address(), SECRET);
            open(c, recorder, "silent-early-cancel", "part");
            recorder.call.cancel("changed my mind");
        });

        Echo handler = handlers.get("silent-early-cancel");
        assertThat(get(handler.cancelled)).isEqualTo("changed my mind");
        assertThat(recorder.closed).isNotDone();
    }

    @Test
    void completingTwiceIsHarmlessAndNothingIsSentAfterTheEnd() throws Exception {
        CallServer server = echoServer();
        CallConnection connection = CallConnection.open(loop, server.address(), SECRET);
        Recorder twice = new Recorder();

        onLoop(loop, () -> open(connection, twice, "twice", "only"));

        assertThat(get(twice.closed)).isEqualTo(new Closed(CallOutcome.COMPLETED, ""));
        assertThat(twice.events).containsExactly(responseStart(200), responseBody("only", false));

        // The connection carries the next call as if nothing happened.
        Recorder next = new Recorder();
        onLoop(loop, () -> open(connection, next, "after-twice", "fine"));
        assertThat(get(next.closed).outcome()).isEqualTo(CallOutcome.COMPLETED);
        assertThat(next.body.toStringUtf8()).isEqualTo("fine");
        assertThat(twice.events).hasSize(2);
        assertThat(twice.violations).isEmpty();
        assertThat(handlers.<Echo>get("twice").cancelled).isNotDone();
    }

    @Test
    void aCallTheServerEndsEarlyTakesNoMoreSendsFromTheCaller() throws Exception {
        CallServer server = echoServer();
        CallConnection connection = CallConnection.open(loop, server.address(), SECRET);
        Recorder recorder = new Recorder();
        onLoop(loop, () -> open(connection, recorder, "silent-early-end", "part"));
        Echo handler = handlers.get("silent-early-end");

        handler.call.send(responseStart(413));
        handler.call.complete();

        assertThat(get(recorder.closed).outcome()).isEqualTo(CallOutcome.COMPLETED);
        onLoop(loop, () -> {
            assertThat(recorder.call.closed()).isTrue();
            assertThat(recorder.call.isReady()).isFalse();
            recorder.call.send(request("ignored", false));
            recorder.call.cancel("too late to cancel");
        });
        Recorder next = new Recorder();
        onLoop(loop, () -> open(connection, next, "after-early-end", "x"));
        assertThat(get(next.closed).outcome()).isEqualTo(CallOutcome.COMPLETED);
        assertThat(handler.events).hasSize(2);
        assertThat(handler.cancelled).isNotDone();
        assertThat(recorder.events).containsExactly(responseStart(413));
    }

    @Test
    void anEventOverMaxFrameIsRefusedToItsSenderAndTheCallGoesOn() throws Exception {
        CallServer server = echoServer();
        CallConnection connection = CallConnection.open(loop, server.address(), SECRET);
        Recorder recorder = new Recorder();
        onLoop(loop, () -> open(connection, recorder, "silent-oversized", "part"));
        Echo handler = handlers.get("silent-oversized");
        ByteString huge = ByteString.copyFrom(new byte[Frames.MAX_FRAME]);

        assertThatThrownBy(() -> handler.call.send(responseBody(huge, true)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("send large bodies in chunks");
        assertThat(handler.call.isReady())
                .as("the refused event took no window")
                .isTrue();
        onLoop(loop, () -> {
            assertThatThrownBy(() -> recorder.call.send(request(huge, true)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("bytes (expected: at most " + Frames.MAX_FRAME);
            assertThat(recorder.call.isReady())
                    .as("the refused event took no window")
                    .isTrue();
            recorder.call.send(request("after", false));
        });

        await("the next chunk", () -> handler.events.size() == 3);
        handler.call.send(responseBody("done", false));
        handler.call.complete();
        assertThat(get(recorder.closed).outcome()).isEqualTo(CallOutcome.COMPLETED);
        assertThat(recorder.events).containsExactly(responseBody("done", false));
        assertThat(handler.events.get(2)).isEqualTo(request("after", false));
    }

    @Test
    void closeEndsOpenCallsAndCancelsThemOnTheServer() throws Exception {
        CallServer server = echoServer();
        CallConnection connection = CallConnection.open(loop, server.address(), SECRET);
        Recorder recorder = new Recorder();
        onLoop(loop, () -> open(connection, recorder, "silent-closed", "part"));
        Echo handler = handlers.get("silent-closed");

        connection.close();

        Closed closed = get(recorder.closed);
        assertThat(closed.outcome()).isEqualTo(CallOutcome.CONNECTION_LOST);
        assertThat(closed.detail()).contains("closed by the caller");
        assertThat(get(handler.cancelled)).isEqualTo("the gateway's connection closed");
        assertThat(connection.failed())
                .as("a close by the caller is no failure")
                .isFalse();

        // (Only newCall here: sending on the refused call as well is ShutdownTest's aCallRefusedAfterShutdown*.)
        Recorder after = new Recorder();
        onLoop(loop, () -> {
            after.call = connection.newCall(after);
        });
        assertThat(get(after.closed).outcome()).isEqualTo(CallOutcome.CONNECTION_LOST);
    }

    /**
     * Call numbers wrap at Integer.MAX_VALUE back to 1; call.proto says "a number is not reused
     * while its call lives". A long-lived call (a WebSocket, say) on a connection that has
     * carried 2^31 calls must not share its number with a new one. Reaching the wrap takes
     * reflection: 2^31 real calls would take hours.
     */
    @Test
    void aCallNumberIsNotReusedWhileItsCallLives() throws Exception {
        CallServer server = echoServer();
        CallConnection connection = CallConnection.open(loop, server.address(), SECRET);
        Recorder longLived = new Recorder();
        onLoop(loop, () -> open(connection, longLived, "silent-long-lived"));
        Echo longLivedHandler = handlers.get("silent-long-lived");
        assertThat(onLoop(loop, () -> longLived.call.id())).isEqualTo(1);

        Field nextId = CallConnection.class.getDeclaredField("nextId");
        nextId.setAccessible(true);
        Recorder last = new Recorder();
        Recorder wrapped = new Recorder();
        onLoop(loop, () -> {
            try {
                nextId.setInt(connection, Integer.MAX_VALUE);
            } catch (IllegalAccessException e) {
                throw new AssertionError(e);
            }
            open(connection, last, "max", "x");
            open(connection, wrapped, "wrapped", "y");
        });

        assertThat(get(last.closed).outcome()).isEqualTo(CallOutcome.COMPLETED);
        assertThat(get(wrapped.closed).outcome()).isEqualTo(CallOutcome.COMPLETED);
        assertThat(onLoop(loop, () -> List.of(longLived.call.id(), last.call.id(), wrapped.call.id())))
                .doesNotHaveDuplicates();
        assertThat(longLived.closed).as("the long-lived call is still open").isNotDone();
        assertThat(longLivedHandler.events)
                .as("the long-lived call's handler heard only its own call")
                .hasSize(1);
    }

    @Test
    void aListenerCanMakeANewCallFromOnClose() throws Exception {
        int port = Fixtures.closedPort();
        CallConnection connection = CallConnection.open(loop, new InetSocketAddress("127.0.0.1", port), SECRET);
        Recorder retry = new Recorder();
        Recorder first = new Recorder() {
            @Override
            public void onClose(CallOutcome outcome, String detail) {
                super.onClose(outcome, detail);
                open(connection, retry, "retry", "x"); // a retry on the same loop, at once
            }
        };

        onLoop(loop, () -> open(connection, first, "first", "x"));

        assertThat(get(first.closed).outcome()).isEqualTo(CallOutcome.CONNECTION_LOST);
        assertThat(get(retry.closed).outcome()).isEqualTo(CallOutcome.CONNECTION_LOST);
        assertThat(onLoop(loop, connection::calls)).isZero();
    }
}
