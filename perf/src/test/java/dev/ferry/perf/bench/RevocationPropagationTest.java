package dev.ferry.perf.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How the trials' figures are kept; the trials themselves run in {@code ClusterBenchQuickTest}. */
class RevocationPropagationTest {

    private static final List<String> GATEWAYS = List.of("gateway-1", "gateway-2");
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final long MS = 1_000_000;

    private static GatewayPoller.Seen refusedAt(long nanos) {
        return new GatewayPoller.Seen(true, nanos, 10, 5 * MS, 0, 0, null);
    }

    private static GatewayPoller.Seen never() {
        return new GatewayPoller.Seen(false, 0, 500, 5_000 * MS, 1, 0, "status 503");
    }

    @Test
    void eachGatewaysDelayCountsFromTheDeleteSentAndFromItsAnswer() {
        RevocationPropagation.Results r = new RevocationPropagation.Results(GATEWAYS);

        // DELETE sent at 100 ms, answered at 110 ms; gateway-1 refuses at 104 ms, gateway-2 at 115 ms.
        r.record(
                new RevocationPropagation.Trial(
                        "t1",
                        true,
                        "",
                        100 * MS,
                        110 * MS,
                        200,
                        "revoked",
                        List.of(refusedAt(104 * MS), refusedAt(115 * MS))),
                GATEWAYS,
                TIMEOUT);

        assertThat(r.trials).isEqualTo(1);
        assertThat(r.fromDelete.get("gateway-1").percentileMicros(50)).isBetween(3_990L, 4_010L);
        assertThat(r.fromDelete.get("gateway-2").percentileMicros(50)).isBetween(14_990L, 15_010L);
        assertThat(r.fromAnswer.get("gateway-1").percentileMicros(50))
                .as("refused before the answer")
                .isLessThanOrEqualTo(1L);
        assertThat(r.fromAnswer.get("gateway-2").percentileMicros(50)).isBetween(4_990L, 5_010L);
        assertThat(r.beforeAnswer).containsEntry("gateway-1", 1L).containsEntry("gateway-2", 0L);
        assertThat(r.allGateways.percentileMicros(50)).as("the slowest").isBetween(14_990L, 15_010L);
        assertThat(r.delete.percentileMicros(50)).isBetween(9_990L, 10_010L);
        assertThat(r.polls).containsEntry("gateway-1", 10L);
        assertThat(r.problems).isEmpty();
    }

    @Test
    void aGatewayThatNeverRefusesIsMissedAndTheTrialHasNoAllGatewaysDelay() {
        RevocationPropagation.Results r = new RevocationPropagation.Results(GATEWAYS);

        r.record(
                new RevocationPropagation.Trial(
                        "t1", true, "", 100 * MS, 110 * MS, 200, "revoked", List.of(refusedAt(104 * MS), never())),
                GATEWAYS,
                TIMEOUT);

        assertThat(r.missed).containsEntry("gateway-2", 1L);
        assertThat(r.fromDelete.get("gateway-2").errors()).isEqualTo(1);
        assertThat(r.allGateways.count()).isZero();
        assertThat(r.allGateways.errors()).isEqualTo(1);
        assertThat(r.otherStatuses).containsEntry("gateway-2", 1L);
        assertThat(r.problems)
                .singleElement()
                .asString()
                .contains("gateway-2 did not answer 401 with revoked token t1 within 5000 ms (last: status 503)");
    }

    @Test
    void aTokenNotTakenEverywhereOrARefusedDeleteIsAProblem() {
        RevocationPropagation.Results r = new RevocationPropagation.Results(GATEWAYS);

        r.record(
                new RevocationPropagation.Trial("t1", false, "gateway-2 (last: status 401)", 0, 0, 200, "", List.of()),
                GATEWAYS,
                TIMEOUT);
        r.record(
                new RevocationPropagation.Trial(
                        "t2",
                        true,
                        "",
                        100 * MS,
                        110 * MS,
                        404,
                        "no token t2",
                        List.of(refusedAt(104 * MS), refusedAt(105 * MS))),
                GATEWAYS,
                TIMEOUT);

        assertThat(r.trials).isEqualTo(2);
        assertThat(r.notReady).isEqualTo(1);
        assertThat(r.failedDeletes).isEqualTo(1);
        assertThat(r.allGateways.count())
                .as("the not-ready trial measured nothing")
                .isEqualTo(1);
        assertThat(r.problems)
                .containsExactly(
                        "token t1 not taken by every gateway before its revocation: gateway-2 (last: status 401)",
                        "DELETE t2: 404 no token t2");
    }
}
