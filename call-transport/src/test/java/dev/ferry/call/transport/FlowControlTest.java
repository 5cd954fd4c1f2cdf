package dev.ferry.call.transport;

import static dev.ferry.call.transport.Fixtures.SECRET;
import static dev.ferry.call.transport.Fixtures.await;
import static dev.ferry.call.transport.Fixtures.frameSize;
import static dev.ferry.call.transport.Fixtures.get;
import static dev.ferry.call.transport.Fixtures.onLoop;
import static dev.ferry.call.transport.Fixtures.pattern;
import static dev.ferry.call.transport.Fixtures.responseBody;
import static dev.ferry.call.transport.Fixtures.responseStart;
import static dev.ferry.call.transport.Fixtures.start;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.ferry.call.transport.Fixtures.Handlers;
import dev.ferry.call.transport.Fixtures.Pump;
import dev.ferry.call.transport.Fixtures.Recorder;
import dev.ferry.call.transport.Fixtures.ServerHandler;
import dev.ferry.request.protocol.ClientEvent;
import dev.ferry.request.protocol.ServerEvent;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Per-call windows in both directions: a sender that respects {@code isReady()} stops after
 * about one window that its receiver has not taken, goes on once it is granted more, and one
 * call held up this way does not hold up the others on the connection.
 */
class FlowControlTest {

    private static final int CHUNK = 16 * 1024;
    /** Chunks in a transfer of four windows. */
    private static final int MANY = 4 * Frames.INITIAL_WINDOW / CHUNK;

    private final EventLoopGroup clientLoops = Fixtures.clientLoops();
    private final EventLoop loop = clientLoops.next();
    private final Handlers handlers = new Handlers();
    private CallServer server;
    private CallConnection connection;

    @BeforeEach
    void startServer() throws IOException {
        server = CallServer.start("127.0.0.1", 0, SECRET, Fixtures.acceptor(handlers, Flow::new));
        connection = CallConnection.open(loop, server.address(), SECRET);
    }

    @AfterEach
    void stop() {
        clientLoops.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        server.close();
    }

    // Container → caller.

    @Test
    void aContainerStopsAfterAWindowTheCallerHasNotAcknowledgedAndGoesOnOnceItHas() throws Exception {
        Recorder caller = call("pump:" + MANY + ":slow-reader");
        Flow container = handlers.get("pump:" + MANY + ":slow-reader");

        awaitPumpStalled(container, caller);
        int readiesWhileStalled = container.readies.get();
        assertThat(container.call.isReady()).isFalse();
        assertThat(caller.closed).isNotDone();

        onLoop(loop, () -> {
            caller.ackEach = caller.call;
            caller.call.acknowledge();
        });

        assertThat(get(caller.closed).outcome()).isEqualTo(CallOutcome.COMPLETED);
        assertThat(caller.body).isEqualTo(expectedBody(MANY));
        assertThat(container.readies.get())
                .as("onReady after the caller's grant")
                .isGreaterThan(readiesWhileStalled);
    }

    @Test
    void acknowledgeAllLetsAStalledContainerFinish() throws Exception {
        Recorder caller = call("pump:" + MANY + ":dropped");
        Flow container = handlers.get("pump:" + MANY + ":dropped");
        awaitPumpStalled(container, caller);

        onLoop(loop, () -> caller.call.acknowledgeAll());

        assertThat(get(caller.closed).outcome()).isEqualTo(CallOutcome.COMPLETED);
        assertThat(caller.bodyBytes).hasValue((long) MANY * CHUNK);
    }

