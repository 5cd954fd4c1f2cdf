package dev.ferry.logging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FerryLoggingTest {

    @AfterEach
    void backToTheDefaults() {
        System.clearProperty("ferry.log.level");
        FerryLogging.install("test");
    }

    @Test
    void namesTheRoleOfEachPackageInAProcessOfSeveralRoles() {
        assertThat(FerryLogging.roleOf("dev.ferry.gateway.HttpExchange", "dev")).isEqualTo("gateway");
        assertThat(FerryLogging.roleOf("dev.ferry.controller.Lease", "dev")).isEqualTo("controller");
        assertThat(FerryLogging.roleOf("dev.ferry.autoscaler.Autoscaler", "dev"))
                .isEqualTo("controller");
        assertThat(FerryLogging.roleOf("dev.ferry.scheduler.Scheduler", "dev")).isEqualTo("controller");
        assertThat(FerryLogging.roleOf("dev.ferry.worker.WorkerAgent", "dev")).isEqualTo("worker");
        assertThat(FerryLogging.roleOf("dev.ferry.routing.RedisRoutingStore", "dev"))
                .isEqualTo("store");
        assertThat(FerryLogging.roleOf("io.lettuce.core.RedisClient", "dev")).isEqualTo("store");
        assertThat(FerryLogging.roleOf("dev.ferry.cli.DevStack", "dev")).isEqualTo("dev");
        assertThat(FerryLogging.roleOf("io.netty.channel.DefaultChannelPipeline", "dev"))
                .isEqualTo("dev");
        assertThat(FerryLogging.roleOf("dev.ferry.gatewayish.X", "dev"))
                .as("a package, not a prefix")
                .isEqualTo("dev");
    }

    @Test
    void writesSystemLoggerRecordsToTheStandardErrorOfTheMoment() {
        FerryLogging.install("controller");
        String out = capturingStandardError(() -> {
            System.Logger logger = System.getLogger("dev.ferry.logging.test.Lease");
            logger.log(System.Logger.Level.INFO, "controller c1 is the leader");
            logger.log(System.Logger.Level.DEBUG, "not at INFO");
        });

        assertThat(out)
                .matches(
                        "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z INFO  controller  controller c1 is the leader\\R");
    }

    @Test
    void takesTheLevelsOfTheSetting() {
        System.setProperty("ferry.log.level", "WARNING,dev.ferry.logging.test.chatty=DEBUG");
        FerryLogging.install("worker");
        String out = capturingStandardError(() -> {
            System.getLogger("dev.ferry.logging.test.quiet").log(System.Logger.Level.INFO, "not at WARNING");
            System.getLogger("dev.ferry.logging.test.chatty").log(System.Logger.Level.DEBUG, "chatty at DEBUG");
            Logger.getLogger("io.netty.test").log(Level.INFO, "netty at INFO");
        });

        assertThat(out)
                .doesNotContain("not at WARNING")
                .contains("DEBUG worker      chatty at DEBUG")
                .doesNotContain("netty");
    }

    @Test
    void refusesABadLevelSettingAndKeepsWhatWasSet() {
        FerryLogging.install("gateway");
        System.setProperty("ferry.log.level", "LOUD");

        assertThatThrownBy(() -> FerryLogging.install("gateway"))
                .hasMessageStartingWith("ferry.log.level: \"LOUD\" (expected: ERROR, WARNING, INFO, DEBUG or TRACE");
        String out = capturingStandardError(() -> System.getLogger("x").log(System.Logger.Level.INFO, "still logging"));
        assertThat(out).contains("INFO  gateway     still logging");
    }

    @Test
    void refusesARoleThatIsNotAWord() {
        assertThatThrownBy(() -> FerryLogging.install("")).hasMessage("role: \"\" (expected: a word, such as gateway)");
        assertThatThrownBy(() -> FerryLogging.installByPackage("my dev")).hasMessageStartingWith("role: \"my dev\"");
    }

    @Test
    void linesLoggedWhileTheJvmShutsDownStillAppear() throws IOException, InterruptedException {
        Process process = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        ShutdownLogging.class.getName())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        String err;
        try (var in = process.getErrorStream()) {
            err = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } finally {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }

        List<String> lines = err.lines().toList();
        assertThat(lines).as(err).hasSize(2);
        assertThat(lines.get(0)).endsWith(" INFO  worker      manager " + FerryLogManager.class.getName());
        assertThat(lines.get(1)).endsWith(" INFO  worker      stopping after a reset");
    }

    /** A process that logs from a shutdown hook after doing what JUL's own hook does: reset. */
    static final class ShutdownLogging {
        public static void main(String[] args) {
            FerryLogging.install("worker");
            System.Logger logger = System.getLogger(ShutdownLogging.class.getName());
            logger.log(
                    System.Logger.Level.INFO,
                    "manager "
                            + java.util.logging.LogManager.getLogManager()
                                    .getClass()
                                    .getName());
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                java.util.logging.LogManager.getLogManager().reset();
                logger.log(System.Logger.Level.INFO, "stopping after a reset");
            }));
        }
    }

    private static String capturingStandardError(Runnable logging) {
        PrintStream err = System.err;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setErr(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            logging.run();
        } finally {
            System.setErr(err);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
