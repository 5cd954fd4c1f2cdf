package dev.ferry.perf.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import org.junit.jupiter.api.Test;

class HsPerfDataTest {

    @Test
    void readsThisJvmsHeapFromItsSharedCounters() {
        // The test's own JVM shares its counters (UsePerfData is on by default).
        assertThat(HsPerfData.heapAfterGcKib(ProcessHandle.current().pid()))
                .hasValueSatisfying(kib -> assertThat(kib).isNotNegative());
    }

    @Test
    void aProcessWithoutCountersHasNone() {
        assertThat(HsPerfData.heapAfterGcKib(Long.MAX_VALUE)).isEmpty();
    }

    @Test
    void refusesWhatIsNoPerfData() {
        assertThatThrownBy(() -> HsPerfData.longs(new byte[64], Set.of("x")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("(expected: cafec0c0)");
    }
}
