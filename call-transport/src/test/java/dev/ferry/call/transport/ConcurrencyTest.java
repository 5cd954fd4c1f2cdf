package dev.ferry.call.transport;

import static dev.ferry.call.transport.Fixtures.SECRET;
import static dev.ferry.call.transport.Fixtures.WAIT;
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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link ServerCall} is thread-safe: a container's calls send, consume and complete from their
 * own (virtual) threads while the connection's loop grants window and cancels.
 */
class ConcurrencyTest {

    private final EventLoopGroup clientLoops = Fixtures.clientLoops();
    private final EventLoop loop = clientLoops.next();
    private final Handlers handlers = new Handlers();
    /** Opened once every call of a test has started, so that their threads send at the same time. */
    private volatile CountDownLatch allStarted = new CountDownLatch(0);

    private CallServer server;
    private CallConnection connection;

    @BeforeEach
    void startServer() throws IOException {
        server = CallServer.start("127.0.0.1", 0, SECRET, Fixtures.acceptor(handlers, Threaded::new));
        connection = CallConnection.open(loop, server.address(), SECRET);
    }

    @AfterEach
    void stop() {
        clientLoops.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        server.close();
    }

    @Test
    void callsSendingFromTheirOwnThreadsAtOnceArriveInOrder() throws Exception {
        int calls = 100;
        int events = 300;
        allStarted = new CountDownLatch(calls);
        List<Recorder> recorders = openCalls(calls, i -> "stream:" + events + ":" + i, i -> new Recorder());

        for (int i = 0; i < calls; i++) {
            Recorder recorder = recorders.get(i);
            assertThat(get(recorder.closed).outcome()).as("call %d", i).isEqualTo(CallOutcome.COMPLETED);
            List<ServerEvent> expected = new ArrayList<>();
            expected.add(responseStart(200));
            for (int seq = 0; seq < events; seq++) {
                expected.add(responseBody(i + ":" + seq + ";", true));
            }
            expected.add(responseBody("", false));
            assertThat(recorder.events).as("call %d", i).containsExactlyElementsOf(expected);
            assertThat(recorder.violations).isEmpty();
        }
        assertThreadsFinished(calls, "stream:" + events + ":");
    }

    @Test
    void callsSendingManyWindowsFromTheirOwnThreadsWaitForReadinessAndArriveWhole() throws Exception {
        int calls = 10;
        int chunks = 4 * Frames.INITIAL_WINDOW / (16 * 1024); // four windows per call
        allStarted = new CountDownLatch(calls);
        List<Recorder> recorders = openCalls(calls, i -> "bulk:" + chunks + ":" + i, i -> new Recorder() {
            @Override
            public void onEvent(ServerEvent event) {
                super.onEvent(event);
                call.acknowledge();
            }
        });

        for (int i = 0; i < calls; i++) {
            Recorder recorder = recorders.get(i);
            assertThat(get(recorder.closed).outcome()).as("call %d", i).isEqualTo(CallOutcome.COMPLETED);
            ByteString expected = ByteString.EMPTY;
            for (int c = 0; c < chunks; c++) {
                expected = expected.concat(pattern(i * 1000 + c, 16 * 1024));
            }
            assertThat(recorder.body).as("call %d", i).isEqualTo(expected);
        }
        assertThreadsFinished(calls, "bulk:" + chunks + ":");
    }

    @Test
    void callsConsumingAndCompletingFromTheirOwnThreadsTakeWholeUploads() throws Exception {
        int calls = 10;
        int chunks = 3 * Frames.INITIAL_WINDOW / (16 * 1024); // three windows per call
        allStarted = new CountDownLatch(0);
        List<Pump> pumps = openCalls(calls, i -> "upload:" + i, i -> new Pump(chunks, 16 * 1024));
        onLoop(loop, () -> pumps.forEach(Pump::pump));

        ByteString expected = ByteString.EMPTY;
        for (int c = 0; c < chunks; c++) {
            expected = expected.concat(pattern(c, 16 * 1024));
        }
        for (int i = 0; i < calls; i++) {
            assertThat(get(pumps.get(i).closed).outcome()).as("call %d", i).isEqualTo(CallOutcome.COMPLETED);
            Threaded handler = handlers.get("upload:" + i);
            assertThat(handler.body).as("call %d", i).isEqualTo(expected);
        }
        assertThreadsFinished(calls, "upload:");
    }

    @Test
    void callsCancelledWhileTheirThreadsSendStopQuietly() throws Exception {
        int calls = 50;
        allStarted = new CountDownLatch(calls);
        List<Recorder> recorders = openCalls(calls, i -> "until-cancel:" + i, i -> new Recorder() {
            @Override
            public void onEvent(ServerEvent event) {
                super.onEvent(event);
                if (eventCount.get() == 1) {
                    call.cancel("enough");
                }
            }
        });

        for (int i = 0; i < calls; i++) {
            Threaded handler = handlers.get("until-cancel:" + i);
            assertThat(get(handler.cancelled)).isEqualTo("enough");
            get(handler.finished);
            assertThat(handler.violations).isEmpty();
        }
        // A round trip on the same connection: every frame sent before it has been read.
        Recorder last = new Recorder();
        onLoop(loop, () -> Fixtures.open(connection, last, "stream:1:999"));
        assertThat(get(last.closed).outcome()).isEqualTo(CallOutcome.COMPLETED);
        for (Recorder recorder : recorders) {
            assertThat(recorder.eventCount).as("events heard: up to the cancel").hasValue(1);
            assertThat(recorder.closed).isNotDone();
            assertThat(recorder.violations).isEmpty();
        }
        assertThat(onLoop(loop, connection::calls)).isZero();
    }

