package dev.ferry.perf.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One short real run of {@code ferry bench --quick}, with tiny durations: every target is
 * started, measured and stopped, and the report has them all with sane numbers. Timings are
 * not judged here; they are what the bench is for.
 */
class BenchQuickTest {

    private static final List<String> TARGETS = List.of("direct", "ferry", "nginx", "haproxy");

    @TempDir
    Path out;

    @Test
    void aQuickRunMeasuresEveryTargetAndWritesTheReport() throws Exception {
        BenchCommand.Ran ran = BenchCommand.run(
                "--quick",
                "--duration",
                "0.4",
                "--warmup",
                "0.3",
                "--cold-starts",
                "1",
                "--sse-trials",
                "2",
                "--connections",
                "8",
                "--streams",
                "8",
                "--websockets",
                "2",
                "--out",
                out.toString());
        int exit = ran.exit();
        String printed = ran.printed();

        assertThat(exit).isZero();
        assertThat(printed)
                .startsWith("| measure | direct | ferry | nginx | haproxy | ferry / direct | ferry / nginx |")
                .contains(
                        "saturation, HTTP/1.1",
                        "saturation, HTTP/2",
                        "p99, HTTP/2 at 75% of direct",
                        "p50, HTTP/1.1 at 50% of own saturation",
                        "cold start p50",
                        "WebSocket echo",
                        "SSE time to first event",
                        "report: " + out.resolve("report.html"));
        assertThat(out.resolve("report.html")).exists();
        assertThat(out.resolve("summary.md")).exists();

        JsonNode summary =
                new ObjectMapper().readTree(out.resolve("bench.json").toFile()).get("summary_medians");
        for (String protocol : List.of("HTTP/1.1", "HTTP/2")) {
            for (String target : TARGETS) {
                JsonNode saturation =
                        summary.get("saturation|" + protocol + "|").get(target);
                assertThat(saturation.get("throughput").asDouble())
                        .as(target + " " + protocol + " saturation")
                        .isPositive();
                JsonNode at25 = summary.get("load|" + protocol + "|25%").get(target);
                assertThat(at25.get("p50_us").asDouble())
                        .as(target + " " + protocol + " p50")
                        .isBetween(1.0, 60_000_000.0);
            }
        }
        assertThat(summary.get("cold-start|HTTP/1.1|")
                        .get("ferry")
                        .get("p50_us")
                        .asDouble())
                .isPositive();
        assertThat(summary.get("websocket|WebSocket|")
                        .get("ferry")
                        .get("throughput")
                        .asDouble())
                .isPositive();
        assertThat(summary.get("websocket|WebSocket|")
                        .get("direct")
                        .get("throughput")
                        .asDouble())
                .isPositive();
        assertThat(summary.get("sse|SSE|").get("ferry").get("p50_us").asDouble())
                .isPositive();
        assertThat(Files.readString(out.resolve("report.html"))).contains("<svg");
    }
}
