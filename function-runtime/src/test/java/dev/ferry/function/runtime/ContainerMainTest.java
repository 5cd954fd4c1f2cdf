package dev.ferry.function.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.call.transport.CallOutcome;
import dev.ferry.call.transport.Transport;
import dev.ferry.request.protocol.ContainerSecret;
import dev.ferry.request.protocol.ErrorCode;
import dev.ferry.request.protocol.FunctionId;
import dev.ferry.request.protocol.ServerEvent;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The container's server, started in this JVM on a real port and called over a real call connection. */
class ContainerMainTest {

    @TempDir
    Path dir;

    private static final ContainerSecret SECRET = ContainerSecret.generate();

    private ContainerMain container;
    private ContainerCalls.Connection channel;

    @AfterEach
    void stop() {
        if (channel != null) {
            channel.close();
        }
        if (container != null) {
            container.stop();
        }
    }

    private void start(Class<?> function, String name) throws Exception {
        Path jar = TestJars.jar(dir.resolve("app.jar"), "t", function);
        int port = freePort();
        container = new ContainerMain();
        container.start(new ContainerArgs("ct-test", FunctionId.of("t", name), function.getName(), jar, port), SECRET);
        channel = ContainerCalls.Connection.to(new InetSocketAddress("127.0.0.1", port), SECRET);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Test
    void answersOnTheLocalSocketItsTokenNames() throws Exception {
        assertThat(Transport.LOCAL_SOCKETS)
                .as("containers listen on local sockets wherever epoll is: " + Transport.describe())
                .isTrue();
        String name = ContainerArgs.localSocketName("0123456789abcdef0123456789abcdef");
        Path jar = TestJars.jar(dir.resolve("app.jar"), "t", TestFunctions.Hello.class);
        container = new ContainerMain();
        container.start(
                new ContainerArgs(
                        "ct-test", FunctionId.of("t", "hello"), TestFunctions.Hello.class.getName(), jar, freePort()),
                name,
                SECRET);
        channel = ContainerCalls.Connection.to(Transport.localSocket(name).orElseThrow(), SECRET);

        List<ServerEvent> events = ContainerCalls.http(channel, "t--hello", "GET", "/")
                .body("", false)
                .awaitEnd();

        assertThat(ContainerCalls.bodyOf(events)).isEqualTo("hello started=true");
    }

    @Test
    void aLocalSocketNameIsAHashOfTheTokenThatDoesNotShowIt() {
        String token = "0123456789abcdef0123456789abcdef";
        String name = ContainerArgs.localSocketName(token);

        assertThat(name).startsWith("ferry/").hasSize("ferry/".length() + 32).doesNotContain(token);
        assertThat(ContainerArgs.localSocketName(token)).isEqualTo(name);
        assertThat(ContainerArgs.localSocketName(token + "0")).isNotEqualTo(name);
        assertThat(ContainerArgs.localSocketName(null)).isEmpty();
        assertThat(ContainerArgs.localSocketName("")).isEmpty();
    }

    @Test
    void answersAfterItsStartHookRan() throws Exception {
        start(TestFunctions.Hello.class, "hello");
        List<ServerEvent> events = ContainerCalls.http(channel, "t--hello", "GET", "/")
                .body("", false)
                .awaitEnd();

        assertThat(events.get(0).getHttpResponseStart().getStatus()).isEqualTo(200);
        assertThat(ContainerCalls.bodyOf(events)).isEqualTo("hello started=true");
        assertThat(events.get(events.size() - 1).getHttpResponseBody().getMoreBody())
                .isFalse();
    }

    @Test
    void runsStopHooksWhenStopped() throws Exception {
        start(TestFunctions.Hello.class, "hello");
        int before = TestFunctions.Hello.stops.get();
        container.stop();
        container = null;
        assertThat(TestFunctions.Hello.stops.get()).isEqualTo(before + 1);
    }

    @Test
    void streamsTheRequestBodyToTheFunctionAndBack() throws Exception {
        start(TestFunctions.Echo.class, "echo");
        ContainerCalls call = ContainerCalls.http(channel, "t--echo", "POST", "/up");
        call.body("one,", true).body("two,", true).body("three", false);
        List<ServerEvent> events = call.awaitEnd();

        assertThat(events.get(0).getHttpResponseStart().getStatus()).isEqualTo(201);
        assertThat(ContainerCalls.bodyOf(events)).isEqualTo("one,two,three");
        assertThat(call.closed.get()).isEqualTo(CallOutcome.COMPLETED);
    }

    @Test
    void streamsABodyOfManyWindowsBothWays() throws Exception {
        start(TestFunctions.Echo.class, "echo");
        String chunk = "0123456789abcdef".repeat(4096); // 64 KiB
        int chunks = 64; // 4 MiB, each way: it moves only as both sides grant window back
        ContainerCalls call = ContainerCalls.http(channel, "t--echo", "POST", "/big");
        for (int i = 0; i < chunks; i++) {
            call.body(chunk, i < chunks - 1);
        }
        List<ServerEvent> events = call.awaitEnd();

        assertThat(events.get(0).getHttpResponseStart().getStatus()).isEqualTo(201);
        String body = ContainerCalls.bodyOf(events);
        assertThat(body.length()).isEqualTo(chunk.length() * chunks);
        assertThat(body.equals(chunk.repeat(chunks)))
                .as("the body came back whole, in order")
                .isTrue();
        assertThat(call.closed.get()).isEqualTo(CallOutcome.COMPLETED);
    }

    @Test
    void refusesACallBeyondMaxInputs() throws Exception {
        start(TestFunctions.Block.class, "block");
        ContainerCalls first =
                ContainerCalls.http(channel, "t--block", "GET", "/").body("", false);
        awaitRunning(1);

        List<ServerEvent> second = ContainerCalls.http(channel, "t--block", "GET", "/")
                .body("", false)
                .awaitEnd();

        assertThat(second)
                .singleElement()
                .satisfies(e -> assertThat(e.getError().getCode()).isEqualTo(ErrorCode.NO_CAPACITY));
        first.cancel();
    }

    @Test
    void endsAnInputThatOutlivesItsTimeoutWith504() throws Exception {
        TestFunctions.Block.interrupted = new CountDownLatch(1);
        start(TestFunctions.Block.class, "block");
        List<ServerEvent> events = ContainerCalls.http(channel, "t--block", "GET", "/")
                .body("", false)
                .awaitEnd();

        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.getError().getCode()).isEqualTo(ErrorCode.FUNCTION_TIMEOUT);
            assertThat(e.getError().getDetail()).contains("300ms");
        });
        assertThat(TestFunctions.Block.interrupted.await(5, TimeUnit.SECONDS)).isTrue();
        awaitRunning(0);
    }

    @Test
    void eachInputTimesOutAtItsOwnDeadline() throws Exception {
        start(TestFunctions.BlockTwo.class, "block-two");
        long firstSent = System.nanoTime();
        ContainerCalls first =
                ContainerCalls.http(channel, "t--block-two", "GET", "/").body("", false);
        awaitCondition("the first input runs", () -> TestFunctions.BlockTwo.running.get() == 1);
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(150)); // the second starts well after the first
        long secondSent = System.nanoTime();
        ContainerCalls second =
                ContainerCalls.http(channel, "t--block-two", "GET", "/").body("", false);

        List<ServerEvent> firstEvents = first.awaitEnd();
        long firstEnded = System.nanoTime();
        List<ServerEvent> secondEvents = second.awaitEnd();
        long secondEnded = System.nanoTime();

        for (List<ServerEvent> events : List.of(firstEvents, secondEvents)) {
            assertThat(events)
                    .singleElement()
                    .satisfies(e -> assertThat(e.getError().getCode()).isEqualTo(ErrorCode.FUNCTION_TIMEOUT));
        }
        // Neither ends before its own 300 ms: the second's deadline is not the first's.
        assertThat(TimeUnit.NANOSECONDS.toMillis(firstEnded - firstSent)).isGreaterThanOrEqualTo(300);
        assertThat(TimeUnit.NANOSECONDS.toMillis(secondEnded - secondSent)).isGreaterThanOrEqualTo(300);
        awaitCondition("both inputs ended", () -> TestFunctions.BlockTwo.running.get() == 0);
    }

    @Test
    void callsThatEndInTimeLeaveNothingOnTheTimer() throws Exception {
        start(TestFunctions.Hello.class, "hello");
        for (int i = 0; i < 200; i++) {
            ContainerCalls.http(channel, "t--hello", "GET", "/").body("", false).awaitEnd();
        }

        // At most the one deadline sweep, however many calls ran: no task per call stays
        // queued until its timeout (300 s) would have passed.
        ScheduledThreadPoolExecutor timer = (ScheduledThreadPoolExecutor) container.timer();
        assertThat(timer.getQueue().size()).isLessThanOrEqualTo(1);
    }

    @Test
    void cancellingTheStreamInterruptsTheInputAndFreesItsSlot() throws Exception {
        TestFunctions.Block.interrupted = new CountDownLatch(1);
        start(TestFunctions.Block.class, "block");
        ContainerCalls call =
                ContainerCalls.http(channel, "t--block", "GET", "/").body("", false);
        awaitRunning(1);

        call.cancel();

        assertThat(TestFunctions.Block.interrupted.await(5, TimeUnit.SECONDS)).isTrue();
        awaitRunning(0);
        // The slot is free again: a new call is taken, not refused.
        ContainerCalls next =
                ContainerCalls.http(channel, "t--block", "GET", "/").body("", false);
        awaitRunning(1);
        next.cancel();
    }

    @Test
    void anHttpDisconnectEventInterruptsTheInput() throws Exception {
        TestFunctions.Block.interrupted = new CountDownLatch(1);
        start(TestFunctions.Block.class, "block");
        ContainerCalls call =
                ContainerCalls.http(channel, "t--block", "GET", "/").sendBody("", false);
        awaitRunning(1);

        call.disconnect(); // the function never reads: the event must reach it all the same

        assertThat(TestFunctions.Block.interrupted.await(5, TimeUnit.SECONDS)).isTrue();
        awaitRunning(0);
        call.cancel();
    }

    @Test
    void aThrowingFunctionFailsItsCallAndTheContainerKeepsServing() throws Exception {
        start(TestFunctions.Boom.class, "boom");
        List<ServerEvent> failed = ContainerCalls.http(channel, "t--boom", "GET", "/boom")
                .body("", false)
                .awaitEnd();

        assertThat(failed).singleElement().satisfies(e -> {
            assertThat(e.getError().getCode()).isEqualTo(ErrorCode.FUNCTION_FAILED);
            assertThat(e.getError().getDetail()).contains("IllegalStateException");
        });
        List<ServerEvent> next = ContainerCalls.http(channel, "t--boom", "GET", "/")
                .body("", false)
                .awaitEnd();
        assertThat(ContainerCalls.bodyOf(next)).isEqualTo("fine");
    }

    @Test
    void rejectsEventsOutOfOrder() throws Exception {
        start(TestFunctions.Disorder.class, "disorder");
        List<ServerEvent> events = ContainerCalls.http(channel, "t--disorder", "GET", "/")
                .body("", false)
                .awaitEnd();

        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.getError().getCode()).isEqualTo(ErrorCode.FUNCTION_FAILED);
            assertThat(e.getError().getDetail()).contains("out of order");
        });
    }

    @Test
    void refusesACallForAnotherFunction() throws Exception {
        start(TestFunctions.Hello.class, "hello");
        List<ServerEvent> events = ContainerCalls.http(channel, "t--other", "GET", "/")
                .body("", false)
                .awaitEnd();

        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.getError().getCode()).isEqualTo(ErrorCode.FUNCTION_NOT_FOUND);
            assertThat(e.getError().getDetail()).contains("t--hello").contains("t--other");
        });
    }

    @Test
    void doesNotStartWhenAStartHookFails() throws IOException {
        Path jar = TestJars.jar(dir.resolve("app.jar"), "t", TestFunctions.BrokenStart.class);
        ContainerArgs args = new ContainerArgs(
                "ct-x", FunctionId.parse("t--broken-start"), TestFunctions.BrokenStart.class.getName(), jar, 1);

        assertThatThrownBy(() -> new ContainerMain().start(args, SECRET))
                .hasMessageContaining("BrokenStart.load failed: model file missing");
    }

    @Test
    void doesNotStartAClassUnderAnotherName() throws IOException {
        Path jar = TestJars.jar(dir.resolve("app.jar"), "t", TestFunctions.Hello.class);
        ContainerArgs args =
                new ContainerArgs("ct-x", FunctionId.parse("t--greet"), TestFunctions.Hello.class.getName(), jar, 1);

        assertThatThrownBy(() -> new ContainerMain().start(args, SECRET))
                .hasMessageContaining("is function \"hello\", not \"greet\"");
    }

    private static void awaitCondition(String what, java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
        }
    }

    private static void awaitRunning(int expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (TestFunctions.Block.running.get() != expected) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        "running inputs: " + TestFunctions.Block.running.get() + " (expected: " + expected + ")");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
        }
    }
}
