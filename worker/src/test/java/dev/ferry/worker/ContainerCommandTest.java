package dev.ferry.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.function.runtime.Assignment;
import dev.ferry.function.runtime.ContainerArgs;
import dev.ferry.function.runtime.PoolArgs;
import dev.ferry.request.protocol.FunctionId;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The worker's copy of the container contract agrees with the runtime's. */
class ContainerCommandTest {

    private final ContainerSpec spec =
            ContainerSpec.of("shop--checkout", "com.example.Checkout", Path.of("/apps/shop.jar"));

    @Test
    void argumentsParseAsRuntimeContainerArgs() {
        ContainerArgs parsed = ContainerArgs.parse(ContainerCommand.args("ct-abcdefgh", spec, "127.0.0.3", 40123));

        assertThat(parsed)
                .isEqualTo(new ContainerArgs(
                        "ct-abcdefgh",
                        FunctionId.parse("shop--checkout"),
                        "com.example.Checkout",
                        Path.of("/apps/shop.jar"),
                        40123,
                        "127.0.0.3"));
    }

    @Test
    void commandRunsRuntimeMainClassWithOptionsFirst() {
        List<String> command = ContainerCommand.of(
                Path.of("/jdk/bin/java"),
                List.of("-Xmx64m"),
                "/rt/a.jar:/rt/b.jar",
                "ct-abcdefgh",
                spec,
                "127.0.0.1",
                40123);

        assertThat(command)
                .startsWith(
                        "/jdk/bin/java",
                        "-Dstdout.encoding=UTF-8",
                        "-Dstderr.encoding=UTF-8",
                        "-Xmx64m",
                        "-cp",
                        "/rt/a.jar:/rt/b.jar",
                        ContainerArgs.MAIN_CLASS);
        assertThat(command.subList(7, command.size()))
                .isEqualTo(ContainerCommand.args("ct-abcdefgh", spec, "127.0.0.1", 40123));
    }

    @Test
    void readyLineAndTokenVariableMatchRuntime() {
        String token = ContainerCommand.newReadyToken();

        assertThat(ContainerCommand.readyLine(token)).isEqualTo(ContainerArgs.readyLine(token));
        assertThat(ContainerCommand.READY_TOKEN_ENV).isEqualTo(ContainerArgs.READY_TOKEN_ENV);
        assertThat(ContainerCommand.SECRET_ENV).isEqualTo(ContainerArgs.SECRET_ENV);
        assertThat(ContainerCommand.localSocketName(token)).isEqualTo(ContainerArgs.localSocketName(token));
        assertThat(CallSocket.CALL_SOCKET_ENV).isEqualTo(ContainerArgs.CALL_SOCKET_ENV);
        assertThat(ContainerCommand.MAIN_CLASS).isEqualTo(ContainerArgs.MAIN_CLASS);
    }

    @Test
    void readyTokensAreLongAndFresh() {
        assertThat(ContainerCommand.newReadyToken())
                .matches("[0-9a-f]{32}")
                .isNotEqualTo(ContainerCommand.newReadyToken());
    }

    @Test
    void poolMemberCommandParsesAsRuntimePoolArgs() {
        List<String> command = ContainerCommand.pool(
                Path.of("/jdk/bin/java"), List.of("-Xmx64m"), "/rt/a.jar", "pm-abcdefgh", "127.0.0.3", 40124, 500);

        int main = command.indexOf(ContainerArgs.MAIN_CLASS);
        assertThat(command.subList(0, main))
                .containsSubsequence("/jdk/bin/java", "--add-opens", "java.base/java.lang=ALL-UNNAMED", "-Xmx64m");
        assertThat(command.get(main + 1)).isEqualTo(PoolArgs.FLAG);
        assertThat(PoolArgs.parse(command.subList(main + 2, command.size())))
                .isEqualTo(new PoolArgs("pm-abcdefgh", 40124, "127.0.0.3", 500));
        assertThat(ContainerCommand.pooledLine("t1")).isEqualTo(PoolArgs.pooledLine("t1"));
        assertThat(ContainerCommand.startedLine("t1")).isEqualTo(PoolArgs.startedLine("t1"));
        assertThat(ContainerCommand.WARM_UP).isEqualTo(PoolArgs.WARM_UP);
    }

    @Test
    void assignmentParsesAsRuntimeAssignmentWhateverTheValuesHold() {
        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("FERRY_CONTAINER_ID", "ct-abcdefgh");
        environment.put("TRICKY", "tab\there, newline\nthere, 100% sure\r\n%09");
        environment.put("EMPTY", "");

        String line = ContainerCommand.assignment("ct-abcdefgh", spec, Path.of("/pool/pm-1/shop.jar"), environment);

        assertThat(line).doesNotContain("\n").doesNotContain("\r");
        assertThat(Assignment.parse(line))
                .isEqualTo(new Assignment(
                        "ct-abcdefgh",
                        FunctionId.parse("shop--checkout"),
                        "com.example.Checkout",
                        Path.of("/pool/pm-1/shop.jar"),
                        environment));
    }
}
