package dev.ferry.perf.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The driver against a fake server with one slot and a fixed service time, on a real event loop. */
class LoadDriverTest {

    private static final EventLoopGroup group = ClientTransport.group(1);
    private static final EventLoop loop = group.next();
    /**
     * An overrun limit no run here comes near: a loaded machine may delay the event loop by
     * hundreds of ms, and a run that then ended at its usual limit would count its last
     * requests as failed.
     */
    private static final Duration FAR_OVERRUN = Duration.ofSeconds(30);

    @AfterAll
    static void stop() throws InterruptedException {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
    }

    /** One request at a time, each answered {@code serviceMillis} after it was sent. */
    private static LoadClient oneSlot(long serviceMillis) {
        return new LoadClient() {
            boolean busy;

            @Override
            public boolean trySend(Completion completion) {
                if (busy) {
                    return false;
                }
                busy = true;
                loop.schedule(
                        () -> {
                            busy = false;
                            completion.completed(true);
                        },
                        serviceMillis,
                        TimeUnit.MILLISECONDS);
                return true;
            }

            @Override
            public int slots() {
                return 1;
            }

            @Override
            public void close() {}
        };
    }

    @Test
    void openLoopLatencyCountsTheWaitOfRequestsThatFoundNoFreeSlot() throws Exception {
        // 50 requests due 10 ms apart against a server that takes 12 ms each: a queue builds,
        // and request i waits about 2 i ms before it can even be sent. Timed from the send,
        // every latency would read 12 ms; timed from the intended start, the median is about
        // 60 ms and the worst about 110 ms. The run ends about 110 ms after the last request is
        // due, a busy machine later still: the overrun limit (250 ms for this run) is not the
        // point here, so it is set far away.
        LoadDriver.Result result =
                LoadDriver.openLoop(List.of(oneSlot(12)), List.of(loop), 100, Duration.ofMillis(500), FAR_OVERRUN);

        assertThat(result.latencies().count()).isEqualTo(50);
        assertThat(result.latencies().errors()).isZero();
        assertThat(result.latencies().percentileMicros(50)).isGreaterThan(40_000);
        assertThat(result.latencies().maxMicros()).isGreaterThan(90_000);
    }

    @Test
    void aRunThatCannotKeepUpEndsAfterItsOverrunWithTheRestCountedAsFailed() throws Exception {
        // 2,000 requests due within 1 s against a server that takes 10 ms each: about 150 can be
        // answered by the time the 0.5 s overrun ends; the rest fail rather than keep the run going.
        LoadDriver.Result result =
                LoadDriver.openLoop(List.of(oneSlot(10)), List.of(loop), 2_000, Duration.ofSeconds(1));

        assertThat(result.latencies().count() + result.latencies().errors()).isEqualTo(2_000);
        assertThat(result.latencies().errors()).isGreaterThan(1_000);
        assertThat(LoadDriver.overrunLimit(Duration.ofSeconds(1))).isEqualTo(Duration.ofMillis(500));
        assertThat(LoadDriver.overrunLimit(Duration.ofSeconds(8))).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void openLoopBelowCapacitySeesOnlyTheServiceTime() throws Exception {
        LoadDriver.Result result =
                LoadDriver.openLoop(List.of(oneSlot(1)), List.of(loop), 50, Duration.ofMillis(400), FAR_OVERRUN);

        assertThat(result.latencies().count()).isEqualTo(20);
        assertThat(result.latencies().percentileMicros(0)).isGreaterThanOrEqualTo(1_000);
    }

    @Test
    void closedLoopKeepsEverySlotBusyAndCountsCompletions() throws Exception {
        LoadDriver.Result result = LoadDriver.closedLoop(List.of(oneSlot(5)), List.of(loop), Duration.ofMillis(300));

        assertThat(result.latencies().count()).isPositive();
        assertThat(result.latencies().errors()).isZero();
        assertThat(result.requestsPerSecond()).isEqualTo(result.latencies().count() / 0.3);
    }

    @Test
    void failedRequestsAreCountedApartFromLatencies() throws Exception {
        LoadClient failing = new LoadClient() {
            @Override
            public boolean trySend(Completion completion) {
                loop.execute(() -> completion.completed(false));
                return true;
            }

            @Override
            public int slots() {
                return 1;
            }

            @Override
            public void close() {}
        };
        LoadDriver.Result result = LoadDriver.openLoop(List.of(failing), List.of(loop), 100, Duration.ofMillis(100));

        assertThat(result.latencies().count()).isZero();
        assertThat(result.latencies().errors()).isEqualTo(10);
    }
}
