package dev.ferry.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkerBuilderTest {

    @Test
    void rejectsNonPositiveStartTimeout() {
        assertThatThrownBy(() -> Worker.builder().startTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("startTimeout: PT0S (expected: > 0)");
    }

    @Test
    void rejectsNegativeStopGrace() {
        assertThatThrownBy(() -> Worker.builder().stopGrace(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("stopGrace: PT-1S (expected: >= 0)");
    }

    @Test
    void rejectsJavaExecutableThatIsNoFile(@TempDir Path dir) {
        Path missing = dir.resolve("java");

        assertThatThrownBy(() -> Worker.builder().javaExecutable(missing).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("javaExecutable: " + missing + " (expected: an executable file)");
    }

    @Test
    void rejectsFunctionIdWithWhitespace() {
        assertThatThrownBy(() -> ContainerSpec.of("shop checkout", "com.example.Checkout", Path.of("shop.jar")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("function id: \"shop checkout\" (expected: app--function");
    }

    @Test
    void closedWorkerWithoutContainersClosesAgainQuietly() {
        Worker worker = Worker.builder().build();

        worker.close();
        worker.close();

        assertThat(worker.containers()).isEmpty();
    }

    @Test
    void parsesSandboxNames(@TempDir Path dir) {
        assertThat(Sandbox.parse("process", dir)).isEqualTo(Sandbox.process());
        assertThat(Sandbox.parse("BWRAP", dir)).isEqualTo(Sandbox.bwrap());
        assertThat(Sandbox.parse("runc", dir)).isEqualTo(Sandbox.runc(dir));
        assertThat(Sandbox.runc(dir).stateDir()).contains(dir);
        assertThat(Sandbox.runc(dir).enforcesLimits()).isTrue();
        assertThat(Sandbox.bwrap().enforcesLimits()).isFalse();
        assertThat(Sandbox.process().stateDir()).isEmpty();
        assertThat(Worker.builder().build().sandbox()).isEqualTo(Sandbox.process());
        assertThatThrownBy(() -> Sandbox.parse("docker", dir))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("sandbox: \"docker\" (expected: one of process, bwrap, runc)");
    }

    @Test
    void sandboxToolMustBeOnThePath(@TempDir Path dir) {
        assertThatThrownBy(() -> Worker.builder()
                        .sandbox(Sandbox.runc(dir))
                        .toolPath(dir.toString())
                        .build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("--sandbox runc: runc not found on PATH (install the runc package)");
        assertThatThrownBy(() -> Worker.builder()
                        .sandbox(Sandbox.bwrap())
                        .toolPath(dir.toString())
                        .build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("--sandbox bwrap: bwrap not found on PATH (install the bubblewrap package)");
    }

    @Test
    void findsCommandsAsTheShellDoes(@TempDir Path dir) throws Exception {
        Path tool = java.nio.file.Files.writeString(dir.resolve("tool"), "#!/bin/sh\n");
        assertThat(Executables.find("tool", dir.toString())).isEmpty();
        assertThat(tool.toFile().setExecutable(true)).isTrue();

        assertThat(Executables.find("tool", "/nonexistent:" + dir)).contains(tool);
        assertThat(Executables.find(tool.toString(), null)).contains(tool);
        assertThat(Executables.find("tool", null)).isEmpty();
    }

    @Test
    void describesDurationsShortly() {
        assertThat(ContainerProcess.describe(Duration.ofSeconds(60))).isEqualTo("60s");
        assertThat(ContainerProcess.describe(Duration.ofMillis(1500))).isEqualTo("1.5s");
        assertThat(ContainerProcess.describe(Duration.ofMillis(250))).isEqualTo("250ms");
    }
}
