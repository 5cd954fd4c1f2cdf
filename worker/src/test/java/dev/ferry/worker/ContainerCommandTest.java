package dev.ferry.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.function.runtime.ContainerArgs;
import dev.ferry.request.protocol.FunctionId;
import java.nio.file.Path;
import java.util.List;
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
        assertThat(ContainerCommand.MAIN_CLASS).isEqualTo(ContainerArgs.MAIN_CLASS);
    }

    @Test
    void readyTokensAreLongAndFresh() {
        assertThat(ContainerCommand.newReadyToken())
                .matches("[0-9a-f]{32}")
                .isNotEqualTo(ContainerCommand.newReadyToken());
    }
}
