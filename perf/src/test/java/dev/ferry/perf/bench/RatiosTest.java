package dev.ferry.perf.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class RatiosTest {

    @Test
    void theMedianOfOddAndEvenCountsIgnoringMissingValues() {
        assertThat(Ratios.median(List.of(3.0, 1.0, 2.0))).isEqualTo(2.0);
        assertThat(Ratios.median(List.of(4.0, 1.0, 3.0, 2.0))).isEqualTo(2.5);
        assertThat(Ratios.median(Arrays.asList(5.0, Double.NaN, null))).isEqualTo(5.0);
        assertThat(Ratios.median(List.of())).isNaN();
    }

    @Test
    void ratiosAndAddedLatencyAgainstABaseline() {
        assertThat(Ratios.ratio(6_000, 60_000)).isEqualTo(0.1);
        assertThat(Ratios.ratio(1, 0)).isNaN();
        assertThat(Ratios.ratio(Double.NaN, 1)).isNaN();
        assertThat(Ratios.added(450, 400)).isEqualTo(50);
        assertThat(Ratios.added(450, Double.NaN)).isNaN();
    }

    @Test
    void loadLevelsAreWholeRatesFromTheBaselinesSaturation() {
        assertThat(Ratios.rates(10_001, List.of(0.25, 0.5, 0.75))).containsExactly(2500.0, 5000.0, 7500.0);
        assertThat(Ratios.rates(2, List.of(0.25))).containsExactly(1.0); // never below 1 request/s
        assertThatThrownBy(() -> Ratios.rates(Double.NaN, List.of(0.5)))
                .hasMessage("baseline saturation: NaN requests/s (expected: > 0)");
        assertThatThrownBy(() -> Ratios.rates(100, List.of(1.5)))
                .hasMessage("load fraction: 1.5 (expected: in (0, 1])");
    }
}
