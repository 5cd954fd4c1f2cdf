package dev.ferry.perf.load;

import static org.assertj.core.api.Assertions.fail;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.prefs.Preferences;
import org.slf4j.LoggerFactory;

/**
 * Runs a simulation as {@code ./ferry load} does, for the smoke tests: Gatling in a JVM of its
 * own (it needs {@code --add-opens java.base/java.lang}, which the Gatling Maven plugin gives
 * its JVM and surefire's lacks), quiet and kept off the network, bounded in time.
 */
final class GatlingProcess {

    private static final long RUN_TIMEOUT_SECONDS = 90;

    /** A finished run: Gatling's exit status and what it printed. */
    record Ran(int exit, String log) {}

    private GatlingProcess() {}

    /**
     * Runs {@code simulation} with {@code properties} ({@code -Dname=value} each), its report under
     * {@code results}, its preferences and output under {@code dir}.
     */
    static Ran run(Path dir, Class<?> simulation, List<String> properties, Path results) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>(List.of(
                java,
                "-Xmx512m",
                "--enable-native-access=ALL-UNNAMED",
                "--add-opens=java.base/java.lang=ALL-UNNAMED",
                "-Djava.util.prefs.userRoot=" + dir.resolve("prefs"),
                "-Dgatling.data.enableAnalytics=false"));
        properties.forEach(p -> command.add("-D" + p));
        command.addAll(List.of(
                "-cp",
                classPath,
                Main.class.getName(),
                "--simulation",
                simulation.getName(),
                "--results-folder",
                results.toString()));
        Path output = Files.createTempFile(dir, "gatling-output-", ".txt");
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
        return new Ran(gatling.exitValue(), log);
    }

    /** Gatling's own main, made quiet and kept off the network; exits with Gatling's status. */
    public static final class Main {

        private Main() {}

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
