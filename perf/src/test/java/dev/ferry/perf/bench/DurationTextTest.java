package dev.ferry.perf.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class DurationTextTest {

    @Test
    void readsSecondsMinutesAndHours() {
        assertThat(DurationText.parse("45")).isEqualTo(Duration.ofSeconds(45));
        assertThat(DurationText.parse("45s")).isEqualTo(Duration.ofSeconds(45));
        assertThat(DurationText.parse("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(DurationText.parse("1.5h")).isEqualTo(Duration.ofMinutes(90));
        assertThat(DurationText.parse("0.5s")).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void refusesWhatIsNoLengthOfTime() {
        assertThatThrownBy(() -> DurationText.parse("5 minutes"))
                .isInstanceOf(CommandLine.TypeConversionException.class)
                .hasMessageContaining("expected: a number with s, m or h");
        assertThatThrownBy(() -> DurationText.parse("0s"))
                .isInstanceOf(CommandLine.TypeConversionException.class)
                .hasMessageContaining("expected: > 0 and <= 24h");
        assertThatThrownBy(() -> DurationText.parse("25h")).isInstanceOf(CommandLine.TypeConversionException.class);
    }

    @Test
    void writesTheShortestExactForm() {
        assertThat(DurationText.format(Duration.ofMinutes(30))).isEqualTo("30m");
        assertThat(DurationText.format(Duration.ofHours(1))).isEqualTo("1h");
        assertThat(DurationText.format(Duration.ofSeconds(45))).isEqualTo("45s");
        assertThat(DurationText.format(Duration.ofMillis(1500))).isEqualTo("1.5s");
    }
}
