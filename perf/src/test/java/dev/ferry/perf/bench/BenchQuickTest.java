package dev.ferry.perf.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * One short real run of {@code ferry bench --quick}, with tiny durations: every target is
 * started, measured and stopped, and the report has them all with sane numbers; then the
 * start-up rows on two {@code ferry dev} variants, one passing an option {@code ferry dev} does
 * not know (it is passed through, and refused) and one passing nothing. Timings are not judged
 * here; they are what the bench is for.
 */
class BenchQuickTest {

    private static final List<String> TARGETS = List.of("direct", "ferry", "nginx", "haproxy");

    @TempDir
    Path out;

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES) // two parts, each about a minute on 2 busy cores
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
                "--variant",
                "unknown-option=--bench-no-such-option 1",
                "--variant",
                "plain=",
                "--deploys",
                "1",
                "--ls-runs",
                "2",
                "--cli",
                "jar", // ./ferry would build first where perf's jar is not packaged yet, as under surefire
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
                        "CPU per request, HTTP/1.1 at saturation (µs)",
                        "CPU per request, HTTP/2 at saturation (µs)",
                        "p50, HTTP/1.1 at 50% of nginx (",
                        "p99, HTTP/2 at 50% of nginx (",
                        "CPU per request, HTTP/1.1 at 50% of nginx (",
                        "p50, HTTP/1.1 one connection, closed loop (µs)",
                        "added p50 over direct, HTTP/1.1 one connection (µs)",
                        "HTTP/1.1 p50 at 50% of nginx (",
                        "HTTP/1.1 added p50 over direct on one connection <= 100 µs: ",
                        "WebSocket echo",
                        "SSE time to first event",
                        "| authenticated call (issue 16), HTTP/1.1 one connection, closed loop |",
                        "whoami called with a token of scope call made for the run (hello 200, whoami without a"
                                + " token 401, with the token 200 \"Hello, bench!\")",
                        "| start-up (issue 14) | unknown-option | plain | goal |",
                        "| `ferry dev` arguments added | --bench-no-such-option 1 | (none) | |",
                        "first start after `ferry dev` (ms)",
                        "cold start p50 (ms)",
                        "cold start p99 (ms)",
                        "warm-up: first 250 ms, share of warm",
                        "warm-up: first second, share of warm",
                        "warm-up: time to 80 % of warm (ms)",
                        "deploy to first 200 from the new version, median (ms)",
                        "`ferry ls`, median (ms)",
                        "idle `hello` container RSS (MiB)",
                        "idle pool member RSS (MiB)",
                        "unknown-option: `ferry dev --bench-no-such-option 1` did not start: Unknown options: '--bench-no-such-option'",
                        "cold start p50 <= 50 ms: ",
                        "deploy to first 200 <= 750 ms: ",
                        "ferry ls <= 200 ms: ",
                        "idle container RSS <= 64 MiB: ",
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
                // Ticks of 10 ms: a target under full load for 0.4 s uses some; at half of nginx's rate, maybe none.
                assertThat(saturation.get("cpu_us_per_request").asDouble())
                        .as(target + " " + protocol + " CPU per request at saturation")
                        .isPositive();
                JsonNode same =
                        summary.get("load|" + protocol + "|50% of nginx").get(target);
                assertThat(same.get("p50_us").asDouble())
                        .as(target + " " + protocol + " p50 at half of nginx's saturation")
                        .isBetween(1.0, 60_000_000.0);
                assertThat(same.get("cpu_us_per_request").asDouble())
                        .as(target + " " + protocol + " CPU per request at half of nginx's saturation")
                        .isGreaterThanOrEqualTo(0);
            }
        }
        for (String target : TARGETS) {
            assertThat(summary.get("one-connection|HTTP/1.1|")
                            .get(target)
                            .get("p50_us")
                            .asDouble())
                    .as(target + " p50 on one connection")
                    .isBetween(1.0, 60_000_000.0);
        }
        JsonNode auth =
                new ObjectMapper().readTree(out.resolve("bench.json").toFile()).get("auth");
        for (String kind : List.of("open", "authenticated")) {
            assertThat(auth.get(kind).get("p50_us").asDouble())
                    .as(kind + " call p50 on one connection")
                    .isBetween(1.0, 60_000_000.0);
            assertThat(auth.get(kind).get("failed").asLong())
                    .as(kind + " calls failed")
                    .isZero();
        }
        assertThat(auth.get("added_p50_us").isNumber()).isTrue();
        JsonNode counted = new ObjectMapper()
                .readTree(out.resolve("bench.json").toFile())
                .get("cpu")
                .get("counted_processes");
        assertThat(counted.get("ferry").toString()).contains("ferry dev (gateway", "container of examples--hello");
        assertThat(counted.get("nginx").toString()).contains("backend (direct)");
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
        assertThat(Files.readString(out.resolve("report.html"))).contains("<svg", "Warm-up of a new container");

        JsonNode variants = new ObjectMapper()
                .readTree(out.resolve("bench.json").toFile())
                .get("startup")
                .get("variants");
        assertThat(variants).hasSize(2);
        JsonNode refused = variants.get(0);
        assertThat(refused.get("started").asBoolean()).isFalse();
        assertThat(refused.get("not_started").asText()).contains("--bench-no-such-option");
        JsonNode plain = variants.get(1);
        assertThat(plain.get("failures")).as("failed trials").isEmpty();
        assertThat(plain.get("first_start_ms").asDouble()).isPositive();
        assertThat(plain.get("cold_start").get("p50_ms").asDouble()).isPositive();
        assertThat(plain.get("cold_start").get("p99_ms").asDouble()).isPositive();
        JsonNode warmUp = plain.get("warm_up");
        assertThat(warmUp.get("warm_rate").asDouble()).isPositive();
        assertThat(warmUp.get("first_window_share").isNumber()).isTrue();
        assertThat(warmUp.get("first_second_share").isNumber()).isTrue();
        assertThat(warmUp.get("rates_per_window")).isNotEmpty();
        assertThat(warmUp.get("containers").asInt())
                .as("containers of the new version")
                .isEqualTo(1);
        assertThat(plain.get("deploy_to_first_200").get("median_ms").asDouble()).isPositive();
        assertThat(plain.get("ferry_ls").get("median_ms").asDouble()).isPositive();
        assertThat(plain.get("memory").get("idle_container").get("rss_kib").asLong())
                .isPositive();
        assertThat(plain.get("memory").get("idle_pool_members").isArray()).isTrue();
        assertThat(BenchCommand.leftovers(out)).as("processes left running").isEmpty();
    }
}
