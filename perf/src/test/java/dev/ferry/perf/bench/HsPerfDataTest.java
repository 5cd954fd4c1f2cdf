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
    void readsThisJvmsHeapInUseAndCommitted() {
        Runtime runtime = Runtime.getRuntime();
        long committedKib = runtime.totalMemory() / 1024;
        assertThat(HsPerfData.heapKib(ProcessHandle.current().pid())).hasValueSatisfying(heap -> {
            assertThat(heap.usedKib()).isPositive().isLessThanOrEqualTo(heap.committedKib());
            // The counters and Runtime see the same heap; committed moves a little between the reads.
            assertThat(heap.committedKib()).isBetween(committedKib / 2, committedKib * 2);
        });
    }

    @Test
    void aProcessWithoutCountersHasNone() {
        assertThat(HsPerfData.heapAfterGcKib(Long.MAX_VALUE)).isEmpty();
        assertThat(HsPerfData.heapKib(Long.MAX_VALUE)).isEmpty();
    }

    @Test
    void refusesWhatIsNoPerfData() {
        assertThatThrownBy(() -> HsPerfData.longs(new byte[64], Set.of("x")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("(expected: cafec0c0)");
    }
}
