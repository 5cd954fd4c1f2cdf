package dev.ferry.perf.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * One short real run of {@code ferry bench idle --quick}: its own redis-server, a controller, a
 * worker and a gateway as processes, WebSockets and keep-alive connections held through the
 * gateway from several loopback addresses. The harness must hold them, measure the gateway and
 * the container, check a sample of the held connections, write the report and stop everything
 * it started. Whether the figures are good is not judged here, nor any timing: that is the
 * bench's job.
 */
class IdleBenchQuickTest {

    @TempDir
    Path out;

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES) // three JVMs' start and a container's; ~2 min on 2 busy cores
    void aQuickRunHoldsTheConnectionsReportsTheirCostAndStopsEverything() throws Exception {
        BenchCommand.Ran ran = BenchCommand.run(
                "idle",
                "--quick",
                "--keep-alives",
                "400",
                "--websockets",
                "100",
                "--sample",
                "20",
                // Room for a machine busy with other builds: opening is timed by the bench, not judged here.
                "--open-limit",
                "60",
                "--out",
                out.toString());

        assertThat(ran.exit()).isZero();
        assertThat(ran.printed()).contains("# ferry bench idle", "json:    " + out.resolve("idle.json"));
        assertThat(out.resolve("summary.md")).exists();

        JsonNode json = new ObjectMapper().readTree(out.resolve("idle.json").toFile());
        JsonNode counts = json.get("counts");
        assertThat(counts.get("keep_alives_asked").asInt()).isEqualTo(400);
        assertThat(counts.get("websockets_asked").asInt()).isEqualTo(100);
        assertThat(counts.get("scaled_down").isNull())
                .as("500 sockets fit in any limit")
                .isTrue();
        assertThat(counts.get("keep_alives").get("held").asInt()).isEqualTo(400);
        assertThat(counts.get("websockets").get("held").asInt()).isEqualTo(100);

        for (String when : new String[] {"before", "with_websockets", "with_keep_alives_added"}) {
            JsonNode gateway = json.get("gateway").get(when);
            assertThat(gateway.get("rss_kib").asLong()).as(when + ": RSS").isPositive();
            assertThat(gateway.get("heap_used_after_gc_kib").asLong())
                    .as(when + ": heap")
                    .isPositive();
            assertThat(gateway.get("fds").asLong()).as(when + ": fds").isPositive();
        }
        assertThat(json.get("gateway").get("with_keep_alives_added").get("fds").asLong())
                .as("every held socket is a descriptor of the gateway's")
                .isGreaterThanOrEqualTo(
                        json.get("gateway").get("before").get("fds").asLong() + 500);
        JsonNode per = json.get("per_connection");
        for (String figure : new String[] {
            "rss_bytes_per_keep_alive",
            "heap_bytes_per_keep_alive",
            "rss_bytes_per_websocket",
            "heap_bytes_per_websocket"
        }) {
            assertThat(per.get(figure).isNumber()).as(figure).isTrue();
        }
        JsonNode container = json.get("container");
        assertThat(container.get("with_websockets").get("rss_kib").asLong()).isPositive();
        assertThat(container.get("per_websocket").get("threads").isNumber()).isTrue();
        assertThat(container.get("per_websocket").get("rss_bytes").isNumber()).isTrue();

        for (String probe : new String[] {"before", "while_holding"}) {
            JsonNode p = json.get("new_requests").get(probe);
            assertThat(p.get("answered").asLong() + p.get("errors").asLong())
                    .as(probe)
                    .isPositive();
        }
        JsonNode end = json.get("at_the_end");
        assertThat(end.get("keep_alive_check").get("checked").asInt()).isEqualTo(20);
        assertThat(end.get("websocket_check").get("checked").asInt()).isEqualTo(20);
        assertThat(json.get("gateway_after_closing").get("fds").asLong()).isPositive();
        assertThat(json.get("gateway_after_closing").get("client_connections_left_by_state"))
                .isNotNull();
        assertThat(ran.printed()).contains("| keep-alive connections | 400 | 400 |", "| WebSocket (container) |");

        assertThat(BenchCommand.leftovers(out))
                .as("processes the run started, still running")
                .isEmpty();
    }

    @Test
    void countsThatDoNotFitAreScaledDownInProportion() {
        IdleBench.Counts counts = IdleBench.Counts.fitting(50_000, 20_000, 18_000, "limits");
        assertThat(counts.keepAlives()).isEqualTo(12_857);
        assertThat(counts.webSockets()).isEqualTo(5_142);
        assertThat(counts.why()).contains("70000 sockets do not fit in 18000 (limits)");
        assertThat(IdleBench.Counts.fitting(2000, 500, 18_000, "limits").why()).isNull();
    }

    @Test
    void readsTheUsedHeapOfEveryCollectorsAnswer() {
        assertThat(ProcessFigures.usedKib("""
                        garbage-first heap   total reserved 262144K, committed 65536K, used 23456K [0x0, 0x0)
                         region size 1024K, 3 young (3072K), 0 survivors (0K)
                         Metaspace       used 9000K, committed 9216K, reserved 1114112K
                        """)).isEqualTo(23456);
        assertThat(ProcessFigures.usedKib("""
                         def new generation   total 4928K, used 1011K [0x0, 0x0, 0x0)
                         tenured generation   total 10944K, used 2000K [0x0, 0x0, 0x0)
                         Metaspace       used 100K, committed 200K, reserved 1056768K
                          class space    used 10K, committed 20K, reserved 1048576K
                        """)).isEqualTo(3011);
        assertThat(ProcessFigures.usedKib(" ZHeap           used 8M, capacity 16M, max capacity 16M"))
                .isEqualTo(8192);
        assertThat(ProcessFigures.usedKib("nothing")).isEqualTo(-1);
    }

    @Test
    void tooManySourceAddressesAreRefusedBeforeAnythingStarts() {
        BenchCommand.Ran refused = BenchCommand.refused("idle", "--sources", "300", "--out", out.toString());
        assertThat(refused.exit()).isEqualTo(2);
        assertThat(refused.printed()).contains("--sources: 300 (expected: 1..250");
    }
}
