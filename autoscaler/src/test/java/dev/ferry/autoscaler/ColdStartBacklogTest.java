package dev.ferry.autoscaler;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Calls replayed against containers that take a while to start, queued at the gateway
 * meanwhile ({@link QueueSimulation}): the backlog of a cold start is not demand, calls that
 * outlast a start still get their containers. The shape is {@code ferry bench burst}'s: 20
 * calls a second of 2 s each need 40 inputs in flight, so 10 containers of 4.
 */
class ColdStartBacklogTest {

    /** target = max = 4 inputs, no buffer, scaledown window 10 s: stable window 10 s, panic window 1 s. */
    private static final AutoscalerSettings SETTINGS = new AutoscalerSettings(0, 0, 0, 4, 4, Duration.ofSeconds(10));

    private static final Duration TWO_SECONDS = Duration.ofSeconds(2);

    @Test
    void aBurstFromZeroAsksForWhatItsArrivalsNeedNotForTheBacklogOfItsColdStart() {
        // An 8 s cold start: the queue grows for all of it, to 160 calls. Counted as demand,
        // as before, it asked for ceil(200 / 4) = 50 containers.
        QueueSimulation sim = new QueueSimulation(SETTINGS, Duration.ofSeconds(8))
                .calls(Duration.ofSeconds(10), 20, TWO_SECONDS)
                .quiet(Duration.ofSeconds(60));

        // The 10 the load needs, and one more: arrivals are counted from the first observation
        // of the second the panic window reaches back to, so over 1 to 2 s.
        assertThat(sim.most()).isLessThanOrEqualTo(11);
        assertThat(sim.answered).isEqualTo(200);
        Decision first = sim.decisionAt(Duration.ZERO);
        assertThat(first.panic()).as("a burst from zero is still a panic").isTrue();
        assertThat(first.reason()).isEqualTo("burst: 5 in flight + queued, target 4 per container → 2");
        assertThat(sim.decisionAt(Duration.ofSeconds(5)).reason())
                .isEqualTo("panic: steady at 9: 23.8 in flight + queued on average, target 4 per container"
                        + " (not counting a backlog of 85, the queue of 1 s ago, which the 9 ready or starting take)");
        assertThat(sim.counts.get(sim.counts.size() - 1))
                .as("back to zero a scaledown window after the last call")
                .isZero();
    }

    @Test
    void aSustainedLoadScalesToWhatItNeedsAndItsQueueDrains() {
        QueueSimulation sim = new QueueSimulation(SETTINGS, TWO_SECONDS)
                .calls(Duration.ofMinutes(2), 20, TWO_SECONDS)
                .quiet(Duration.ofSeconds(30));

        for (int s = 10; s < 120; s++) {
            assertThat(sim.countAt(Duration.ofSeconds(s))).as("second %d", s).isGreaterThanOrEqualTo(10);
        }
        // Counting the backlog of the 2 s start too, it asked for ceil(20 × (2 + 2) / 4) = 20.
        assertThat(sim.most()).isLessThan(20);
        assertThat(sim.answered).isEqualTo(2400);
        assertThat(sim.longestWait)
                .as("no call waits much longer than a start")
                .isLessThanOrEqualTo(Duration.ofSeconds(3));
        assertThat(sim.lastAnswer).isEqualTo(QueueSimulation.T0.plusMillis(121_750));
        assertThat(sim.counts.get(sim.counts.size() - 1)).isZero();
    }

    @Test
    void callsThatOutlastAStartStillGetAContainerEach() {
        // 2 calls a second of 60 s each: 120 in flight, 30 containers. The queue grows for a
        // minute, far longer than the 8 s start: no backlog, the pool is short.
        QueueSimulation sim = new QueueSimulation(SETTINGS, Duration.ofSeconds(8))
                .calls(Duration.ofMinutes(2), 2, Duration.ofSeconds(60))
                .quiet(Duration.ofSeconds(90));

        assertThat(sim.answered).isEqualTo(240);
        assertThat(sim.most()).isGreaterThanOrEqualTo(30);
        assertThat(sim.decisions).anySatisfy(d -> assertThat(d.reason()).startsWith("calls outlast a start: "));
        // The last call arrives at 119.5 s: answered when its 60 s end, so it never waited long.
        assertThat(sim.lastAnswer).isEqualTo(QueueSimulation.T0.plusMillis(179_750));
    }
}
