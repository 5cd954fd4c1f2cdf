package dev.ferry.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.request.protocol.VersionKey;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class CrashBackoffTest {

    private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
    private static final VersionKey F = VersionKey.parse("shop--f@v1");
    private static final VersionKey G = VersionKey.parse("shop--g@v1");

    private final CrashBackoff backoff = CrashBackoff.create();

    @Test
    void aKeyThatNeverCrashedMayAlwaysStart() {
        assertThat(backoff.mayStart(F, T0)).isTrue();
        assertThat(backoff.readyAt(F)).isEmpty();
        assertThat(backoff.crashes(F)).isZero();
        assertThat(backoff.inCrashLoop(F)).isFalse();
        assertThat(backoff.lastReason(F)).isEmpty();
    }

    @Test
    void doublesTheHoldFromOneSecondUpToAMinute() {
        assertThat(java.util.stream.IntStream.rangeClosed(1, 9)
                        .mapToObj(CrashBackoff::delay)
                        .map(Duration::toSeconds))
                .containsExactly(1L, 2L, 4L, 8L, 16L, 32L, 60L, 60L, 60L);
        assertThat(CrashBackoff.delay(Integer.MAX_VALUE)).isEqualTo(Duration.ofSeconds(60));
        assertThatThrownBy(() -> CrashBackoff.delay(0)).hasMessage("crashes: 0 (expected: >= 1)");
    }

    @Test
    void holdsNewContainersBackAfterEachCrash() {
        backoff.crashed(F, T0, "exit code 1");
        assertThat(backoff.readyAt(F)).contains(T0.plusSeconds(1));
        assertThat(backoff.mayStart(F, T0.plusMillis(999))).isFalse();
        assertThat(backoff.mayStart(F, T0.plusSeconds(1))).isTrue();

        Instant second = T0.plusSeconds(5);
        backoff.crashed(F, second, "exit code 2");
        assertThat(backoff.readyAt(F)).contains(second.plusSeconds(2));
        assertThat(backoff.mayStart(F, second.plusSeconds(1))).isFalse();
        assertThat(backoff.mayStart(F, second.plusSeconds(2))).isTrue();
        assertThat(backoff.lastReason(F)).contains("exit code 2");
        assertThat(backoff.mayStart(G, second)).isTrue();
    }

    @Test
    void threeCrashesInARowAreACrashLoop() {
        backoff.crashed(F, T0, "a");
        backoff.crashed(F, T0.plusSeconds(2), "b");
        assertThat(backoff.inCrashLoop(F)).isFalse();

        backoff.crashed(F, T0.plusSeconds(5), "ImportError: torch");

        assertThat(backoff.inCrashLoop(F)).isTrue();
        assertThat(backoff.crashes(F)).isEqualTo(3);
        assertThat(backoff.readyAt(F)).contains(T0.plusSeconds(9));
        assertThat(backoff.lastReason(F)).contains("ImportError: torch");
    }

    @Test
    void startsOverOnceAContainerStayedReadyAMinute() {
        for (int i = 0; i < 3; i++) {
            backoff.crashed(F, T0.plusSeconds(i), "boom");
        }
        Instant ready = T0.plusSeconds(10);
        backoff.ready(F, ready);

        assertThat(backoff.healthy(F, ready.plusSeconds(59))).isFalse();
        assertThat(backoff.inCrashLoop(F)).isTrue();
        assertThat(backoff.healthy(F, ready.plusSeconds(60))).isTrue();

        assertThat(backoff.crashes(F)).isZero();
        assertThat(backoff.inCrashLoop(F)).isFalse();
        assertThat(backoff.readyAt(F)).isEmpty();
        assertThat(backoff.mayStart(F, ready.plusSeconds(60))).isTrue();
        assertThat(backoff.lastReason(F)).contains("boom");
        assertThat(backoff.healthy(F, ready.plusSeconds(120))).isFalse();

        backoff.crashed(F, ready.plusSeconds(200), "again");
        assertThat(backoff.readyAt(F)).contains(ready.plusSeconds(201));
    }

    @Test
    void aCrashVoidsReadinessBeforeIt() {
        backoff.crashed(F, T0, "a");
        backoff.ready(F, T0.plusSeconds(2));
        backoff.crashed(F, T0.plusSeconds(30), "b");

        assertThat(backoff.healthy(F, T0.plusSeconds(100))).isFalse();
        assertThat(backoff.crashes(F)).isEqualTo(2);

        backoff.ready(F, T0.plusSeconds(40));
        backoff.ready(F, T0.plusSeconds(50));
        assertThat(backoff.healthy(F, T0.plusSeconds(100))).isTrue();
    }

    @Test
    void readinessWithoutCrashesCostsNothing() {
        backoff.ready(F, T0);
        assertThat(backoff.healthy(F, T0.plusSeconds(600))).isFalse();
        assertThat(backoff.lastReason(F)).isEmpty();
    }

    @Test
    void forgetsAKey() {
        backoff.crashed(F, T0, "a");
        backoff.forget(F);
        assertThat(backoff.crashes(F)).isZero();
        assertThat(backoff.lastReason(F)).isEmpty();
        assertThat(backoff.mayStart(F, T0)).isTrue();
    }
}
