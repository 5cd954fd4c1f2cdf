package dev.ferry.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.request.protocol.FunctionId;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ContainerSpecTest {

    private static final Path JAR = Path.of("shop.jar");
    private static final String GPU = "GPU-dfa0340b-6fd2-01a8-5b83-9f4e7a7ec0f3";

    @Test
    void threePartSpecHasNoLimitsGpusOrEnvironment() {
        ContainerSpec spec = ContainerSpec.of("shop--checkout", "com.example.Checkout", JAR);

        assertThat(spec.limits()).isEqualTo(ContainerLimits.NONE);
        assertThat(spec.limits().isUnlimited()).isTrue();
        assertThat(spec.gpus()).isEmpty();
        assertThat(spec.environment()).isEmpty();
        assertThat(spec).isEqualTo(new ContainerSpec(FunctionId.parse("shop--checkout"), "com.example.Checkout", JAR));
    }

    @Test
    void fullSpecKeepsWhatItWasGiven() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("FERRY_WORKER_ID", "gpu-1");
        env.put("MODEL", "small");

        ContainerSpec spec = ContainerSpec.of(
                FunctionId.parse("ml--infer"),
                "com.example.Infer",
                JAR,
                ContainerLimits.of(2, 4096, 512),
                List.of(GPU, "GPU-1"),
                env);

        assertThat(spec.limits()).isEqualTo(new ContainerLimits(2, 4096, 512));
        assertThat(spec.gpus()).containsExactly(GPU, "GPU-1");
        assertThat(spec.environment())
                .containsExactly(Map.entry("FERRY_WORKER_ID", "gpu-1"), Map.entry("MODEL", "small"));
        assertThat(spec.withLimits(ContainerLimits.NONE).limits()).isEqualTo(ContainerLimits.NONE);
        assertThat(spec.withGpus(List.of()).gpus()).isEmpty();
        assertThat(spec.withEnvironment(Map.of()).environment()).isEmpty();
        assertThat(spec.withGpus(List.of()).environment()).isEqualTo(env);
    }

    @Test
    void refusesGpuListsThatCannotBeJoined() {
        ContainerSpec spec = ContainerSpec.of("ml--infer", "com.example.Infer", JAR);

        assertThatThrownBy(() -> spec.withGpus(List.of("GPU-a,GPU-b")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "gpus: \"GPU-a,GPU-b\" (expected: a GPU UUID like GPU-dfa0340b-6fd2-01a8-5b83-9f4e7a7ec0f3, without commas or whitespace)");
        assertThatThrownBy(() -> spec.withGpus(List.of("")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected: a GPU UUID");
        assertThatThrownBy(() -> spec.withGpus(List.of(GPU, GPU)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("gpus: " + GPU + " twice in [" + GPU + ", " + GPU + "] (expected: each GPU once)");
    }

    @Test
    void refusesEnvironmentTheWorkerSetsOrThatIsMalformed() {
        ContainerSpec spec = ContainerSpec.of("ml--infer", "com.example.Infer", JAR);

        for (String reserved : List.of(
                "FERRY_CONTAINER_ID",
                "CUDA_VISIBLE_DEVICES",
                "NVIDIA_VISIBLE_DEVICES",
                "FERRY_READY_TOKEN",
                "FERRY_CONTAINER_SECRET")) {
            assertThatThrownBy(() -> spec.withEnvironment(Map.of(reserved, "x")))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("environment: " + reserved + " (expected: none of ")
                    .hasMessageEndingWith(", which the worker sets)");
        }
        assertThatThrownBy(() -> spec.withEnvironment(Map.of("1ABC", "x")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "environment: \"1ABC\" (expected: a name of letters, digits and _, not starting with a digit)");
        assertThatThrownBy(() -> spec.withEnvironment(Map.of("A=B", "x")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("(expected: a name of letters");
        assertThatThrownBy(() -> spec.withEnvironment(Map.of("A", "x\0y")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("environment: value of A holds a NUL character");
    }

    @Test
    void limitsAreZeroForNoneOrAtLeastTheirMinimum() {
        assertThat(ContainerLimits.of(0.25, 0, 0).isUnlimited()).isFalse();
        assertThatThrownBy(() -> ContainerLimits.of(-1, 0, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("cpu: -1.0 (expected: 0 for no limit, or >= 0.01)");
        assertThatThrownBy(() -> ContainerLimits.of(0.001, 0, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("cpu: 0.001 (expected: 0 for no limit, or >= 0.01)");
        assertThatThrownBy(() -> ContainerLimits.of(Double.NaN, 0, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cpu: NaN");
        assertThatThrownBy(() -> ContainerLimits.of(0, 8, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("memoryMib: 8 (expected: 0 for no limit, or >= 16)");
        assertThatThrownBy(() -> ContainerLimits.of(0, 0, -5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("pids: -5 (expected: 0 for no limit, or > 0)");
    }
}
