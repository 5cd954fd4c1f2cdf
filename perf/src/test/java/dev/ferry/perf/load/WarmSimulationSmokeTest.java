package dev.ferry.perf.load;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the warm simulation for real, as {@code ./ferry load warm} does ({@link GatlingProcess}):
 * a warm-up GET and then 5 GETs a second for 2 seconds against a
 * server of this test's on 127.0.0.1; then checks that all 11 arrived and that Gatling wrote its
 * HTML report.
 */
class WarmSimulationSmokeTest {

    @TempDir
    Path dir;

    @Test
    void warmRunsAgainstALocalServerAndWritesAReport() throws Exception {
        AtomicInteger requests = new AtomicInteger();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            requests.incrementAndGet();
            byte[] body = "ok\n".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        Path results = dir.resolve("gatling");
        try {
            GatlingProcess.Ran ran = GatlingProcess.run(
                    dir,
                    WarmSimulation.class,
                    List.of(
                            LoadSettings.URL + "=http://127.0.0.1:"
                                    + server.getAddress().getPort() + "/hello",
                            LoadSettings.RATE + "=5",
                            LoadSettings.DURATION + "=2s"),
                    results);
            String log = ran.log();

            assertThat(ran.exit())
                    .as("Gatling's exit status; its output:\n%s", log)
                    .isZero();
            assertThat(requests).as("the warm-up GET, then 5/s for 2s").hasValue(11);
            assertThat(log).contains("ferry load: warm: GET http://127.0.0.1:").contains("at 5/s for 2s");
            List<Path> runs;
            try (Stream<Path> list = Files.list(results)) {
                runs = list.filter(Files::isDirectory).toList();
            }
            assertThat(runs).singleElement().satisfies(run -> {
                assertThat(run.getFileName().toString()).startsWith("warmsimulation-");
                assertThat(run.resolve("index.html")).isNotEmptyFile();
                assertThat(run.resolve("simulation.log")).isNotEmptyFile();
            });
        } finally {
            server.stop(0);
        }
    }
}
