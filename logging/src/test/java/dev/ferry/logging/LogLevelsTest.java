package dev.ferry.logging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;

class LogLevelsTest {

    @Test
    void isInfoWhenNothingIsSet() {
        assertThat(LogLevels.configured(name -> null, name -> null)).isEqualTo(LogLevels.DEFAULT);
        assertThat(LogLevels.configured(name -> " ", name -> "")).isEqualTo(LogLevels.DEFAULT);
        assertThat(LogLevels.DEFAULT.all()).isEqualTo(Level.INFO);
    }

    @Test
    void thePropertyWinsOverTheEnvironment() {
        Map<String, String> properties = Map.of("ferry.log.level", "debug");
        Map<String, String> environment = Map.of("FERRY_LOG_LEVEL", "ERROR");

        assertThat(LogLevels.configured(properties::get, environment::get).all())
                .isEqualTo(Level.FINE);
        assertThat(LogLevels.configured(name -> null, environment::get).all()).isEqualTo(Level.SEVERE);
    }

    @Test
    void readsSystemLoggerLevelNamesInAnyCase() {
        assertThat(LogLevels.parse("x", "ERROR").all()).isEqualTo(Level.SEVERE);
        assertThat(LogLevels.parse("x", "warning").all()).isEqualTo(Level.WARNING);
        assertThat(LogLevels.parse("x", "Warn").all()).isEqualTo(Level.WARNING);
        assertThat(LogLevels.parse("x", " info ").all()).isEqualTo(Level.INFO);
        assertThat(LogLevels.parse("x", "DEBUG").all()).isEqualTo(Level.FINE);
        assertThat(LogLevels.parse("x", "TRACE").all()).isEqualTo(Level.FINEST);
    }

    @Test
    void namesLevelsOfSingleLoggersAfterTheLevelOfAll() {
        LogLevels levels = LogLevels.parse("x", "WARNING, io.lettuce=DEBUG,dev.ferry.worker=trace");

        assertThat(levels.all()).isEqualTo(Level.WARNING);
        assertThat(levels.loggers())
                .containsExactly(Map.entry("io.lettuce", Level.FINE), Map.entry("dev.ferry.worker", Level.FINEST));
    }

    @Test
    void keepsNoisyLibrariesAtWarningUnlessNamed() {
        assertThat(LogLevels.parse("x", "DEBUG,io.grpc=INFO").byLogger())
                .containsExactly(
                        Map.entry("", Level.FINE),
                        Map.entry("io.netty", Level.WARNING),
                        Map.entry("io.lettuce", Level.WARNING),
                        Map.entry("io.grpc", Level.INFO));
        assertThat(LogLevels.parse("x", "ERROR").byLogger()).containsEntry("io.netty", Level.SEVERE);
    }

    @Test
    void refusesAnUnknownLevelNamingTheSettingAndWhatWasExpected() {
        assertThatThrownBy(() -> LogLevels.configured(name -> null, Map.of("FERRY_LOG_LEVEL", "LOUD")::get))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "FERRY_LOG_LEVEL: \"LOUD\" (expected: ERROR, WARNING, INFO, DEBUG or TRACE, then any LOGGER=LEVEL, "
                                + "comma-separated, e.g. INFO,io.lettuce=DEBUG)");
    }

    @Test
    void refusesABadItemNamingItAndTheWholeSetting() {
        assertThatThrownBy(() -> LogLevels.parse("ferry.log.level", "INFO,io.netty=LOUDER"))
                .hasMessageStartingWith(
                        "ferry.log.level: \"io.netty=LOUDER\" in \"INFO,io.netty=LOUDER\" (expected: ERROR,");
        assertThatThrownBy(() -> LogLevels.parse("ferry.log.level", "INFO,=DEBUG"))
                .hasMessageStartingWith("ferry.log.level: \"=DEBUG\" in \"INFO,=DEBUG\" (expected: ");
        assertThatThrownBy(() -> LogLevels.parse("ferry.log.level", "INFO,"))
                .hasMessageStartingWith("ferry.log.level: \"\" in \"INFO,\" (expected: ");
    }
}
