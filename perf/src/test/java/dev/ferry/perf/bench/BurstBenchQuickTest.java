package dev.ferry.perf.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One short real run of {@code ferry bench burst --quick}: {@code ferry dev} with the example
 * app, a few calls of {@code slow} from zero containers, the admin API sampled meanwhile. The
 * report must exist with figures in it, slow must have had a ready container, and nothing the
 * run started (ferry dev, its containers) may outlive it. Timings are not judged here: they are
 * what the bench is for.
 */
class BurstBenchQuickTest {

    @TempDir
    Path out;

    @Test
    void aQuickRunBurstsFromZeroWritesTheReportAndStopsEverything() throws Exception {
        BenchCommand.Ran ran = BenchCommand.run("burst", "--quick", "--out", out.toString());

        assertThat(ran.exit()).isZero();
        assertThat(ran.printed())
                .contains("json:    " + out.resolve("burst.json"), "plot:    " + out.resolve("containers.svg"));
        String summary = Files.readString(out.resolve("summary.md"));
        assertThat(summary)
                .contains(
                        "# ferry bench burst",
                        "## Burst",
                        "**queue drained**",
                        "## Scale-down",
                        "goal: zero errors during the burst");
        assertThat(out.resolve("latency.hgrm")).isNotEmptyFile();

        JsonNode json = new ObjectMapper().readTree(out.resolve("burst.json").toFile());
        JsonNode burst = json.get("burst");
        assertThat(burst.get("requests").asInt()).as("calls sent").isPositive();
        assertThat(burst.get("requests").asInt())
                .isEqualTo(json.get("settings").get("requests").asInt());
        assertThat(burst.get("zero_containers_before").asBoolean())
                .as("slow at zero before the burst")
                .isTrue();
        assertThat(burst.get("max_ready_containers").asInt())
                .as("slow's containers seen READY")
                .isPositive();
        assertThat(burst.get("queue_drained_s").asDouble()).isPositive();
        assertThat(json.get("samples").size()).as("admin API samples").isPositive();

        // The plot is well-formed SVG with its series in it.
        var svg = DocumentBuilderFactory.newInstance()
                .newDocumentBuilder()
                .parse(out.resolve("containers.svg").toFile());
        assertThat(svg.getDocumentElement().getTagName()).isEqualTo("svg");
        assertThat(svg.getElementsByTagName("polyline").getLength())
                .as("ready, starting, unplaced, stopping, in flight")
                .isEqualTo(5);

        assertThat(BenchCommand.leftovers(out))
                .as("processes the run started, still running")
                .isEmpty();
    }

    @Test
    void aBadRateIsRefusedBeforeAnythingStarts() {
        BenchCommand.Ran refused = BenchCommand.refused("burst", "--rate", "0", "--out", out.toString());
        assertThat(refused.exit()).isEqualTo(2);
        assertThat(refused.printed()).contains("--rate: 0.0 (expected: arrivals per second, > 0 and <= 10000)");
        assertThat(out.resolve("summary.md")).doesNotExist();
    }
}
