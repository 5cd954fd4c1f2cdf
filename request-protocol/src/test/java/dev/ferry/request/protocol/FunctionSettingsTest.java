package dev.ferry.request.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class FunctionSettingsTest {

    private static FunctionSettings settings(int maxInputs, int targetInputs, List<String> gpu) {
        return new FunctionSettings(
                "fn",
                maxInputs,
                targetInputs,
                Duration.ofSeconds(1),
                Duration.ofSeconds(1),
                0,
                0,
                0,
                0,
                0,
                gpu,
                0,
                FunctionSettings.DEFAULT_MAX_WEBSOCKET_MESSAGE,
                List.of());
    }

    @Test
    void parsesDurationsWithUnits() {
        assertThat(FunctionSettings.parseDuration("t", "250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(FunctionSettings.parseDuration("t", "30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(FunctionSettings.parseDuration("t", "5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(FunctionSettings.parseDuration("t", "2H")).isEqualTo(Duration.ofHours(2));
    }

    @Test
    void rejectsADurationWithoutUnitNamingTheSetting() {
        assertThatThrownBy(() -> FunctionSettings.parseDuration("timeout", "30"))
                .hasMessage("timeout: \"30\" (expected: a number and a unit, e.g. \"500ms\", \"30s\", \"5m\", \"1h\")");
    }

    /** Found by ProtocolParsersFuzzTest: "7999…9m" (55 digits) threw NumberFormatException, naming no setting. */
    @Test
    void refusesDurationsAndSizesBeyondALongNamingTheSetting() {
        assertThatThrownBy(() -> FunctionSettings.parseDuration("timeout", "7" + "9".repeat(54) + "m"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("timeout: \"7" + "9".repeat(54) + "m\" (expected: at most 9223372036854775807 seconds)");
        assertThatThrownBy(() -> FunctionSettings.parseDuration("scaledownWindow", "9223372036854775807h"))
                .hasMessageStartingWith("scaledownWindow: \"9223372036854775807h\" (expected: at most");
        assertThatThrownBy(() -> FunctionSettings.parseSize("maxRequestBody", "9000000000GiB"))
                .hasMessage("maxRequestBody: \"9000000000GiB\" (expected: at most 9223372036854775807 bytes)");
        assertThatThrownBy(() -> FunctionSettings.parseSize("maxRequestBody", "99999999999999999999b"))
                .hasMessageStartingWith("maxRequestBody: \"99999999999999999999b\"");
        assertThat(FunctionSettings.parseSize("maxRequestBody", "8589934591GiB"))
                .isEqualTo(8589934591L << 30);
    }

    @Test
    void parsesSizesWithDecimalAndBinaryUnits() {
        assertThat(FunctionSettings.parseSize("maxRequestBody", "")).isZero();
        assertThat(FunctionSettings.parseSize("maxRequestBody", "1KB")).isEqualTo(1000);
        assertThat(FunctionSettings.parseSize("maxRequestBody", "2 MiB")).isEqualTo(2L * 1024 * 1024);
        assertThat(FunctionSettings.parseSize("maxRequestBody", "3gb")).isEqualTo(3_000_000_000L);
        assertThatThrownBy(() -> FunctionSettings.parseSize("maxRequestBody", "10"))
                .hasMessageContaining("maxRequestBody: \"10\" (expected: a number and a unit");
    }

    @Test
    void checksNames() {
        assertThat(FunctionSettings.checkName("function", "my-fn-2")).isEqualTo("my-fn-2");
        assertThat(FunctionSettings.checkName("function", "a".repeat(30))).hasSize(30);
        for (String bad : new String[] {"", "Hello", "a--b", "-a", "a-", "1a", "a_b", "a.b", "a".repeat(31)}) {
            assertThatThrownBy(() -> FunctionSettings.checkName("function", bad))
                    .as(bad)
                    .hasMessageContaining("function: \"" + bad + "\" (expected: 1-30 lower-case letters");
        }
    }

    @Test
    void rejectsImpossibleConcurrency() {
        assertThatThrownBy(() -> settings(0, 1, List.of())).hasMessage("maxInputs: 0 (expected: > 0)");
        assertThatThrownBy(() -> settings(4, 5, List.of())).hasMessageContaining("targetInputs: 5 (expected: 1..4");
    }

    @Test
    void checksContainerCountsAndNamesTheFirstOneOff() {
        FunctionSettings.checkContainers(0, 0, 0);
        FunctionSettings.checkContainers(3, 3, 1);
        assertThatThrownBy(() -> FunctionSettings.checkContainers(-1, -1, -1))
                .hasMessage("minContainers: -1 (expected: >= 0)");
        assertThatThrownBy(() -> FunctionSettings.checkContainers(3, 2, -1))
                .hasMessage("maxContainers: 2 (expected: 0 for no limit, or >= minContainers 3)");
        assertThatThrownBy(() -> FunctionSettings.checkContainers(0, -1, 0))
                .hasMessage("maxContainers: -1 (expected: 0 for no limit, or >= minContainers 0)");
        assertThatThrownBy(() -> FunctionSettings.checkContainers(1, 0, -1))
                .hasMessage("bufferContainers: -1 (expected: >= 0)");
    }

    @Test
    void acceptsGpuRequestsWithCountsAndRejectsOthers() {
        assertThat(settings(1, 1, List.of("H100", "a100-80gb:2")).gpu()).containsExactly("H100", "A100-80GB:2");
        assertThatThrownBy(() -> settings(1, 1, List.of("H100:9"))).hasMessageContaining("gpu: \"H100:9\"");
    }

    @Test
    void queueBoundsDefaultToTheGatewaysAndRefuseNegatives() {
        FunctionSettings defaults = settings(1, 1, List.of());
        assertThat(defaults.maxQueued()).isZero();
        assertThat(defaults.queueTimeout()).isZero();
        assertThatThrownBy(() -> withQueue(-1, Duration.ZERO)).hasMessageContaining("maxQueued: -1 (expected: >= 0");
        assertThatThrownBy(() -> withQueue(0, Duration.ofSeconds(-1)))
                .hasMessageContaining("queueTimeout: PT-1S (expected: >= 0");
        assertThat(withQueue(10, Duration.ofSeconds(5)).queueTimeout()).isEqualTo(Duration.ofSeconds(5));
    }

    private static FunctionSettings withQueue(int maxQueued, Duration queueTimeout) {
        return new FunctionSettings(
                "f",
                1,
                1,
                Duration.ofSeconds(1),
                Duration.ofSeconds(60),
                0,
                0,
                0,
                0,
                0,
                List.of(),
                0,
                1024,
                List.of(),
                maxQueued,
                queueTimeout);
    }
}
