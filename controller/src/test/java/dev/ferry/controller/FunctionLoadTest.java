package dev.ferry.controller;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.request.protocol.FunctionId;
import dev.ferry.request.protocol.VersionKey;
import dev.ferry.routing.DemandSample;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Adding up the gateways' demand samples. */
class FunctionLoadTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final FunctionId FN = FunctionId.parse("a--fn");

    @Test
    void sumsCallsOverGatewaysAndKeepsTheLatestActivity() {
        List<FunctionLoad> loads = FunctionLoad.aggregate(
                List.of(
                        new DemandSample("g1", FN, "v1", 2, 1, T0.plusSeconds(1), T0.plusSeconds(2)),
                        new DemandSample("g2", FN, "v1", 3, 0, T0.plusSeconds(2), T0.plusSeconds(2)),
                        new DemandSample("g1", FN, "v2", 1, 0, T0, T0.plusSeconds(2))),
                T0.plusSeconds(3),
                Duration.ofSeconds(3));

        assertThat(loads)
                .containsExactly(
                        new FunctionLoad(FN, "v1", 5, 1, T0.plusSeconds(2)), new FunctionLoad(FN, "v2", 1, 0, T0));
    }

    @Test
    void aStaleSampleCountsOnlyForItsLastActivity() {
        List<FunctionLoad> loads = FunctionLoad.aggregate(
                List.of(new DemandSample("dead", FN, "v1", 7, 4, T0.plusSeconds(1), T0.plusSeconds(1))),
                T0.plusSeconds(10),
                Duration.ofSeconds(3));

        assertThat(loads).containsExactly(new FunctionLoad(FN, "v1", 0, 0, T0.plusSeconds(1)));
    }

    @Test
    void aRolloversNewVersionIsSizedForTheCallsOfEveryVersionOfItsFunction() {
        List<FunctionLoad> loads = List.of(
                new FunctionLoad(FN, "v1", 5, 2, T0.plusSeconds(1)),
                new FunctionLoad(FN, "v2", 1, 0, T0),
                new FunctionLoad(FunctionId.parse("a--other"), "v2", 9, 9, T0));

        assertThat(FunctionLoad.ofFunction(VersionKey.of(FN, "v2"), loads))
                .isEqualTo(new FunctionLoad(FN, "v2", 6, 2, T0.plusSeconds(1)));
        assertThat(FunctionLoad.ofFunction(VersionKey.parse("b--fn@v1"), loads)).isNull();
    }
}
