package dev.ferry.perf.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * One short real run of {@code ferry bench chaos --quick}: its own redis-server, two
 * controllers, two workers and two gateways as processes, traffic of every kind, and every
 * fault injected in turn. The harness must carry traffic, report a row for each fault with
 * its calls and the cause of each failure, write the report and stop everything it started.
 * Whether Ferry meets the goals is not judged here, nor any timing: that is the bench's job.
 */
class ChaosBenchQuickTest {

    @TempDir
    Path out;

    @Test
    @Timeout(value = 8, unit = TimeUnit.MINUTES) // six JVMs' start, nine faults, three restarts; ~3 min on 2 busy cores
    void aQuickRunReportsARowForEveryFaultAndStopsEverything() throws Exception {
        BenchCommand.Ran ran = BenchCommand.run(
                "chaos",
                "--quick",
                "--warmup",
                "2",
                "--steady",
                "2.5",
                "--quiet",
                "1.5",
                "--recovery-limit",
                "8",
                "--stop-for",
                "2",
                "--full-for",
                "1",
                "--out",
                out.toString());

        assertThat(ran.exit()).isZero();
        assertThat(ran.printed()).contains("# ferry bench chaos", "json:    " + out.resolve("chaos.json"));
        assertThat(out.resolve("summary.md")).exists();

        JsonNode json = new ObjectMapper().readTree(out.resolve("chaos.json").toFile());
        List<String> faults = new ArrayList<>();
        json.get("faults").forEach(f -> faults.add(f.get("fault").asText()));
        assertThat(faults).containsExactlyElementsOf(ChaosBench.FAULTS);
        for (JsonNode row : json.get("faults")) {
            String fault = row.get("fault").asText();
            assertThat(ran.printed()).as("the table's row").contains("| " + fault + " | ");
            assertThat(row.get("calls").asLong()).as(fault + ": calls").isPositive();
            long failed = row.get("failed").asLong();
            long explained = 0;
            for (JsonNode count : row.get("failures")) {
                explained += count.asLong();
            }
            assertThat(explained).as(fault + ": every failure has its cause").isEqualTo(failed);
            assertThat(row.get("full_service_after_s_by_kind").size()).isEqualTo(4);
        }
        assertThat(json.get("warmup").get("calls").asLong()).isPositive();
        assertThat(json.get("timeline").size()).isPositive();
        assertThat(json.get("goals").size()).isPositive();

        assertThat(BenchCommand.leftovers(out))
                .as("processes the run started, still running")
                .isEmpty();
    }

    @Test
    void anUnknownFaultIsRefusedBeforeAnythingStarts() {
        BenchCommand.Ran refused =
                BenchCommand.refused("chaos", "--faults", "kill-worker,nope", "--out", out.toString());
        assertThat(refused.exit()).isEqualTo(2);
        assertThat(refused.printed()).contains("--faults: nope (expected: some of redeploy, kill-container");
    }
}
