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

    /**
     * Saturation with CPU per request (3 rounds), the same load for every target (half of
     * nginx's saturation) with CPU, and one connection, closed loop.
     */
    private static BenchReport withTheSideBySideRows() {
        BenchReport report = new BenchReport(TARGETS, Map.of("cpus", 2), Map.of("rounds", 3));
        double[][] cpu = {{12, 80, 30, 28}, {10, 100, 34, 26}, {11, 90, 32, 24}};
        for (int r = 0; r < 3; r++) {
            for (int t = 0; t < 4; t++) {
                Latencies l = latencies(100);
                report.add(
                        Measurement.of("saturation", "HTTP/1.1", "", 0, TARGETS.get(t), r + 1, 20_000 - 1_000 * t, l)
                                .withCpu(1.5, cpu[r][t]),
                        l);
            }
        }
        Map<String, long[]> same = Map.of(
                "direct", new long[] {100, 120, 900},
                "ferry", new long[] {330, 350, 1600},
                "nginx", new long[] {200, 300, 1000},
                "haproxy", new long[] {200, 300, 1000});
        Map<String, Double> sameCpu = Map.of("direct", 10.0, "ferry", 90.0, "nginx", 30.0, "haproxy", 25.0);
        for (String target : TARGETS) {
            Latencies l = latencies(same.get(target));
            report.add(
                    Measurement.of("load", "HTTP/1.1", BenchReport.NGINX_HALF, 9_500, target, 1, 9_500, l)
                            .withCpu(1, sameCpu.get(target)),
                    l);
        }
        Map<String, long[]> single = Map.of(
                "direct", new long[] {50, 60, 200},
                "ferry", new long[] {150, 160, 400},
                "nginx", new long[] {90, 100, 300},
                "haproxy", new long[] {80, 90, 250});
        for (String target : TARGETS) {
            Latencies l = latencies(single.get(target));
            report.add(Measurement.of(BenchReport.ONE_CONNECTION, "HTTP/1.1", "", 0, target, 1, 8_000, l), l);
        }
        report.cpuProcesses("ferry", Map.of(41L, "ferry dev (gateway, controller and worker in one JVM)"));
        report.cpuProcesses("ferry", Map.of(42L, "container of examples--hello"));
        report.cpuProcesses("nginx", Map.of(51L, "nginx: nginx: master process", 10L, "backend (direct): java"));
        return report;
    }

    @Test
    void theSideBySideRowsCompareFerryWithNginxAtTheSameLoadOnOneConnectionAndInCpu() {
        String markdown = withTheSideBySideRows().markdown();

        // Medians of rounds: ferry 90, nginx 32; the row follows the throughput it was measured with.
        assertThat(markdown)
                .contains(
                        "| saturation, HTTP/1.1 (req/s) | 20,000 | 19,000 | 18,000 | 17,000 | 0.95 | 1.06 |\n"
                                + "| CPU per request, HTTP/1.1 at saturation (µs) | 11.0 | 90.0 | 32.0 | 26.0 | 8.18 | 2.81 |\n");
        assertThat(markdown)
                .contains(
                        "| p50, HTTP/1.1 at 50% of nginx (9,500 req/s) (µs) | 120 | 350 | 300 | 300 | 2.92 | 1.17 |\n"
                                + "| p99, HTTP/1.1 at 50% of nginx (9,500 req/s) (µs) | 900 | 1,600 | 1,000 | 1,000 | 1.78 | 1.60 |\n"
                                + "| CPU per request, HTTP/1.1 at 50% of nginx (9,500 req/s) (µs) | 10.0 | 90.0 | 30.0 | 25.0 | 9.00 | 3.00 |\n");
        // Added p50: each median minus direct's; no ratio to direct's zero, Ferry's added over nginx's.
        assertThat(markdown)
                .contains("| p50, HTTP/1.1 one connection, closed loop (µs) | 60 | 160 | 100 | 90 | 2.67 | 1.60 |\n"
                        + "| p99, HTTP/1.1 one connection, closed loop (µs) | 200 | 400 | 300 | 250 | 2.00 | 1.33 |\n"
                        + "| added p50 over direct, HTTP/1.1 one connection (µs) | 0 | 100 | 40 | 30 | – | 2.50 |\n");
    }

    @Test
    void cpuRowsAppearOnlyWhereCpuWasMeasured() {
        String markdown = sample().markdown();

        assertThat(markdown).doesNotContain("CPU per request", "one connection", "of nginx");
    }

    @Test
    void theSideBySideGoalsGiveFerrysRatioToNginxAndItsAddedLatency() {
        assertThat(withTheSideBySideRows().goals())
                .containsExactly(
                        "met:    HTTP/1.1 saturation >= nginx's: 19,000 vs 18,000 req/s",
                        "met:    HTTP/1.1 p50 at 50% of nginx (9,500 req/s, every target) <= 1.2 × nginx's: 350 vs 300"
                                + " µs (1.17 ×)",
                        "missed: HTTP/1.1 p99 at 50% of nginx (9,500 req/s, every target) <= 1.5 × nginx's: 1,600 vs"
                                + " 1,000 µs (1.60 ×)",
                        "met:    HTTP/1.1 added p50 over direct on one connection <= 100 µs: 100 µs");
    }

    @Test
    void theSideBySideRowsGoIntoTheJsonAndThePage() throws Exception {
        BenchReport report = withTheSideBySideRows();
        report.writeJson(dir.resolve("bench.json"));
        report.writeHtml(dir.resolve("report.html"), "test run");

        JsonNode json = new ObjectMapper().readTree(dir.resolve("bench.json").toFile());
        JsonNode summary = json.get("summary_medians");
        assertThat(summary.get("saturation|HTTP/1.1|")
                        .get("ferry")
                        .get("cpu_us_per_request")
                        .asDouble())
                .isEqualTo(90);
        assertThat(summary.get("load|HTTP/1.1|50% of nginx")
                        .get("nginx")
                        .get("cpu_us_per_request")
                        .asDouble())
                .isEqualTo(30);
        assertThat(summary.get("one-connection|HTTP/1.1|")
                        .get("ferry")
                        .get("added_p50_us")
                        .asDouble())
                .isEqualTo(100);
        assertThat(summary.get("one-connection|HTTP/1.1|").get("ferry").has("cpu_us_per_request"))
                .isFalse();
        JsonNode measurement = json.get("measurements").get(0);
        assertThat(measurement.get("cpuSeconds").asDouble()).isEqualTo(1.5);
        assertThat(measurement.get("cpuMicrosPerRequest").asDouble()).isEqualTo(12);
        assertThat(json.get("cpu").get("ticks_per_second").asLong()).isPositive();
        assertThat(json.get("cpu")
                        .get("counted_processes")
                        .get("ferry")
                        .get("42")
                        .asText())
                .isEqualTo("container of examples--hello");
        assertThat(json.get("cpu").get("counted_processes").get("nginx")).hasSize(2);

        String html = Files.readString(dir.resolve("report.html"));
        assertThat(html)
                .contains(
                        "<td>CPU per request, HTTP/1.1 at 50% of nginx (9,500 req/s) (µs)</td>",
                        "<td>added p50 over direct, HTTP/1.1 one connection (µs)</td>",
                        "<h2>CPU per request</h2>",
                        "load HTTP/1.1 50% of nginx — CPU µs per request");
        // Saturation bars; CPU bars for saturation and the same load; curves for the same load and one connection.
        assertThat(html.split("<svg", -1)).hasSize(1 + 1 + 2 + 2);
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