    @Test
    void aCallWhoseReaderNeverAcknowledgesDoesNotStallAnotherOnTheSameConnection() throws Exception {
        Recorder stuck = new Recorder();
        Recorder flowing = new Recorder();
        onLoop(loop, () -> {
            open(stuck, "pump:" + MANY + ":stuck");
            open(flowing, "pump:" + MANY + ":flowing");
            flowing.ackEach = flowing.call;
        });
        Flow stuckContainer = handlers.get("pump:" + MANY + ":stuck");

        assertThat(get(flowing.closed).outcome()).isEqualTo(CallOutcome.COMPLETED);
        assertThat(flowing.body)
                .as("the flowing call's %d windows", MANY * CHUNK / Frames.INITIAL_WINDOW)
                .isEqualTo(expectedBody(MANY));

        awaitPumpStalled(stuckContainer, stuck);
        assertThat(stuckContainer.call.isReady()).isFalse();
        assertThat(stuck.closed).isNotDone();
        assertThat(stuck.violations).isEmpty();

        onLoop(loop, () -> stuck.call.cancel("giving up on the slow reader"));
        assertThat(get(stuckContainer.cancelled)).isEqualTo("giving up on the slow reader");
    }

    // Caller → container.

    @Test
    void aCallerStopsAfterAWindowTheContainerHasNotConsumedAndGoesOnOnceItHas() throws Exception {
        Pump caller = new Pump(MANY, CHUNK);
        onLoop(loop, () -> open(caller, "sink:held"));
        Flow container = handlers.get("sink:held");

        awaitCallerStalled(caller, container);
        int readiesWhileStalled = caller.readies.get();
        assertThat(onLoop(loop, () -> caller.call.isReady())).isFalse();

        container.consumeEach = true;
        container.call.consumed((int) container.received.get());

        assertThat(get(caller.closed).outcome()).isEqualTo(CallOutcome.COMPLETED);
        assertThat(container.body).isEqualTo(expectedBody(MANY));
        assertThat(caller.readies.get())
                .as("onReady after the container's grant")
                .isGreaterThan(readiesWhileStalled);
    }

    @Test
    void aCallTheContainerDoesNotConsumeDoesNotStallAnotherOnTheSameConnection() throws Exception {
        Pump stuck = new Pump(MANY, CHUNK);
        Pump flowing = new Pump(MANY, CHUNK);
        onLoop(loop, () -> {
            open(stuck, "sink:stuck");
            open(flowing, "sink:flowing");
        });
        Flow stuckContainer = handlers.get("sink:stuck");
        Flow flowingContainer = handlers.get("sink:flowing");

        assertThat(get(flowing.closed).outcome()).isEqualTo(CallOutcome.COMPLETED);
        assertThat(flowingContainer.body).isEqualTo(expectedBody(MANY));

        awaitCallerStalled(stuck, stuckContainer);
        assertThat(onLoop(loop, () -> stuck.call.isReady())).isFalse();
        assertThat(stuck.closed).isNotDone();
    }

    @Test
    void aCallIsReadyBeforeItsConnectionIsUpUntilItHasSentAWindow() throws Exception {
        connection.close();
        Pump caller = new Pump(MANY, CHUNK);

        onLoop(loop, () -> {
            CallConnection c = CallConnection.open(loop, server.address(), SECRET);
            caller.call = c.newCall(caller);
            caller.call.send(start("sink:before-up"));
            caller.sentFrameBytes.addAndGet(frameSize(caller.call.id(), start("sink:before-up")));
            assertThat(caller.call.isReady()).isTrue();
            caller.pump(); // in this same turn: the connection cannot be up yet
            assertThat(caller.call.isReady()).isFalse();
            assertThat(caller.sentFrameBytes.get()).isBetween((long) Frames.INITIAL_WINDOW, windowPlusOneFrame());
        });

        Flow container = handlers.get("sink:before-up");
        await("the window to arrive", () -> container.received.get() == caller.sentFrameBytes.get());
        container.consumeEach = true;
        container.call.consumed((int) container.received.get());
        assertThat(get(caller.closed).outcome()).isEqualTo(CallOutcome.COMPLETED);
        assertThat(container.body).isEqualTo(expectedBody(MANY));
    }

    // Helpers.

