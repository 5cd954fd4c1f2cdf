package dev.ferry.autoscaler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.request.protocol.FunctionSettings;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class AutoscalerSettingsTest {

    private static final AutoscalerSettings SETTINGS = new AutoscalerSettings(0, 0, 0, 4, 8, Duration.ofSeconds(30));

    @Test
    void takesTheDeployedSettings() {
        FunctionSettings deployed = new FunctionSettings(
                "checkout",
                8,
                4,
                Duration.ofMinutes(1),
                Duration.ofMillis(45_500),
                1,
                5,
                2,
                0,
                0,
                List.of(),
                0,
                FunctionSettings.DEFAULT_MAX_WEBSOCKET_MESSAGE,
                List.of());

        assertThat(AutoscalerSettings.from(deployed))
                .isEqualTo(new AutoscalerSettings(1, 5, 2, 4, 8, Duration.ofSeconds(46)));
    }

    @Test
    void overridesWithoutARedeploy() {
        AutoscalerSettings s = SETTINGS.withMinContainers(1)
                .withMaxContainers(9)
                .withBufferContainers(2)
                .withTargetInputs(6)
                .withScaledownWindow(Duration.ofMinutes(5));

        assertThat(s).isEqualTo(new AutoscalerSettings(1, 9, 2, 6, 8, Duration.ofMinutes(5)));
        assertThat(s.withMaxInputs(3).targetInputs()).isEqualTo(3);
    }

    @Test
    void derivesTheWindowsFromTheScaledownWindow() {
        assertThat(SETTINGS.stableWindow()).isEqualTo(Duration.ofSeconds(30));
        assertThat(SETTINGS.panicWindow()).isEqualTo(Duration.ofSeconds(3));
        AutoscalerSettings longWindow = SETTINGS.withScaledownWindow(Duration.ofMinutes(10));
        assertThat(longWindow.stableWindow()).isEqualTo(Duration.ofSeconds(60));
        assertThat(longWindow.panicWindow()).isEqualTo(Duration.ofSeconds(6));
        assertThat(SETTINGS.withScaledownWindow(Duration.ofSeconds(5)).panicWindow())
                .isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void rejectsBadSettings() {
        assertThatThrownBy(() -> SETTINGS.withMinContainers(-1)).hasMessage("minContainers: -1 (expected: >= 0)");
        assertThatThrownBy(() -> SETTINGS.withMinContainers(3).withMaxContainers(2))
                .hasMessage("maxContainers: 2 (expected: 0 for no limit, or >= minContainers 3)");
        assertThatThrownBy(() -> SETTINGS.withBufferContainers(-1)).hasMessageContaining("expected: >= 0");
        assertThatThrownBy(() -> SETTINGS.withTargetInputs(9)).hasMessage("targetInputs: 9 (expected: 1..8)");
        assertThatThrownBy(() -> SETTINGS.withMaxInputs(0)).hasMessage("maxInputs: 0 (expected: > 0)");
        assertThatThrownBy(() -> SETTINGS.withScaledownWindow(Duration.ofMillis(1500)))
                .hasMessage("scaledownWindow: PT1.5S (expected: whole seconds, >= 1 s)");
        assertThatThrownBy(() -> SETTINGS.withScaledownWindow(Duration.ZERO)).hasMessageContaining(">= 1 s");
    }
}
