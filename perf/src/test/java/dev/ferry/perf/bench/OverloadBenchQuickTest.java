package dev.ferry.perf.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * One short real run of {@code ferry bench overload --quick}: its own redis-server, a
 * controller, a worker and a gateway as processes, the saturation run, the open-loop spells
 * and slow-header connections. The harness must offer load, report every figure the issue
 * asks for, write the report and stop everything it started. Whether Ferry meets the goals is
 * not judged here, nor any timing: that is the bench's job.
 */
class OverloadBenchQuickTest {

    @TempDir
    Path out;

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES) // three JVMs' start and ~30 s of traffic; ~1 min on 2 quiet cores
    void aQuickRunReportsEveryFigureAndStopsEverything() throws Exception {
        BenchCommand.Ran ran = BenchCommand.run(
                "overload",
                "--quick",
                "--saturation",
                "2",
                "--baseline",
                "2",
                "--overload",
                "4",
                "--recovery",
                "3",
                "--slowloris",
                "200",
                "--slowloris-hold",
                "2",
                "--out",
                out.toString());

        assertThat(ran.exit()).isZero();
        assertThat(ran.printed()).contains("# ferry bench overload", "json:    " + out.resolve("overload.json"));
        assertThat(out.resolve("summary.md")).exists();

        JsonNode json = new ObjectMapper().readTree(out.resolve("overload.json").toFile());
        assertThat(json.get("saturation").get("per_s").asDouble()).isPositive();
        for (String name : List.of("baseline", "overload", "recovery")) {
            JsonNode spell = json.get("spells").get(name);
            assertThat(spell).as(name).isNotNull();
            assertThat(ran.printed()).as("the table's row").contains("| " + name + " | ");
            assertThat(spell.get("requests").asLong()).as(name + ": requests").isPositive();
            for (String figure : List.of(
                    "offered_per_s",
                    "sent_per_s_achieved",
                    "admitted_2xx",
                    "admitted_latency_ms",
                    "refused_503",
                    "refused_with_retry_after",
                    "refused_503_reasons",
                    "time_to_503_ms",
                    "other_errors",
                    "gateway")) {
                assertThat(spell.has(figure)).as(name + ": " + figure).isTrue();
            }
        }
        JsonNode overload = json.get("spells").get("overload");
        assertThat(overload.get("admitted_latency_ms").has("p99")).isTrue();
        assertThat(overload.get("time_to_503_ms").has("p99")).isTrue();
        JsonNode recovery = json.get("recovery");
        for (String figure : List.of("throughput_back_after_s", "success_back_after_s", "latency_back_after_s")) {
            assertThat(recovery.has(figure)).as(figure).isTrue();
        }
        JsonNode memory = json.get("gateway_memory");
        assertThat(memory.get("samples").asInt()).isPositive();
        assertThat(memory.get("rss_peak_mib").asDouble()).isPositive();
        assertThat(memory.has("heap_used_peak_mib")).isTrue();
        assertThat(memory.has("heap_committed_peak_mib")).isTrue();
        assertThat(json.get("timeline_100ms").size()).isPositive();

        JsonNode loris = json.get("slowloris");
        assertThat(loris.get("opened").asLong()).isPositive();
        assertThat(loris.get("normal_traffic").get("requests").asLong()).isPositive();
        assertThat(loris.has("ended_by_the_gateway")).isTrue();
        assertThat(loris.get("gateway_while_open").get("rss_peak_mib").isNumber())
                .isTrue();
        assertThat(json.get("goals").size()).isPositive();

        assertThat(BenchCommand.leftovers(out))
                .as("processes the run started, still running")
                .isEmpty();
    }

    @Test
    void aFactorOfZeroIsRefusedBeforeAnythingStarts() {
        BenchCommand.Ran refused = BenchCommand.refused("overload", "--factor", "0", "--out", out.toString());
        assertThat(refused.exit()).isEqualTo(2);
        assertThat(refused.printed()).contains("--factor: 0.0 (expected:");
    }
}