    // Helpers.

    private <R extends Recorder> List<R> openCalls(int calls, IntFunction<String> id, IntFunction<R> make)
            throws Exception {
        List<R> recorders = new ArrayList<>();
        for (int i = 0; i < calls; i++) {
            recorders.add(make.apply(i));
        }
        onLoop(loop, () -> {
            for (int i = 0; i < calls; i++) {
                R recorder = recorders.get(i);
                recorder.call = connection.newCall(recorder);
                recorder.call.send(start(id.apply(i)));
            }
        });
        return recorders;
    }

    private void assertThreadsFinished(int calls, String prefix) throws Exception {
        for (int i = 0; i < calls; i++) {
            Threaded handler = handlers.get(prefix + i);
            get(handler.finished);
            assertThat(handler.violations).as("call %d", i).isEmpty();
        }
    }

    /**
     * The container's side, by call id: each call runs on its own virtual thread.
     * "stream:N:i" sends N small body chunks "i:seq;" and completes; "bulk:N:i" sends N chunks
     * of 16 KiB, waiting for readiness between them, and completes; "upload:i" consumes the
     * request on its thread as it takes it and completes after the last chunk;
     * "until-cancel:i" sends 1 KiB chunks while ready until the call is cancelled.
     */
    final class Threaded extends ServerHandler {

        private final ReentrantLock lock = new ReentrantLock();
        private final Condition ready = lock.newCondition();
        private final BlockingQueue<ClientEvent> taken = new LinkedBlockingQueue<>();
        private final BlockingQueue<Integer> takenBytes = new LinkedBlockingQueue<>();
        final CompletableFuture<Void> finished = new CompletableFuture<>();
        volatile ByteString body = ByteString.EMPTY;

        Threaded(ServerCall call, Handlers registry) {
            super(call, registry);
        }

        @Override
        void heard(ClientEvent event, int bytes) {
            if (event.hasStart()) {
                String[] parts = callId.split(":");
                Runnable work = switch (parts[0]) {
                    case "stream" -> () -> stream(Integer.parseInt(parts[1]), Integer.parseInt(parts[2]));
                    case "bulk" -> () -> bulk(Integer.parseInt(parts[1]), Integer.parseInt(parts[2]));
                    case "upload" -> this::upload;
                    case "until-cancel" -> this::untilCancel;
                    default -> throw new IllegalArgumentException(callId);
                };
                allStarted.countDown();
                Thread.ofVirtual().name("call-" + callId).start(() -> {
                    try {
                        work.run();
                        finished.complete(null);
                    } catch (Throwable e) {
                        violations.add("the call's thread failed: " + e);
                        finished.completeExceptionally(e);
                    }
                });
            }
            taken.add(event);
            takenBytes.add(bytes);
        }

        private void stream(int events, int index) {
            awaitAllStarted();
            call.send(responseStart(200));
            for (int seq = 0; seq < events; seq++) {
                call.send(responseBody(index + ":" + seq + ";", true));
            }
            call.send(responseBody("", false));
            call.complete();
        }

        private void bulk(int chunks, int index) {
            awaitAllStarted();
            call.send(responseStart(200));
            for (int c = 0; c < chunks; c++) {
                if (!awaitReady()) {
                    throw new AssertionError("cancelled");
                }
                call.send(responseBody(pattern(index * 1000 + c, 16 * 1024), c < chunks - 1));
            }
            call.complete();
        }

        private void upload() {
            while (true) {
                ClientEvent event = take(taken);
                int bytes = take(takenBytes);
                if (event.hasHttpRequest()) {
                    body = body.concat(event.getHttpRequest().getBody());
                }
                call.consumed(bytes);
                if (event.hasHttpRequest() && !event.getHttpRequest().getMoreBody()) {
                    call.complete();
                    return;
                }
            }
        }

        private void untilCancel() {
            awaitAllStarted();
            // 1 KiB chunks while ready: the caller cancels after the first, so the call stops
            // either because it closed or because its window ran out; then onCancel wakes it.
            ByteString chunk = pattern(0, 1024);
            for (int i = 0; i < 4 * Frames.INITIAL_WINDOW / chunk.size(); i++) {
                if (!awaitReady()) {
                    break;
                }
                call.send(responseBody(chunk, true));
            }
            if (!call.closed()) {
                throw new AssertionError("never cancelled");
            }
            call.send(responseBody("after the cancel", false)); // dropped
            call.complete(); // harmless
        }

        private <T> T take(BlockingQueue<T> queue) {
            try {
                T next = queue.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                if (next == null) {
                    throw new AssertionError("no event within " + WAIT);
                }
                return next;
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }

        private void awaitAllStarted() {
            try {
                if (!allStarted.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new AssertionError("not every call started");
                }
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }

        /** Waits until the call is ready; false when it closed instead. */
        private boolean awaitReady() {
            long nanos = WAIT.toNanos();
            lock.lock();
            try {
                while (!call.isReady()) {
                    if (call.closed()) {
                        return false;
                    }
                    if (nanos <= 0) {
                        throw new AssertionError("not ready within " + WAIT);
                    }
                    nanos = ready.awaitNanos(nanos);
                }
                return true;
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            } finally {
                lock.unlock();
            }
        }

        private void signal() {
            lock.lock();
            try {
                ready.signalAll();
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void onReady() {
            super.onReady();
            signal();
        }

        @Override
        public void onCancel(String reason) {
            super.onCancel(reason);
            signal();
        }
    }
}
