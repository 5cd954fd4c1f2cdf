package dev.ferry.autoscaler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.request.protocol.VersionKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AutoscalerTest {

    private static final Instant T0 = Simulation.T0;
    private static final VersionKey K = VersionKey.parse("shop--cart@v1");
    private static final VersionKey A = VersionKey.parse("shop--a@v1");
    private static final VersionKey B = VersionKey.parse("shop--b@v1");
    private static final AutoscalerSettings SETTINGS = new AutoscalerSettings(0, 0, 0, 1, 1, Duration.ofSeconds(30));

    private final Autoscaler autoscaler = Autoscaler.create();

    private static List<ContainerLoad> ready(int... inFlight) {
        List<ContainerLoad> loads = new ArrayList<>();
        for (int i = 0; i < inFlight.length; i++) {
            loads.add(ContainerLoad.ready("c" + i, inFlight[i], T0.minusSeconds(1000 - i)));
        }
        return loads;
    }

    /** Three ready containers, demand 3 for 40 s, then {@code after} for 60 s; the last decision. */
    private Decision dropTo(int after, int... inFlightAtEnd) {
        for (int t = 0; t < 40; t++) {
            autoscaler.decide(K, SETTINGS, new Observation(T0.plusSeconds(t), 3, ready(1, 1, 1)));
        }
        Decision last = null;
        for (int t = 40; t < 100; t++) {
            last = autoscaler.decide(K, SETTINGS, new Observation(T0.plusSeconds(t), after, ready(inFlightAtEnd)));
        }
        return last;
    }

    @Test
    void aRequestWaitingForASlotGetsAContainerWhateverTheAveragesSay() {
        AutoscalerSettings four = new AutoscalerSettings(0, 0, 0, 4, 4, Duration.ofSeconds(60));
        for (int t = 0; t < 30; t++) { // quiet, then four calls on the one container
            autoscaler.decide(K, four, new Observation(T0.plusSeconds(t), t < 27 ? 0 : 4, ready(t < 27 ? 0 : 4)));
        }
        Decision fifth = autoscaler.decide(K, four, new Observation(T0.plusSeconds(30), 5, ready(4), 1));

        assertThat(fifth.desired()).isEqualTo(2);
        assertThat(fifth.toStart()).isEqualTo(1);
        assertThat(fifth.reason()).isEqualTo("queueing: 5 in flight + queued, at most 4 per container → 2");

        Decision after = autoscaler.decide(
                K,
                four,
                new Observation(
                        T0.plusSeconds(32),
                        1,
                        List.of(ContainerLoad.ready("c0", 1, T0), ContainerLoad.ready("c1", 0, T0.plusSeconds(31)))));
        assertThat(after.toStop()).as("kept for the scaledown window").isEmpty();
        assertThat(after.desired()).isEqualTo(2);
    }

    private static List<ContainerLoad> starting(int n) {
        List<ContainerLoad> loads = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            loads.add(ContainerLoad.starting("s" + i, T0));
        }
        return loads;
    }

    @Test
    void theQueueOfAPanicWindowAgoAsksForNoMoreContainers() {
        AutoscalerSettings four = new AutoscalerSettings(0, 0, 0, 4, 4, Duration.ofSeconds(10)); // panic window 1 s
        Decision cold = autoscaler.decide(K, four, new Observation(T0, 20, List.of(), 20));
        assertThat(cold.toStart()).as("at zero the whole queue counts").isEqualTo(5);

        // A second later the 5 are still starting and the queue has doubled: 20 more arrived.
        Decision later = autoscaler.decide(K, four, new Observation(T0.plusSeconds(1), 40, starting(5), 40));

        assertThat(later.toStart()).as("20 new: 5 containers, on their way").isZero();
        assertThat(later.reason())
                .isEqualTo("panic: steady at 5: 20.0 in flight + queued on average, target 4 per container"
                        + " (not counting a backlog of 20, the queue of 1 s ago, which the 5 ready or starting take)");

        Decision more = autoscaler.decide(K, four, new Observation(T0.plusSeconds(2), 70, starting(5), 70));
        assertThat(more.toStart()).as("30 new in a second: 8 containers").isEqualTo(3);
    }

    @Test
    void aStandingBacklogKeepsTheContainersThatWorkItOff() {
        AutoscalerSettings four = new AutoscalerSettings(0, 0, 0, 4, 4, Duration.ofSeconds(10));
        autoscaler.decide(K, four, new Observation(T0, 40, List.of(), 40));
        // No call arrives any more and the ten take long to start: nothing new, but 40 wait.
        for (int t = 1; t < 60; t++) {
            Decision d = autoscaler.decide(K, four, new Observation(T0.plusSeconds(t), 40, starting(10), 40));
            assertThat(d.toStop()).as("second %d", t).isEmpty();
            assertThat(d.desired()).as("second %d", t).isEqualTo(10);
        }
    }

    @Test
    void withNothingReadyOrStartingTheWholeQueueCounts() {
        AutoscalerSettings four = new AutoscalerSettings(0, 0, 0, 4, 4, Duration.ofSeconds(10));
        autoscaler.decide(K, four, new Observation(T0, 40, List.of(), 40));
        // The ten failed to start: the queue stands, and nothing is on its way to work it off.
        Decision d = autoscaler.decide(K, four, new Observation(T0.plusSeconds(5), 40, List.of(), 40));

        assertThat(d.toStart()).isEqualTo(10);
    }

    @Test
    void queuedIsPartOfTheConcurrency() {
        assertThatThrownBy(() -> new Observation(T0, 3, List.of(), 4))
                .hasMessageContaining("queued: 4 (expected: 0..3, part of the concurrency)");
    }

    @Test
    void neverStopsAContainerWithInputsInFlight() {
        // Demand fell to 1 but each container still runs an input (e.g. an open WebSocket).
        Decision d = autoscaler.decide(K, SETTINGS, new Observation(T0, 3, ready(1, 1, 1)));
        assertThat(d.desired()).isEqualTo(3);

        Decision down = dropTo(1, 1, 1, 1);
        assertThat(down.desired()).isEqualTo(1);
        assertThat(down.toStop()).isEmpty();
        assertThat(down.reason()).isEqualTo("low for 30 s: 3 → 1 (2 busy, stopped once idle)");
    }

    @Test
    void stopsTheNewestIdleContainersFirst() {
        Decision down = dropTo(1, 0, 1, 0);

        assertThat(down.toStop()).containsExactly("c2", "c0");
        assertThat(down.toStart()).isZero();
    }

    @Test
    void startingContainersCountAndDrainingOnesDoNot() {
        List<ContainerLoad> loads = List.of(
                ContainerLoad.starting("s", T0),
                ContainerLoad.ready("r", 1, T0.minusSeconds(5)),
                new ContainerLoad("d", ContainerLoad.Phase.DRAINING, 1, T0.minusSeconds(50)));

        Decision d = autoscaler.decide(K, SETTINGS, new Observation(T0, 3, loads));

        assertThat(d.desired()).isEqualTo(3);
        assertThat(d.toStart()).isEqualTo(1);
    }

    @Test
    void rejectsObservationsOutOfOrder() {
        autoscaler.decide(K, SETTINGS, new Observation(T0.plusSeconds(5), 0, List.of()));
        autoscaler.decide(K, SETTINGS, new Observation(T0.plusSeconds(5), 0, List.of()));

        assertThatThrownBy(() -> autoscaler.decide(K, SETTINGS, new Observation(T0, 0, List.of())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "at: 2026-01-01T12:00:00Z (expected: >= 2026-01-01T12:00:05Z, the last observation of shop--cart@v1)");
    }

    @Test
    void rejectsBadObservations() {
        assertThatThrownBy(() -> new Observation(T0, -1, List.of())).hasMessage("concurrency: -1 (expected: >= 0)");
        assertThatThrownBy(() -> new Observation(
                        T0, 0, List.of(ContainerLoad.starting("a", T0), ContainerLoad.starting("a", T0))))
                .hasMessage("containers: a twice (expected: distinct ids)");
        assertThatThrownBy(() -> ContainerLoad.ready("a", -2, T0)).hasMessage("inFlight: -2 (expected: >= 0)");
    }

    @Test
    void keepsOneBucketPerSecondOfTheLongestWindow() {
        AutoscalerSettings long20m = SETTINGS.withScaledownWindow(Duration.ofMinutes(20));
        for (int t = 0; t < 7200; t++) {
            // Several observations a second share a bucket.
            for (int ms = 0; ms < 1000; ms += 250) {
                autoscaler.decide(K, long20m, new Observation(T0.plusSeconds(t).plusMillis(ms), t % 7, List.of()));
            }
        }
        assertThat(autoscaler.buckets(K)).isEqualTo(1200);
    }

    @Test
    void keysAreIndependentAndForgettable() {
        autoscaler.decide(A, SETTINGS, new Observation(T0, 5, List.of()));
        Decision b = autoscaler.decide(B, SETTINGS, new Observation(T0, 0, List.of()));
        assertThat(b.desired()).isZero();
        assertThat(autoscaler.keys()).isEqualTo(2);

        autoscaler.forget(A);
        assertThat(autoscaler.keys()).isEqualTo(1);
        // A forgotten key starts over: an earlier instant is accepted again.
        autoscaler.decide(A, SETTINGS, new Observation(T0.minusSeconds(10), 0, List.of()));
    }
}
