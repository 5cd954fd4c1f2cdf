package dev.ferry.perf.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchReportTest {

    private static final List<String> TARGETS = List.of("direct", "ferry", "nginx", "haproxy");

    @TempDir
    Path dir;

    private static Latencies latencies(long... micros) {
        Latencies l = new Latencies();
        for (long m : micros) {
            l.record(0, m * 1000);
        }
        return l;
    }

    private static void saturation(BenchReport report, String target, int round, double rps) {
        Latencies l = latencies(100);
        report.add(Measurement.of("saturation", "HTTP/1.1", "", 0, target, round, rps, l), l);
    }

    private static BenchReport sample() {
        BenchReport report = new BenchReport(TARGETS, Map.of("cpus", 2), Map.of("rounds", 3));
        double[][] rounds = {
            {60_000, 6_000, 20_000, 25_000}, {50_000, 7_000, 18_000, 22_000}, {70_000, 5_000, 19_000, 24_000}
        };
        for (int r = 0; r < 3; r++) {
            for (int t = 0; t < 4; t++) {
                saturation(report, TARGETS.get(t), r + 1, rounds[r][t]);
            }
        }
        for (String target : TARGETS) {
            Latencies l = target.equals("ferry") ? latencies(400, 500, 3000) : latencies(100, 120, 900);
            report.add(Measurement.of("load", "HTTP/1.1", "25%", 15_000, target, 1, 15_000, l), l);
        }
        return report;
    }

    @Test
    void theTableGivesMediansOverRoundsAndFerrysRatios() {
        String markdown = sample().markdown();

        assertThat(markdown)
                .startsWith("| measure | direct | ferry | nginx | haproxy | ferry / direct | ferry / nginx |\n");
        // Medians: direct 60,000, ferry 6,000, nginx 19,000, haproxy 24,000.
        assertThat(markdown)
                .contains("| saturation, HTTP/1.1 (req/s) | 60,000 | 6,000 | 19,000 | 24,000 | 0.10 | 0.32 |");
        assertThat(markdown)
                .contains(
                        "| p50, HTTP/1.1 at 25% of direct (15,000 req/s) (µs) | 120 | 500 | 120 | 120 | 4.17 | 4.17 |");
        assertThat(markdown).doesNotContain("Failed requests");
    }

    @Test
    void goalsSayWhereFerryStands() {
        assertThat(sample().goals())
                .containsExactly(
                        "missed: HTTP/1.1 saturation >= nginx's: 6,000 vs 19,000 req/s",
                        "missed: HTTP/1.1 added p50 over direct at 25% load <= 100 µs: 380 µs");
    }

    @Test
    void theStartUpRowsFollowTheComparisonTableAndTheirGoalsItsGoals() {
        BenchReport report = sample();
        StartupReport startup = new StartupReport("java -jar cli/target/ferry.jar", Map.of());
        startup.add(FerryVariant.parse("default=")).coldStart(600);
        report.startup(startup);

        assertThat(report.summary()).startsWith(report.markdown() + "\n| start-up (issue 14) | default | goal |");
        assertThat(report.goals())
                .endsWith(
                        "missed: cold start p50 <= 50 ms: 600 ms (default)",
                        "missed: cold start p99 <= 150 ms: 600 ms (default)");
    }

    @Test
    void failedRequestsAreReportedBesideTheTable() {
        BenchReport report = sample();
        Latencies failed = latencies(100);
        failed.error();
        failed.error();
        report.add(Measurement.of("load", "HTTP/1.1", "50%", 30_000, "nginx", 1, 29_000, failed), failed);

        assertThat(report.markdown())
                .contains("Failed requests (not in the latencies): nginx load HTTP/1.1 50%: 2 failed");
    }

    @Test
    void writesJsonWithEveryMeasurementAndAPageWithAPlotPerMeasure() throws Exception {
        BenchReport report = sample();
        report.writeJson(dir.resolve("bench.json"));
        report.writeHtml(dir.resolve("report.html"), "test run");

        JsonNode json = new ObjectMapper().readTree(dir.resolve("bench.json").toFile());
        assertThat(json.get("measurements")).hasSize(12 + 4);
        assertThat(json.get("summary_medians")
                        .get("saturation|HTTP/1.1|")
                        .get("ferry")
                        .get("throughput")
                        .asDouble())
                .isEqualTo(6_000);
        assertThat(json.get("summary_medians")
                        .get("saturation|HTTP/1.1|")
                        .get("direct")
                        .get("p50_us")
                        .asDouble())
                .isEqualTo(100);
        assertThat(json.get("percentile_curves_us").get("load|HTTP/1.1|25%").get("ferry"))
                .isNotEmpty();

        String html = Files.readString(dir.resolve("report.html"));
        assertThat(html).contains("<table>", "<th>measure</th>", "<td>6,000</td>");
        assertThat(html.split("<svg", -1)).hasSize(1 + 2); // saturation bars, the 25% curves
        assertThat(html).doesNotContain("<script");
    }

    @Test
    void theStartUpRowsGoIntoTheJsonAndThePageWithTheWarmUpPlotted() throws Exception {
        BenchReport report = sample();
        StartupReport startup = new StartupReport("java -jar cli/target/ferry.jar", Map.of("cold_starts", 1));
        VariantFigures figures = startup.add(FerryVariant.parse("default="));
        figures.coldStart(600);
        figures.warmUp(
                new WarmUpCurve(Duration.ofMillis(250), List.of(0.0, 500.0, 900.0, 1000.0, 1000.0), 2, 3, 300, 0), 1);
        report.startup(startup);
        report.writeJson(dir.resolve("bench.json"));
        report.writeHtml(dir.resolve("report.html"), "test run");

        JsonNode variant = new ObjectMapper()
                .readTree(dir.resolve("bench.json").toFile())
                .get("startup")
                .get("variants")
                .get(0);
        assertThat(variant.get("name").asText()).isEqualTo("default");
        assertThat(variant.get("cold_start").get("p50_ms").asDouble()).isEqualTo(600);
        assertThat(variant.get("warm_up").get("rates_per_window")).hasSize(5);
        assertThat(variant.get("warm_up").get("warm_rate").asDouble()).isEqualTo(1000);
        String html = Files.readString(dir.resolve("report.html"));
        assertThat(html).contains("<th>start-up (issue 14)</th>", "<td>600</td>", "Warm-up of a new container");
        assertThat(html.split("<svg", -1)).hasSize(1 + 3); // saturation bars, the 25% curves, the warm-up
    }
}
