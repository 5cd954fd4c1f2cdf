package dev.ferry.perf.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class FerryVariantTest {

    @Test
    void splitsTheArgumentsOnWhiteSpace() {
        FerryVariant variant = FerryVariant.parse("pool-off=--warm-pool 0");

        assertThat(variant.name()).isEqualTo("pool-off");
        assertThat(variant.devArguments()).containsExactly("--warm-pool", "0");
        assertThat(variant.shownArguments()).isEqualTo("--warm-pool 0");
    }

    @Test
    void anEmptyRightSideAddsNoArgument() {
        FerryVariant variant = FerryVariant.parse("default=");

        assertThat(variant.devArguments()).isEmpty();
        assertThat(variant.shownArguments()).isEqualTo("(none)");
    }

    @Test
    void theDefaultsTurnThePoolOffThenLeaveFerryDevAsItComes() {
        assertThat(FerryVariant.DEFAULTS.stream().map(FerryVariant::parse).toList())
                .containsExactly(
                        new FerryVariant("pool-off", List.of("--warm-pool", "0")),
                        new FerryVariant("default", List.of()));
    }

    @Test
    void refusesASpecWithoutEqualsOrWithABadName() {
        assertThatThrownBy(() -> FerryVariant.parse("--warm-pool 0"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected: NAME=ARGS");
        assertThatThrownBy(() -> FerryVariant.parse("Pool Off=--warm-pool 0"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"Pool Off\"")
                .hasMessageContaining("expected: 1-30 lower-case letters, digits and hyphens");
    }
}
