package dev.ferry.perf.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * One real run of {@code ferry bench soak --quick}: its own redis-server, a controller, a
 * worker and a gateway as processes, mixed traffic and rolling redeploys. The harness must
 * carry traffic, sample every role, report a slope row for each with its start, end and verdict,
 * write the report and the samples CSV, and stop everything it started. Whether Ferry meets
 * the goals (0 failed calls, flat slopes) is not judged here, nor any timing: that is the
 * bench's job.
 */
class SoakBenchQuickTest {

    @TempDir
    Path out;

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES) // three JVMs' start, priming, 36 s of traffic; ~2 min on 2 busy cores
    void aQuickRunReportsASlopeForEveryRoleAndStopsEverything() throws Exception {
        BenchCommand.Ran ran = BenchCommand.run("soak", "--quick", "--out", out.toString());

        assertThat(ran.exit()).isZero();
        assertThat(ran.printed()).contains("# ferry bench soak", "json:    " + out.resolve("soak.json"));
        assertThat(out.resolve("summary.md")).exists();

        JsonNode json = new ObjectMapper().readTree(out.resolve("soak.json").toFile());
        long calls = 0;
        for (ChaosTraffic.Kind kind : ChaosTraffic.Kind.values()) {
            assertThat(json.get("calls").has(kind.label())).as(kind.label()).isTrue();
            calls += json.get("calls").get(kind.label()).get("calls").asLong();
        }
        assertThat(calls).as("calls sent").isPositive();
        long explained = 0;
        for (JsonNode count : json.get("failures")) {
            explained += count.asLong();
        }
        assertThat(explained)
                .as("every failure has its cause")
                .isEqualTo(json.get("failed").asLong());
        assertThat(json.get("redeploys").size())
                .as("redeploys at 12 s and 24 s")
                .isEqualTo(2);
        assertThat(json.get("intervals").size()).isPositive();

        List<String> roles = new ArrayList<>();
        json.get("slopes").forEach(row -> roles.add(row.get("role").asText()));
        assertThat(roles)
                .startsWith(SoakSampler.GATEWAY, SoakSampler.WORKER, SoakSampler.CONTROLLER)
                .contains(SoakAnalysis.ALL_CONTAINERS)
                .anyMatch(r -> r.startsWith(SoakSampler.CONTAINER_PREFIX));
        for (JsonNode row : json.get("slopes")) {
            String role = row.get("role").asText();
            assertThat(ran.printed()).as("the table's row").contains("| " + role + " | ");
            for (String metric : List.of("rss_mib", "fds", "threads")) {
                JsonNode t = row.get(metric);
                // A machine too busy to sample often leaves too few points for a fit: a verdict all the same.
                assertThat(t.get("verdict").asText())
                        .as(role + " " + metric)
                        .isIn("flat", "growing", "too few samples");
                assertThat(t.has("start") && t.has("end") && t.has("max"))
                        .as(role + " " + metric + ": " + t)
                        .isTrue();
            }
        }
        assertThat(json.get("generations").size()).isPositive();
        assertThat(json.get("goals").size()).isPositive();

        List<String> csv = Files.readAllLines(out.resolve("samples.csv"));
        assertThat(csv.getFirst())
                .isEqualTo("t_s,role,pid,container,function,version,state,rss_kib,threads,fds,heap_after_gc_kib");
        assertThat(csv).anyMatch(l -> l.contains("," + SoakSampler.GATEWAY + ","));
        assertThat(csv).anyMatch(l -> l.contains("," + SoakSampler.CONTAINER_PREFIX));

        assertThat(BenchCommand.leftovers(out))
                .as("processes the run started, still running")
                .isEmpty();
    }

    @Test
    void aWarmUpAsLongAsTheRunIsRefusedBeforeAnythingStarts() {
        BenchCommand.Ran refused =
                BenchCommand.refused("soak", "--duration", "1m", "--warmup", "2m", "--out", out.toString());
        assertThat(refused.exit()).isEqualTo(2);
        assertThat(refused.printed()).contains("--warmup: 2m (expected: shorter than --duration, 1m)");
    }
}
