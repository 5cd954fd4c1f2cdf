package dev.ferry.autoscaler;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Demand shapes replayed second by second against a simulated pool; the counts are asserted. */
class AutoscalerSimulationTest {

    /** target 4 per container, at most 8; scaledown window 30 s (so stable 30 s, panic 3 s). */
    private static final AutoscalerSettings SETTINGS = new AutoscalerSettings(0, 0, 0, 4, 8, Duration.ofSeconds(30));

    @Test
    void burstFromZeroStartsEveryContainerAtOnce() {
        Simulation sim = new Simulation(SETTINGS).run(5, 0).run(60, 40);

        assertThat(sim.counts.subList(0, 5)).containsOnly(0);
        Decision burst = sim.decisions.get(5);
        assertThat(burst.toStart()).isEqualTo(10);
        assertThat(burst.panic()).isTrue();
        assertThat(burst.reason()).isEqualTo("burst: 40 in flight + queued, target 4 per container → 10");
        assertThat(sim.counts.subList(5, 65)).containsOnly(10);
    }

    @Test
    void rampScalesUpWithDemandAndNeverDown() {
        Simulation sim = new Simulation(SETTINGS).run(41, t -> t).run(60, 40);

        for (int t = 1; t < sim.seconds(); t++) {
            assertThat(sim.countAt(t)).as("second %d", t).isGreaterThanOrEqualTo(sim.countAt(t - 1));
            // Within the panic window (3 s) of the demand.
            int lagged = sim.demand.get(Math.max(0, t - 2));
            assertThat(sim.countAt(t)).as("second %d", t).isGreaterThanOrEqualTo((lagged + 3) / 4);
        }
        assertThat(sim.countAt(sim.seconds() - 1)).isEqualTo(10);
    }

    @Test
    void plateauWithJitterNeverScalesDown() {
        int[] jitter = {40, 36, 44, 38, 42, 40, 37, 43};
        Simulation sim = new Simulation(SETTINGS).run(600, t -> jitter[t % jitter.length]);

        for (int t = 1; t < 600; t++) {
            assertThat(sim.countAt(t)).as("second %d", t).isGreaterThanOrEqualTo(sim.countAt(t - 1));
        }
        assertThat(sim.countAt(599)).isEqualTo(11);
        assertThat(sim.decisions.get(599).toStop()).isEmpty();
    }

    @Test
    void slowDecayScalesDownOnlyAfterTheWindowAndNeverStopsABusyContainer() {
        // 40 for a minute, down by 1 every 3 s to 0, then idle: the simulation fails on a busy stop.
        Simulation sim =
                new Simulation(SETTINGS).run(60, 40).run(120, t -> 40 - t / 3).run(60, 0);
        int lastActive = 60 + 119;

        int firstDown = -1;
        for (int t = 1; t < sim.seconds(); t++) {
            if (sim.countAt(t) < sim.countAt(t - 1) && firstDown < 0) {
                firstDown = t;
            }
            // Never below what the demand of the last 30 s needs.
            int peak = sim.demand.subList(Math.max(0, t - 29), t + 1).stream()
                    .max(Integer::compare)
                    .orElseThrow();
            assertThat(sim.countAt(t)).as("second %d", t).isGreaterThanOrEqualTo((peak + 3) / 4);
        }
        assertThat(firstDown).isGreaterThanOrEqualTo(60 + 30);
        assertThat(sim.counts.indexOf(0)).isEqualTo(lastActive + 30);
        assertThat(sim.decisions.get(lastActive + 30).reason()).isEqualTo("idle for 30 s → 0");
    }

    @Test
    void lowSteadyTrafficKeepsOneContainerWithoutFlapping() {
        // One request every 10 s, lasting under a second, with a 30 s scaledown window.
        Simulation sim = new Simulation(SETTINGS).run(600, t -> t % 10 == 0 ? 1 : 0);

        assertThat(sim.counts).containsOnly(1);
        assertThat(sim.decisions.stream().filter(Decision::panic)).isEmpty();
    }

    @Test
    void trafficJustOutsideTheWindowScalesToZeroAndBackOnce() {
        // One request every 40 s with a 30 s window: down to 0 once per gap, never 0↔1 within one.
        Simulation sim = new Simulation(SETTINGS).run(200, t -> t % 40 == 0 ? 1 : 0);

        for (int t = 0; t < 200; t++) {
            assertThat(sim.countAt(t)).as("second %d", t).isEqualTo(t % 40 < 30 ? 1 : 0);
        }
    }