    private Recorder call(String callId) throws Exception {
        Recorder recorder = new Recorder();
        onLoop(loop, () -> open(recorder, callId));
        return recorder;
    }

    /** On the loop. */
    private void open(Recorder recorder, String callId) {
        recorder.call = connection.newCall(recorder);
        recorder.call.send(start(callId));
        if (recorder instanceof Pump pump) {
            pump.sentFrameBytes.addAndGet(frameSize(recorder.call.id(), start(callId)));
            pump.pump();
        }
    }

    private static long windowPlusOneFrame() {
        return Frames.INITIAL_WINDOW + CHUNK + 32;
    }

    /** Waits until the container has sent a window and the caller has it all; checks it sent no more than a frame over. */
    private static void awaitPumpStalled(Flow container, Recorder caller) {
        await(
                "the container to fill the window and the caller to hold it",
                () -> container.sentFrameBytes.get() >= Frames.INITIAL_WINDOW
                        && caller.bodyBytes.get() == container.sentBodyBytes.get());
        assertThat(container.sentFrameBytes.get())
                .as("bytes sent before stopping")
                .isBetween((long) Frames.INITIAL_WINDOW, windowPlusOneFrame());
        assertThat(container.call.isReady()).isFalse();
        assertThat(container.done).isFalse();
    }

    private static void awaitCallerStalled(Pump caller, Flow container) {
        await(
                "the caller to fill the window and the container to hold it",
                () -> caller.sentFrameBytes.get() >= Frames.INITIAL_WINDOW
                        && container.received.get() == caller.sentFrameBytes.get());
        assertThat(caller.sentFrameBytes.get())
                .as("bytes sent before stopping")
                .isBetween((long) Frames.INITIAL_WINDOW, windowPlusOneFrame());
        assertThat(container.call.closed()).isFalse();
    }

    private static ByteString expectedBody(int chunks) {
        ByteString body = ByteString.EMPTY;
        for (int i = 0; i < chunks; i++) {
            body = body.concat(pattern(i, CHUNK));
        }
        return body;
    }

    /**
     * The container's side, by call id: "pump:N:name" answers N chunks of {@link #CHUNK} bytes
     * as fast as the call is ready; "sink:name" takes the request, consuming it only when the
     * test says (or at once for a name containing "flowing"), and completes after its last chunk.
     */
    static final class Flow extends ServerHandler {

        final AtomicLong sentFrameBytes = new AtomicLong();
        final AtomicLong sentBodyBytes = new AtomicLong();
        volatile boolean consumeEach;
        volatile boolean done;
        volatile ByteString body = ByteString.EMPTY;
        private int chunks;
        private int next;

        Flow(ServerCall call, Handlers registry) {
            super(call, registry);
        }

        @Override
        void heard(ClientEvent event, int bytes) {
            if (event.hasStart()) {
                String[] parts = callId.split(":");
                if (parts[0].equals("pump")) {
                    chunks = Integer.parseInt(parts[1]);
                    send(responseStart(200));
                    pump();
                } else {
                    consumeEach = callId.contains("flowing");
                }
            } else if (event.hasHttpRequest()) {
                body = body.concat(event.getHttpRequest().getBody());
                if (!event.getHttpRequest().getMoreBody()) {
                    call.complete();
                }
            }
            if (consumeEach) {
                call.consumed(bytes);
            }
        }

        @Override
        public void onReady() {
            super.onReady();
            pump();
        }

        private void pump() {
            while (next < chunks && call.isReady()) {
                ByteString chunk = pattern(next, CHUNK);
                boolean last = next == chunks - 1;
                send(responseBody(chunk, !last));
                sentBodyBytes.addAndGet(chunk.size());
                next++;
                if (last) {
                    done = true;
                    call.complete();
                }
            }
        }

        private void send(ServerEvent event) {
            call.send(event);
            sentFrameBytes.addAndGet(frameSize(call.id(), event));
        }
    }
}
