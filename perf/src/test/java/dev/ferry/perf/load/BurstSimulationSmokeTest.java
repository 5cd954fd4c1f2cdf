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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the burst simulation for real, as {@code ./ferry load burst} does (Gatling in a JVM of
 * its own; see {@link GatlingProcess}): 1 s of nothing, then 5 GETs a second for 2
 * seconds against a server of this test's on 127.0.0.1 that, like the example {@code slow}
 * function, answers after {@code ?ms=}. Every one of the 10 must arrive and the run must pass;
 * a single 503 among them must fail it, since a burst's goal is no error at all.
 */
class BurstSimulationSmokeTest {

    @TempDir
    Path dir;

    @Test
    void burstIdlesThenStepsToTheRateAndPassesWhenEveryCallSucceeds() throws Exception {
        Run run = run(-1);
        assertThat(run.exit())
                .as("Gatling's exit status; its output:\n%s", run.log())
                .isZero();
        assertThat(run.requests()).as("5/s for 2s after the idle second").isEqualTo(10);
        assertThat(run.log())
                .contains("ferry load: burst: nothing for 1s, then GET http://127.0.0.1:")
                .contains("at 5/s for 2s");
        List<Path> runs;
        try (Stream<Path> list = Files.list(dir.resolve("gatling"))) {
            runs = list.filter(Files::isDirectory).toList();
        }
        assertThat(runs).singleElement().satisfies(r -> {
            assertThat(r.getFileName().toString()).startsWith("burstsimulation-");
            assertThat(r.resolve("index.html")).isNotEmptyFile();
        });
    }

    @Test
    void oneFailedCallFailsTheBurst() throws Exception {
        Run run = run(3);
        assertThat(run.requests()).isEqualTo(10);
        assertThat(run.exit())
                .as("Gatling's exit status with one 503 of 10; its output:\n%s", run.log())
                .isNotZero();
    }

    private record Run(int exit, int requests, String log) {}

    /** Runs the simulation against a local server that answers the {@code failing}-th request (1-based; -1: none) with 503. */
    private Run run(int failing) throws Exception {
        AtomicInteger requests = new AtomicInteger();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        server.setExecutor(executor);
        server.createContext("/", exchange -> {
            int n = requests.incrementAndGet();
            String query = exchange.getRequestURI().getQuery();
            try {
                Thread.sleep(
                        query != null && query.startsWith("ms=")
                                ? Long.parseLong(query.substring(3))
                                : 0); // the handler's work, as slow's
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            int status = n == failing ? 503 : 200;
            byte[] body = (status == 200 ? "slept\n" : "no container\n").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        try {
            GatlingProcess.Ran ran = GatlingProcess.run(
                    dir,
                    BurstSimulation.class,
                    List.of(
                            LoadSettings.URL + "=http://127.0.0.1:"
                                    + server.getAddress().getPort() + "/?ms=200",
                            LoadSettings.RATE + "=5",
                            LoadSettings.DURATION + "=2s",
                            LoadSettings.IDLE + "=1s"),
                    dir.resolve("gatling" + (failing < 0 ? "" : "-failing")));
            return new Run(ran.exit(), requests.get(), ran.log());
        } finally {
            server.stop(0);
            executor.close();
        }
    }
}