    @Test
    void restartMidPlateauHoldsTheCountForOneWindow() {
        // 10 ready containers from before the restart; 20 in flight now needs only 5.
        Simulation sim = new Simulation(SETTINGS).withReady(10).run(60, 20);

        assertThat(sim.counts.subList(0, 30)).containsOnly(10);
        assertThat(sim.decisions.get(0).reason()).isEqualTo("holding 10 after restart until 12:00:30");
        assertThat(sim.countAt(30)).isEqualTo(5);
        assertThat(sim.decisions.get(30).reason()).isEqualTo("low for 30 s: 10 → 5");
        assertThat(sim.decisions.get(30).toStop()).containsExactly("c9", "c8", "c7", "c6", "c5");
        assertThat(sim.counts.subList(30, 60)).containsOnly(5);
    }

    @Test
    void restartDuringSustainedLoadChangesNothing() {
        Simulation sim = new Simulation(SETTINGS).run(120, 40);
        sim.restartAutoscaler();
        sim.run(120, 40);

        assertThat(sim.counts.subList(1, 240)).containsOnly(10);
    }

    @Test
    void minMaxAndBufferClampTheCount() {
        Simulation min = new Simulation(SETTINGS.withMinContainers(2)).run(60, 0);
        assertThat(min.counts).containsOnly(2);
        assertThat(min.decisions.get(0).reason())
                .isEqualTo("0.0 in flight + queued on average, target 4 per container → 2 (min 2)");
        assertThat(min.decisions.get(59).reason())
                .isEqualTo("steady at 2: 0.0 in flight + queued on average, target 4 per container (min 2)");

        Simulation max = new Simulation(SETTINGS.withMaxContainers(5)).run(30, 40);
        assertThat(max.counts).containsOnly(5);
        assertThat(max.decisions.get(0).reason())
                .isEqualTo("burst: 40 in flight + queued, target 4 per container → 5 (max 5)");

        Simulation buffer =
                new Simulation(SETTINGS.withBufferContainers(1)).run(30, 8).run(60, 0);
        assertThat(buffer.counts.subList(0, 30)).containsOnly(3);
        assertThat(buffer.decisions.get(1).reason()).contains("(incl. 1 buffer)");
        assertThat(buffer.countAt(89)).isZero();
    }

    @Test
    void loweringMaxStopsIdleContainersAtOnce() {
        // Within the scaledown window of the plateau: only the max override can stop containers.
        Simulation sim = new Simulation(SETTINGS).run(60, 40).run(10, 8);
        sim.settings(SETTINGS.withMaxContainers(3));
        Decision d = sim.step(8);

        assertThat(d.reason()).isEqualTo("over max 3: 10 → 3");
        assertThat(d.toStop()).containsExactly("c9", "c8", "c7", "c6", "c5", "c4", "c3");
        assertThat(sim.countAt(70)).isEqualTo(3);
    }

    @Test
    void scalesToZeroAfterTheScaledownWindow() {
        Simulation sim = new Simulation(SETTINGS).run(5, 3).run(60, 0);

        assertThat(sim.counts.subList(0, 34)).containsOnly(1);
        assertThat(sim.countAt(34)).isZero();
        assertThat(sim.decisions.get(34).reason()).isEqualTo("idle for 30 s → 0");
        assertThat(sim.decisions.get(34).toStop()).containsExactly("c0");
        assertThat(sim.counts.subList(34, 65)).containsOnly(0);
    }

    @Test
    void panicModeHoldsThroughTheBurstAndEndsAfterAStableWindow() {
        Simulation sim = new Simulation(SETTINGS).run(40, 4).run(20, 20).run(120, 4);

        List<Boolean> panic = sim.decisions.stream().map(Decision::panic).toList();
        assertThat(panic.subList(0, 40)).containsOnly(false);
        assertThat(panic.get(40)).isTrue();
        // The 3 s panic window averages 4, 4 and 20: 9.3 → 3, then 4, then 5 as it fills.
        assertThat(sim.decisions.get(40).reason())
                .isEqualTo("burst: 9.3 in flight + queued, target 4 per container → 3");
        assertThat(sim.counts.subList(40, 43)).containsExactly(3, 4, 5);
        int lastPanic = panic.lastIndexOf(true);
        assertThat(panic.subList(40, lastPanic + 1)).containsOnly(true);
        assertThat(panic.subList(lastPanic + 1, 180)).containsOnly(false);
        assertThat(lastPanic).isBetween(40 + 29, 60 + 29);
        for (int t = 41; t <= lastPanic; t++) {
            assertThat(sim.countAt(t)).as("second %d", t).isGreaterThanOrEqualTo(sim.countAt(t - 1));
        }
        assertThat(sim.countAt(59)).isEqualTo(5);
        assertThat(sim.decisions.get(59).reason())
                .isEqualTo("panic: steady at 5: 20.0 in flight + queued on average, target 4 per container");
        assertThat(sim.decisions.get(lastPanic + 1).reason()).startsWith("holding 5: 5 needed within the last 30 s");
        assertThat(sim.countAt(179)).isEqualTo(1);
    }
}
