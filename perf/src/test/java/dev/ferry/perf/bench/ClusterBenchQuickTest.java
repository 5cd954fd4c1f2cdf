package dev.ferry.perf.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One short real run of {@code ferry bench cluster --quick}: its own redis-server, a cluster of
 * a controller, a worker and two gateways, then {@code ferry dev} on each store. Every part
 * must produce sane figures and the report, Redis must come back from its kill with its data,
 * and nothing the run started may outlive it. Timings are not judged here, nor the goals:
 * they are what the bench is for.
 */
class ClusterBenchQuickTest {

    @TempDir
    Path out;

    @Test
    void aQuickRunMeasuresEveryPartWritesTheReportAndStopsEverything() throws Exception {
        BenchCommand.Ran ran = BenchCommand.run(
                "cluster",
                "--quick",
                "--trials",
                "10",
                "--connections",
                "4",
                "--before",
                "1.5",
                "--outage",
                "3",
                "--after",
                "2",
                "--out",
                out.toString());
        int exit = ran.exit();
        String printed = ran.printed();

        assertThat(exit).isZero();
        assertThat(printed)
                .contains(
                        "## 1. Route propagation to 2 gateways",
                        "## 2. hello throughput",
                        "## 3. Redis outage under load",
                        "## 4. Token revocation to 2 gateways",
                        "goal: route change reaches every gateway",
                        "goal: no failed request while Redis is down",
                        "json:    " + out.resolve("cluster.json"));
        assertThat(out.resolve("summary.md")).exists();
        assertThat(out.resolve("propagation-gateway-1.hgrm")).exists();
        assertThat(out.resolve("propagation-all-gateways.hgrm")).exists();

        JsonNode json = new ObjectMapper().readTree(out.resolve("cluster.json").toFile());
        JsonNode propagation = json.get("propagation");
        assertThat(propagation.get("trials").asInt()).isEqualTo(10);
        JsonNode all = propagation.get("all_gateways_from_put");
        assertThat(all.get("count").asLong() + all.get("failed").asLong()).isEqualTo(10);
        assertThat(all.get("count").asLong()).as("trials seen on every gateway").isPositive();
        assertThat(all.get("p50_ms").asDouble()).isBetween(0.001, 5_000.0);
        for (String gateway : List.of("gateway-1", "gateway-2")) {
            assertThat(propagation.get("per_gateway").get(gateway).get("polls").asLong())
                    .isGreaterThanOrEqualTo(10);
        }

        JsonNode revocation = json.get("revocation");
        assertThat(revocation.get("trials").asInt()).isEqualTo(5);
        assertThat(revocation.get("not_ready").asInt()).isZero();
        assertThat(revocation.get("failed_deletes").asInt()).isZero();
        JsonNode refused = revocation.get("all_gateways_from_delete");
        assertThat(refused.get("count").asLong() + refused.get("failed").asLong())
                .isEqualTo(5);
        assertThat(refused.get("count").asLong())
                .as("revocations seen on every gateway")
                .isPositive();
        assertThat(refused.get("p50_ms").asDouble()).isBetween(0.001, 5_000.0);
        assertThat(out.resolve("revocation-gateway-2.hgrm")).exists();

        JsonNode throughput = json.get("throughput");
        assertThat(throughput.get("memory").get("median_requests_per_second").asDouble())
                .isPositive();
        assertThat(throughput.get("redis").get("median_requests_per_second").asDouble())
                .isPositive();
        assertThat(throughput.get("ratio_redis_to_memory").asDouble()).isPositive();

        JsonNode outage = json.get("outage");
        assertThat(outage.get("keys_before_kill").asLong()).isPositive();
        assertThat(outage.get("keys_after_restart").asLong())
                .as("Redis came back with its data")
                .isPositive();
        outage.get("keys_lost_with_ttl_ms_before_kill")
                .properties()
                .forEach(lost -> assertThat(lost.getValue().asLong())
                        .as("key " + lost.getKey()
                                + " had a time to live (it may expire while Redis is down), else it is lost data")
                        .isNotNegative());
        assertThat(outage.get("redis_down_s").asDouble()).isBetween(2.5, 10.0);
        assertThat(outage.get("requests").asLong()).isPositive();
        assertThat(outage.get("phases").get("before").get("count").asLong()).isPositive();
        assertThat(outage.get("timeline").size()).isGreaterThanOrEqualTo(6);

        assertThat(BenchCommand.leftovers(out))
                .as("processes the run started, still running")
                .isEmpty();
    }

    @Test
    void anUnknownPartIsRefusedBeforeAnythingStarts() {
        BenchCommand.Ran refused =
                BenchCommand.refused("cluster", "--parts", "propagation,nope", "--out", out.toString());
        assertThat(refused.exit()).isEqualTo(2);
        assertThat(refused.printed())
                .contains("--parts: nope (expected: some of propagation, throughput, outage, revocation)");
    }
}
