package dev.ferry.perf.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CpuTicksTest {

    /** Fields 3 to 17 of a real line; utime (14) 1234, stime (15) 56. */
    private static final String AFTER_NAME = "S 1 4242 4242 0 -1 4194560 90817 0 12 0 1234 56 7 8 20 0 31 0 123456";

    @Test
    void utimeAndStimeOfAStatLine() {
        assertThat(CpuTicks.parseStat("4243 (java) " + AFTER_NAME)).isEqualTo(1234 + 56);
    }

    @Test
    void aNameWithSpacesAndParenthesesDoesNotShiftTheFields() {
        assertThat(CpuTicks.parseStat("4243 (nginx: worker (1) ) 99 9) " + AFTER_NAME))
                .isEqualTo(1290);
        assertThat(CpuTicks.parseStat("7 ()) " + AFTER_NAME)).isEqualTo(1290);
    }

    @Test
    void aLineThatIsNotAStatLineIsRefused() {
        assertThatThrownBy(() -> CpuTicks.parseStat("4243 java S 1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected: PID (NAME) STATE");
        assertThatThrownBy(() -> CpuTicks.parseStat("4243 (java) S 1 2 3"))
                .hasMessage("/proc stat line: \"4243 (java) S 1 2 3\" has 6 fields (expected: at least 15)");
        assertThatThrownBy(() -> CpuTicks.parseStat("4243 (java) S 1 4242 4242 0 -1 4194560 90817 0 12 0 x 56"))
                .hasMessageContaining("expected: utime and stime");
    }

    @Test
    void thisProcessHasTicksAndAGoneOneHasNone() {
        assertThat(CpuTicks.read(ProcessHandle.current().pid())).isPresent();
        assertThat(CpuTicks.read(Long.MAX_VALUE)).isEmpty();
        assertThat(CpuTicks.sample(java.util.List.of(ProcessHandle.current().pid(), Long.MAX_VALUE)))
                .containsOnlyKeys(ProcessHandle.current().pid());
    }

    @Test
    void ticksUsedBetweenTwoSamplesCountOnlyTheProcessesThatCount() {
        Map<Long, Long> before = Map.of(1L, 100L, 2L, 50L, 3L, 900L, 5L, 10L);
        Map<Long, Long> after = Map.of(1L, 160L, 2L, 80L, 3L, 40L, 4L, 25L);

        // 1: 60 more; 3: its pid reused (fewer ticks), all 40 of the new one; 4: started in between,
        // all 25; 5: exited in between, nothing; 2: not counted.
        assertThat(CpuTicks.used(before, after, Set.of(1L, 3L, 4L, 5L))).isEqualTo(60 + 40 + 25);
        assertThat(CpuTicks.used(before, after, Set.of())).isZero();
    }

    @Test
    void microsecondsPerRequestFromTicks() {
        // 150 ticks at 100 Hz = 1.5 s of CPU over 30,000 requests: 50 µs each.
        assertThat(CpuTicks.microsPerRequest(150, 100, 30_000)).isEqualTo(50.0);
        assertThat(CpuTicks.microsPerRequest(3, 1000, 1)).isEqualTo(3000.0);
        assertThat(CpuTicks.microsPerRequest(150, 100, 0)).isNaN();
        assertThat(CpuTicks.seconds(150, 100)).isEqualTo(1.5);
    }

    @Test
    void clockTicksPerSecondFromGetconf() {
        assertThat(CpuTicks.parseTicksPerSecond("100\n")).isEqualTo(100);
        assertThatThrownBy(() -> CpuTicks.parseTicksPerSecond("undefined"))
                .hasMessage("getconf CLK_TCK: \"undefined\" (expected: a positive whole number of ticks per second)");
        assertThatThrownBy(() -> CpuTicks.parseTicksPerSecond("0")).isInstanceOf(IllegalArgumentException.class);
        assertThat(CpuTicks.ticksPerSecond()).isPositive();
    }
}
