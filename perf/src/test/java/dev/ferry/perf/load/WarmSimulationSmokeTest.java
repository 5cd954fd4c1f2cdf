package dev.ferry.perf.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import com.sun.net.httpserver.HttpServer;
import java.io.File;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.prefs.Preferences;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Runs the warm simulation for real, as {@code ./ferry load warm} does: Gatling in a JVM of its
 * own (it needs {@code --add-opens java.base/java.lang}, which the Gatling Maven plugin gives
 * its JVM and surefire's lacks), a warm-up GET and then 5 GETs a second for 2 seconds against a
 * server of this test's on 127.0.0.1; then checks that all 11 arrived and that Gatling wrote its
 * HTML report.
 */
class WarmSimulationSmokeTest {

    private static final long RUN_TIMEOUT_SECONDS = 90;

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
        Path output = dir.resolve("gatling-output.txt");
        try {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
            List<String> command = new ArrayList<>(List.of(java,
                    "-Xmx512m",
                    "--enable-native-access=ALL-UNNAMED",
                    "--add-opens=java.base/java.lang=ALL-UNNAMED",
                    "-Djava.util.prefs.userRoot=" + dir.resolve("prefs"),
                    "-Dgatling.data.enableAnalytics=false",
                    "-D" + LoadSettings.URL + "=http://127.0.0.1:" + server.getAddress().getPort() + "/hello",
                    "-D" + LoadSettings.RATE + "=5",
                    "-D" + LoadSettings.DURATION + "=2s",
                    "-cp", classPath,
                    GatlingMain.class.getName(),
                    "--simulation", WarmSimulation.class.getName(),
                    "--results-folder", results.toString()));
            Process gatling = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            if (!gatling.waitFor(RUN_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                gatling.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                fail("Gatling ran past " + RUN_TIMEOUT_SECONDS + "s:\n" + Files.readString(output));
            }
            String log = Files.readString(output);
            System.out.println(log);

            assertThat(gatling.exitValue()).as("Gatling's exit status; its output:\n%s", log).isZero();
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

    /** Gatling's own main, made quiet and kept off the network; exits with Gatling's status. */
    public static final class GatlingMain {

        private GatlingMain() {}

        public static void main(String[] args) throws Exception {
            // logback without a configuration logs everything, at DEBUG.
            ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).setLevel(Level.WARN);
            // Gatling asks Maven Central for its latest version unless it did lately, which it keeps
            // in the user's preferences (here, the test's own directory): a check just done, failed.
            Preferences node = Preferences.userRoot().node("/io/gatling/latestVersion");
            node.putLong("lastCheckTimestamp", System.currentTimeMillis());
            node.putBoolean("lastCheckSuccess", false);
            node.flush();
            System.exit(io.gatling.app.Gatling$.MODULE$.fromArgs(args));
        }
    }
}
