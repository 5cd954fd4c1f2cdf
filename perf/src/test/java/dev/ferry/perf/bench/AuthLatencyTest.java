package dev.ferry.perf.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AuthLatencyTest {

    private static AuthLatency.Round open(int round, double p50, double p99) {
        return new AuthLatency.Round(AuthLatency.OPEN, round, 2000, 2000, 0, p50, p99);
    }

    private static AuthLatency.Round auth(int round, double p50, double p99, long errors) {
        return new AuthLatency.Round(AuthLatency.AUTHENTICATED, round, 1900, 1900, errors, p50, p99);
    }

    private static AuthLatency.Result sample() {
        return new AuthLatency.Result(
                List.of(
                        open(1, 400, 900),
                        auth(1, 430, 1000, 0),
                        auth(2, 450, 1200, 0),
                        open(2, 420, 800),
                        open(3, 410, 1000),
                        auth(3, 440, 1100, 2)),
                4,
                15,
                "hello 200, whoami without a token 401, with the token 200 \"Hello, bench!\"");
    }

    @Test
    void theFiguresAreMediansOfRoundsAndTheirDifferenceAndRatio() {
        AuthLatency.Result r = sample();

        assertThat(r.median(AuthLatency.OPEN, false)).isEqualTo(410);
        assertThat(r.median(AuthLatency.AUTHENTICATED, false)).isEqualTo(440);
        assertThat(r.median(AuthLatency.OPEN, true)).isEqualTo(900);
        assertThat(r.median(AuthLatency.AUTHENTICATED, true)).isEqualTo(1100);
        assertThat(r.added(false)).isEqualTo(30);
        assertThat(r.added(true)).isEqualTo(200);
        assertThat(r.ratio(false)).isCloseTo(440.0 / 410, within(1e-9));
        assertThat(r.errors(AuthLatency.AUTHENTICATED)).isEqualTo(2);
        assertThat(r.roundCount()).isEqualTo(3);
    }

    @Test
    void aRoundWithNoAnswerDoesNotCount() {
        AuthLatency.Result r = new AuthLatency.Result(
                List.of(
                        open(1, 400, 900),
                        new AuthLatency.Round(AuthLatency.AUTHENTICATED, 1, 0, 0, 50, Double.NaN, Double.NaN)),
                1,
                1,
                "");

        assertThat(r.median(AuthLatency.AUTHENTICATED, false)).isNaN();
        assertThat(r.added(false)).isNaN();
        assertThat(r.markdown()).contains("| p50 (µs) | 400 | – | – | – |");
    }

    @Test
    void theTableHasBothFunctionsTheAddedLatencyAndHowItWasMeasured() {
        String markdown = sample().markdown();

        assertThat(markdown)
                .startsWith("| authenticated call (issue 16), HTTP/1.1 one connection, closed loop |"
                        + " open (examples--hello) | authenticated (examples--whoami) | added | authenticated / open |\n"
                        + "|---|---:|---:|---:|---:|\n"
                        + "| p50 (µs) | 410 | 440 | 30 | 1.07 |\n"
                        + "| p99 (µs) | 900 | 1,100 | 200 | 1.22 |\n")
                .contains("medians of 3 round(s) of 4.0 s per function after 15.0 s of warm-up each")
                .contains("Failed requests (not in the latencies): open 0, authenticated 2.");
    }

    @Test
    void theJsonHasTheFiguresAndEveryRound() {
        Map<String, Object> json = sample().json();

        assertThat(json).containsEntry("added_p50_us", 30.0).containsEntry("added_p99_us", 200.0);
        assertThat(json.get("authenticated")).isEqualTo(Map.of("p50_us", 440.0, "p99_us", 1100.0, "failed", 2L));
        assertThat((List<?>) json.get("rounds")).hasSize(6);
    }

    @Test
    void theSummaryPutsTheTableAfterTheComparisons() {
        BenchReport report = new BenchReport(List.of("direct", "ferry"), Map.of(), Map.of());
        report.auth(sample());

        assertThat(report.summary()).startsWith("| authenticated call (issue 16)");
    }
}
