package dev.ferry.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class CrashBackoffTest {

    private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");

    private final CrashBackoff backoff = CrashBackoff.create();

    @Test
    void aKeyThatNeverCrashedMayAlwaysStart() {
        assertThat(backoff.mayStart("f:1", T0)).isTrue();
        assertThat(backoff.readyAt("f:1")).isEmpty();
        assertThat(backoff.crashes("f:1")).isZero();
        assertThat(backoff.inCrashLoop("f:1")).isFalse();
        assertThat(backoff.lastReason("f:1")).isEmpty();
    }

    @Test
    void doublesTheHoldFromOneSecondUpToAMinute() {
        assertThat(java.util.stream.IntStream.rangeClosed(1, 9).mapToObj(CrashBackoff::delay).map(Duration::toSeconds))
                .containsExactly(1L, 2L, 4L, 8L, 16L, 32L, 60L, 60L, 60L);
        assertThat(CrashBackoff.delay(Integer.MAX_VALUE)).isEqualTo(Duration.ofSeconds(60));
        assertThatThrownBy(() -> CrashBackoff.delay(0)).hasMessage("crashes: 0 (expected: >= 1)");
    }

    @Test
    void holdsNewContainersBackAfterEachCrash() {
        backoff.crashed("f:1", T0, "exit code 1");
        assertThat(backoff.readyAt("f:1")).contains(T0.plusSeconds(1));
        assertThat(backoff.mayStart("f:1", T0.plusMillis(999))).isFalse();
        assertThat(backoff.mayStart("f:1", T0.plusSeconds(1))).isTrue();

        Instant second = T0.plusSeconds(5);
        backoff.crashed("f:1", second, "exit code 2");
        assertThat(backoff.readyAt("f:1")).contains(second.plusSeconds(2));
        assertThat(backoff.mayStart("f:1", second.plusSeconds(1))).isFalse();
        assertThat(backoff.mayStart("f:1", second.plusSeconds(2))).isTrue();
        assertThat(backoff.lastReason("f:1")).contains("exit code 2");
        assertThat(backoff.mayStart("g:1", second)).isTrue();
    }

    @Test
    void threeCrashesInARowAreACrashLoop() {
        backoff.crashed("f:1", T0, "a");
        backoff.crashed("f:1", T0.plusSeconds(2), "b");
        assertThat(backoff.inCrashLoop("f:1")).isFalse();

        backoff.crashed("f:1", T0.plusSeconds(5), "ImportError: torch");

        assertThat(backoff.inCrashLoop("f:1")).isTrue();
        assertThat(backoff.crashes("f:1")).isEqualTo(3);
        assertThat(backoff.readyAt("f:1")).contains(T0.plusSeconds(9));
        assertThat(backoff.lastReason("f:1")).contains("ImportError: torch");
    }

    @Test
    void startsOverOnceAContainerStayedReadyAMinute() {
        for (int i = 0; i < 3; i++) {
            backoff.crashed("f:1", T0.plusSeconds(i), "boom");
        }
        Instant ready = T0.plusSeconds(10);
        backoff.ready("f:1", ready);

        assertThat(backoff.healthy("f:1", ready.plusSeconds(59))).isFalse();
        assertThat(backoff.inCrashLoop("f:1")).isTrue();
        assertThat(backoff.healthy("f:1", ready.plusSeconds(60))).isTrue();

        assertThat(backoff.crashes("f:1")).isZero();
        assertThat(backoff.inCrashLoop("f:1")).isFalse();
        assertThat(backoff.readyAt("f:1")).isEmpty();
        assertThat(backoff.mayStart("f:1", ready.plusSeconds(60))).isTrue();
        assertThat(backoff.lastReason("f:1")).contains("boom");
        assertThat(backoff.healthy("f:1", ready.plusSeconds(120))).isFalse();

        backoff.crashed("f:1", ready.plusSeconds(200), "again");
        assertThat(backoff.readyAt("f:1")).contains(ready.plusSeconds(201));
    }

    @Test
    void aCrashVoidsReadinessBeforeIt() {
        backoff.crashed("f:1", T0, "a");
        backoff.ready("f:1", T0.plusSeconds(2));
        backoff.crashed("f:1", T0.plusSeconds(30), "b");

        assertThat(backoff.healthy("f:1", T0.plusSeconds(100))).isFalse();
        assertThat(backoff.crashes("f:1")).isEqualTo(2);

        backoff.ready("f:1", T0.plusSeconds(40));
        backoff.ready("f:1", T0.plusSeconds(50));
        assertThat(backoff.healthy("f:1", T0.plusSeconds(100))).isTrue();
    }

    @Test
    void readinessWithoutCrashesCostsNothing() {
        backoff.ready("f:1", T0);
        assertThat(backoff.healthy("f:1", T0.plusSeconds(600))).isFalse();
        assertThat(backoff.lastReason("f:1")).isEmpty();
    }

    @Test
    void forgetsAKey() {
        backoff.crashed("f:1", T0, "a");
        backoff.forget("f:1");
        assertThat(backoff.crashes("f:1")).isZero();
        assertThat(backoff.lastReason("f:1")).isEmpty();
        assertThat(backoff.mayStart("f:1", T0)).isTrue();
    }
}
