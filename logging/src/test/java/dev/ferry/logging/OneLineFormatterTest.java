package dev.ferry.logging;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

class OneLineFormatterTest {

    static final Instant T = Instant.parse("2026-12-07T00:05:22.123Z");

    private final OneLineFormatter controller = new OneLineFormatter(logger -> "controller");

    static LogRecord record(Level level, String logger, String message) {
        LogRecord record = new LogRecord(level, message);
        record.setInstant(T);
        record.setLoggerName(logger);
        return record;
    }

    @Test
    void writesTimeLevelRoleAndMessageOnOneLine() {
        assertThat(controller.format(record(Level.WARNING, "dev.ferry.controller.Lease", "controller c1 pauses")))
                .isEqualTo("2026-12-07T00:05:22.123Z WARN  controller  controller c1 pauses" + System.lineSeparator());
    }

    @Test
    void padsLevelsAndRolesSoMessagesLineUp() {
        OneLineFormatter gateway = new OneLineFormatter(logger -> "gateway");
        LogRecord record = record(Level.SEVERE, "x", "m");
        record.setInstant(Instant.parse("2026-12-07T00:05:22Z")); // still three digits of milliseconds

        assertThat(gateway.format(record))
                .isEqualTo("2026-12-07T00:05:22.000Z ERROR gateway     m" + System.lineSeparator());
        assertThat(controller.format(record(Level.INFO, "x", "m")))
                .isEqualTo("2026-12-07T00:05:22.123Z INFO  controller  m" + System.lineSeparator());
    }

    @Test
    void namesEveryLevelAsSystemLoggerDoes() {
        assertThat(OneLineFormatter.levelName(Level.SEVERE)).isEqualTo("ERROR");
        assertThat(OneLineFormatter.levelName(Level.WARNING)).isEqualTo("WARN");
        assertThat(OneLineFormatter.levelName(Level.INFO)).isEqualTo("INFO");
        assertThat(OneLineFormatter.levelName(Level.CONFIG)).isEqualTo("DEBUG");
        assertThat(OneLineFormatter.levelName(Level.FINE)).isEqualTo("DEBUG");
        assertThat(OneLineFormatter.levelName(Level.FINER)).isEqualTo("TRACE");
        assertThat(OneLineFormatter.levelName(Level.FINEST)).isEqualTo("TRACE");
    }

    @Test
    void asksTheRoleOfTheLoggerThatLogged() {
        OneLineFormatter byPackage = new OneLineFormatter(logger -> FerryLogging.roleOf(logger, "dev"));

        assertThat(byPackage.format(record(Level.INFO, "dev.ferry.worker.WorkerAgent", "m")))
                .contains(" INFO  worker      m");
        assertThat(byPackage.format(record(Level.INFO, null, "m"))).contains(" INFO  dev         m");
    }

    @Test
    void fillsInParameters() {
        LogRecord record = record(Level.INFO, "x", "worker {0} has {1} CPUs");
        record.setParameters(new Object[] {"w1", 4});

        assertThat(controller.format(record)).endsWith("  worker w1 has 4 CPUs" + System.lineSeparator());
    }

    @Test
    void putsTheStackTraceOnTheLinesAfter() {
        LogRecord record = record(Level.SEVERE, "x", "tick failed");
        record.setThrown(new IllegalStateException("boom"));

        String[] lines = controller.format(record).split(System.lineSeparator());
        assertThat(lines[0]).isEqualTo("2026-12-07T00:05:22.123Z ERROR controller  tick failed");
        assertThat(lines[1]).isEqualTo("java.lang.IllegalStateException: boom");
        assertThat(lines[2]).startsWith("\tat dev.ferry.logging.OneLineFormatterTest.putsTheStackTraceOnTheLinesAfter");
    }
}
