package dev.ferry.perf.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class WarmUpCurveTest {

    private static final Duration QUARTER = Duration.ofMillis(250);

    /** 2 s of ramp (8 windows), warm from 3 s (window 12) to 4 s: warm is 1,000 req/s. */
    private static WarmUpCurve curve(double... ramp) {
        List<Double> rates = new ArrayList<>();
        for (double r : ramp) {
            rates.add(r);
        }
        while (rates.size() < 12) {
            rates.add(900.0);
        }
        for (int i = 0; i < 4; i++) {
            rates.add(1000.0);
        }
        return new WarmUpCurve(QUARTER, rates, 8, 12, 120, 0);
    }

    @Test
    void comparesTheFirstWindowAndTheFirstSecondWithTheWarmPhase() {
        WarmUpCurve c = curve(0, 200, 600, 1000, 1000, 1000, 1000, 1000);

        assertThat(c.warmRate()).isEqualTo(1000);
        assertThat(c.firstWindowShare()).isEqualTo(0);
        assertThat(c.firstSecondShare()).isCloseTo(0.45, within(1e-9)); // (0 + 200 + 600 + 1000) / 4 / 1000
    }

    @Test
    void theTimeToEightyPercentIsTheEndOfTheFirstWindowThatGotThere() {
        assertThat(curve(0, 200, 600, 800, 1000, 1000, 1000, 1000).millisToReach(0.8))
                .isEqualTo(1000); // the fourth window, 750-1000 ms
        assertThat(curve(900, 0, 0, 0, 0, 0, 0, 0).millisToReach(0.8)).isEqualTo(250);
    }

    @Test
    void aRampThatNeverGetsThereHasNoTime() {
        List<Double> rates = new ArrayList<>(Collections.nCopies(12, 100.0));
        rates.addAll(List.of(1000.0, 1000.0));

        assertThat(new WarmUpCurve(QUARTER, rates, 8, 12, 120, 0).millisToReach(0.8))
                .isNaN();
    }

    @Test
    void refusesAWarmPhaseThatStartsInsideTheRampOrPastTheEnd() {
        List<Double> rates = Collections.nCopies(10, 1.0);

        assertThatThrownBy(() -> new WarmUpCurve(QUARTER, rates, 8, 4, 0, 0))
                .hasMessageContaining("ramp 8, warm from 4 of 10")
                .hasMessageContaining("expected: 1 <= ramp <= warm from < windows");
        assertThatThrownBy(() -> new WarmUpCurve(QUARTER, rates, 8, 10, 0, 0))
                .hasMessageContaining("warm from 10 of 10");
    }
}
