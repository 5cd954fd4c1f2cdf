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
 * One short real run of {@code ferry bench workers --quick}: a container started in each
 * sandbox, then a cluster of two workers on a redis-server of its own, one of which is killed
 * with SIGKILL. Both parts must produce figures, the replacement must be on the other worker,
 * and nothing the run started (the orphaned container included) may outlive it. Timings are
 * not judged here: they are what the bench is for. Needs bwrap, runc and root, as the
 * worker's sandbox tests do.
 */
class WorkersBenchQuickTest {

    @TempDir
    Path out;

    @Test
    void aQuickRunMeasuresSandboxStartsAndHealingAndStopsEverything() throws Exception {
        BenchCommand.Ran ran = BenchCommand.run("workers", "--quick", "--starts", "1", "--out", out.toString());
        int exit = ran.exit();
        String printed = ran.printed();

        assertThat(exit).isZero();
        String summary = Files.readString(out.resolve("summary.md"));
        assertThat(summary)
                .contains(
                        "## 1. Sandbox start cost",
                        "| process |",
                        "| bwrap |",
                        "| runc |",
                        "## 2. Healing after kill -9 of a worker",
                        "| **median** |");
        assertThat(printed).contains("json:    " + out.resolve("workers.json"));

        JsonNode json = new ObjectMapper().readTree(out.resolve("workers.json").toFile());
        for (String sandbox : List.of("process", "bwrap", "runc")) {
            JsonNode s = json.get("sandboxes").get(sandbox);
            assertThat(s.get("ready_ms").size()).as(sandbox + " starts").isEqualTo(1);
            assertThat(s.get("ready_p50_ms").asDouble())
                    .as(sandbox + " launch to ready")
                    .isBetween(1.0, 60_000.0);
            assertThat(s.get("stopped_p50_ms").asDouble())
                    .as(sandbox + " stop to exited")
                    .isBetween(0.0, 30_000.0);
        }

        JsonNode healing = json.get("healing");
        assertThat(healing.get("trials").size()).isEqualTo(1);
        JsonNode trial = healing.get("trials").get(0);
        assertThat(trial.get("killed").asText()).isIn("worker-a", "worker-b");
        assertThat(trial.get("orphans").asInt())
                .as("the killed worker's container, orphaned")
                .isPositive();
        assertThat(trial.get("lostMs").asDouble())
                .as("controller declared the worker lost")
                .isBetween(1.0, 60_000.0);
        assertThat(trial.get("servingMs").asDouble())
                .as("hello served by the replacement")
                .isBetween(1.0, 60_000.0);
        assertThat(trial.get("newContainerWorker").asText())
                .isEqualTo(trial.get("survivor").asText());
        assertThat(trial.get("oldContainers").toString())
                .doesNotContain(trial.get("newContainer").asText());
        assertThat(trial.get("rejoinMs").asDouble())
                .as("the killed worker, started again, listed")
                .isPositive();
        assertThat(healing.get("median_serving_again_ms").asDouble())
                .isEqualTo(trial.get("servingMs").asDouble());

        assertThat(BenchCommand.leftovers(out))
                .as("processes the run started, still running")
                .isEmpty();
    }

    @Test
    void anUnknownPartIsRefusedBeforeAnythingStarts() {
        BenchCommand.Ran refused =
                BenchCommand.refused("workers", "--parts", "sandboxes,nope", "--out", out.toString());
        assertThat(refused.exit()).isEqualTo(2);
        assertThat(refused.printed()).contains("--parts: nope (expected: some of sandboxes, healing)");
    }
}
