package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

/** The role commands' answers to a missing or unreachable Redis: one line, naming it. */
class RoleCommandsTest {

    @Test
    void aRoleWithoutRedisSaysWhatToGive() {
        CliTest.Run run = CliTest.ferry("gateway");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err())
                .contains("ferry gateway: --redis URL is required (expected: e.g. --redis redis://127.0.0.1:6379)")
                .doesNotContain("\tat ");
    }

    @Test
    void aRoleGivesUpOnAnUnreachableRedisAfterItsWaitNamingIt() throws IOException {
        int closed;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = socket.getLocalPort(); // free once closed: nothing listens there
        }

        CliTest.Run run =
                CliTest.ferry("worker", "--redis", "redis://127.0.0.1:" + closed, "--redis-wait", "3s", "--id", "w1");

        assertThat(run.exitCode()).isEqualTo(1);
        // Logged while it waits; the last line is the command's answer.
        String waiting = "Z WARN  worker      Redis at redis://127\\.0\\.0\\.1:" + closed
                + "/0 is unreachable.*; trying again for up to 3s";
        assertThat(run.err())
                .containsPattern(waiting)
                .contains("ferry worker: Redis at redis://127.0.0.1:" + closed + "/0 is unreachable")
                .doesNotContain("\tat ");
    }

    @Test
    void aBadLogLevelIsNamedWithWhatWasExpected() {
        System.setProperty("ferry.log.level", "LOUD");
        CliTest.Run run;
        try {
            run = CliTest.ferry("gateway", "--redis", "redis://127.0.0.1:1");
        } finally {
            System.clearProperty("ferry.log.level");
        }

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err())
                .contains("ferry gateway: ferry.log.level: \"LOUD\" (expected: ERROR, WARNING, INFO, DEBUG or TRACE")
                .doesNotContain("\tat ");
    }

    @Test
    void aBadClusterNameIsNamedWithWhatWasExpected() {
        CliTest.Run run = CliTest.ferry("controller", "--redis", "redis://127.0.0.1:1", "--cluster", "Bad_Name");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("Bad_Name").doesNotContain("\tat ");
    }

    @Test
    void eachRoleDescribesItsOwnIdAndHomeThoughTheyAreDeclaredOnce() {
        assertThat(description("gateway", "--id")).isEqualTo("This gateway's id (default: gateway-<hostname>-<pid>).");
        assertThat(description("controller", "--id"))
                .isEqualTo("This controller's id (default: controller-<hostname>-<pid>).");
        assertThat(description("worker", "--id"))
                .isEqualTo("This worker's id; keep it across restarts (default: worker-<hostname>).");
        assertThat(description("gateway", "--home"))
                .isEqualTo("Ferry's directory (default: $FERRY_HOME, else ~/.ferry).");
        assertThat(description("controller", "--home"))
                .isEqualTo("Ferry's directory, where deployed jars are kept (default: $FERRY_HOME, else ~/.ferry).");
        assertThat(description("worker", "--home"))
                .isEqualTo("Ferry's directory, where fetched jars are cached (default: $FERRY_HOME, else ~/.ferry).");
        assertThat(description("ls", "--home")).isEqualTo("Ferry's directory (default: $FERRY_HOME, else ~/.ferry).");
    }

    /** What {@code ferry command --help} says of {@code option}. */
    private static String description(String command, String option) {
        return String.join(
                " ",
                Main.commandLine()
                        .getSubcommands()
                        .get(command)
                        .getCommandSpec()
                        .findOption(option)
                        .description());
    }
}
