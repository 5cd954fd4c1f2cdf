package dev.ferry.perf.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RatePacerTest {

    @Test
    void spacesRequestsEvenlyAtTheRateForTheDuration() {
        RatePacer pacer = new RatePacer(1_000, 200, 1_000_000_000L); // 200/s for 1 s

        assertThat(pacer.count()).isEqualTo(200);
        assertThat(pacer.intendedStart(0)).isEqualTo(1_000);
        assertThat(pacer.intendedStart(1)).isEqualTo(1_000 + 5_000_000);
        assertThat(pacer.intendedStart(199)).isEqualTo(1_000 + 199 * 5_000_000L);
        assertThat(pacer.lastStart()).isEqualTo(pacer.intendedStart(199));
    }

    @Test
    void countsWhatIsDueWithoutEverPassingTheTotal() {
        RatePacer pacer = new RatePacer(0, 1000, 10_000_000L); // 10 requests, 1 ms apart

        assertThat(pacer.dueBy(-1)).isZero();
        assertThat(pacer.dueBy(0)).isEqualTo(1);
        assertThat(pacer.dueBy(999_999)).isEqualTo(1);
        assertThat(pacer.dueBy(1_000_000)).isEqualTo(2);
        assertThat(pacer.dueBy(5_500_000)).isEqualTo(6);
        // A stalled sender catches up all at once, but never beyond the run.
        assertThat(pacer.dueBy(60_000_000_000L)).isEqualTo(10);
    }

    @Test
    void aRunTooShortForOneIntervalStillSendsOne() {
        assertThat(new RatePacer(0, 1, 1_000_000L).count()).isEqualTo(1);
    }

    @Test
    void refusesRatesAndDurationsThatCannotWork() {
        assertThatThrownBy(() -> new RatePacer(0, 0, 1)).hasMessage("rate: 0.0 (expected: > 0 requests/s)");
        assertThatThrownBy(() -> new RatePacer(0, Double.NaN, 1)).hasMessage("rate: NaN (expected: > 0 requests/s)");
        assertThatThrownBy(() -> new RatePacer(0, 10, 0)).hasMessage("duration: 0 ns (expected: > 0)");
        assertThatThrownBy(() -> new RatePacer(0, 10, 1_000_000_000L).intendedStart(10))
                .hasMessage("request 10 (expected: 0..9)");
    }
}
