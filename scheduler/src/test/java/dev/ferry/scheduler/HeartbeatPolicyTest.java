package dev.ferry.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class HeartbeatPolicyTest {

    private static final Instant LAST = Instant.parse("2025-01-01T00:00:00Z");

    @Test
    void byDefaultAWorkerIsLostAfterThreeMissedOneSecondHeartbeats() {
        HeartbeatPolicy policy = HeartbeatPolicy.DEFAULT;

        assertThat(policy.timeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(policy.lost(LAST, LAST)).isFalse();
        assertThat(policy.lost(LAST, LAST.plusMillis(2999))).isFalse();
        assertThat(policy.lost(LAST, LAST.plusSeconds(3))).isFalse();
        assertThat(policy.lost(LAST, LAST.plusMillis(3001))).isTrue();
        assertThat(policy.lost(LAST, LAST.minusSeconds(1))).isFalse();
    }

    @Test
    void takesOtherIntervalsAndMisses() {
        HeartbeatPolicy policy = new HeartbeatPolicy(Duration.ofMillis(500), 4);
        assertThat(policy.lost(LAST, LAST.plusMillis(2000))).isFalse();
        assertThat(policy.lost(LAST, LAST.plusMillis(2001))).isTrue();
    }

    @Test
    void refusesNonsense() {
        assertThatThrownBy(() -> new HeartbeatPolicy(Duration.ZERO, 3)).hasMessage("interval: PT0S (expected: > 0)");
        assertThatThrownBy(() -> new HeartbeatPolicy(Duration.ofSeconds(1), 0))
                .hasMessage("misses: 0 (expected: >= 1)");
    }
}
