package dev.ferry.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.autoscaler.AutoscalerSettings;
import dev.ferry.autoscaler.ContainerLoad;
import dev.ferry.autoscaler.Decision;
import dev.ferry.autoscaler.Observation;
import dev.ferry.request.protocol.FunctionId;
import dev.ferry.request.protocol.FunctionSettings;
import dev.ferry.request.protocol.VersionKey;
import dev.ferry.routing.AppDeployment;
import dev.ferry.routing.ContainerInfo;
import dev.ferry.routing.ContainerState;
import dev.ferry.routing.DeployedFunction;
import dev.ferry.routing.ScaleOverride;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** How the controller feeds the autoscaler and reads its decisions, with time given by the test. */
class AutoscalingTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final FunctionId FN = FunctionId.parse("a--fn");

    private static final FunctionSettings DEPLOYED = new FunctionSettings(
            "fn",
            4,
            4,
            Duration.ofSeconds(30),
            Duration.ofMillis(1500),
            1,
            0,
            0,
            0,
            0,
            List.of(),
            0,
            FunctionSettings.DEFAULT_MAX_WEBSOCKET_MESSAGE,
            List.of());

    private static ContainerInfo container(String id, String version, ContainerState state) {
        return new ContainerInfo(id, FN, version, "w1", "127.0.0.1", 1, state, 4, T0);
    }

    @Test
    void anOverrideLaysItsSettingsOverTheDeployedOnes() {
        AutoscalerSettings deployed = Autoscaling.settings(DEPLOYED, Optional.empty());
        assertThat(deployed.minContainers()).isEqualTo(1);
        assertThat(deployed.scaledownWindow()).as("rounded up to whole seconds").isEqualTo(Duration.ofSeconds(2));

        AutoscalerSettings s = Autoscaling.settings(
                DEPLOYED, Optional.of(new ScaleOverride(FN, "v1", null, 5, 2, 2, Duration.ofSeconds(10), T0)));
        assertThat(s).isEqualTo(new AutoscalerSettings(1, 5, 2, 2, 4, Duration.ofSeconds(10)));
    }

    @Test
    void anInconsistentOverrideIsRefusedNamingTheValue() {
        assertThatThrownBy(() -> Autoscaling.settings(
                        DEPLOYED, Optional.of(new ScaleOverride(FN, "v1", 3, 2, null, null, null, T0))))
                .hasMessageContaining("maxContainers: 2 (expected: 0 for no limit, or >= minContainers 3)");
        assertThatThrownBy(() -> Autoscaling.settings(
                        DEPLOYED, Optional.of(new ScaleOverride(FN, "v1", null, null, null, 5, null, T0))))
                .hasMessageContaining("targetInputs: 5 (expected: 1..4)");
    }

    @Test
    void containersAreObservedByPhaseWithTheCallsGatewaysReportOnThem() {
        FunctionLoad load = new FunctionLoad(FN, "v1", 3, 2, T0, Map.of("c-ready", 3));
        Observation o = Autoscaling.observe(
                T0,
                load,
                List.of(
                        container("c-placed", "v1", ContainerState.PENDING),
                        container("c-starting", "v1", ContainerState.STARTING),
                        container("c-ready", "v1", ContainerState.READY),
                        container("c-idle", "v1", ContainerState.READY),
                        container("c-stopping", "v1", ContainerState.STOPPING),
                        container("c-failed", "v1", ContainerState.FAILED)));

        assertThat(o.concurrency()).isEqualTo(5);
        assertThat(o.containers())
                .containsExactly(
                        ContainerLoad.starting("c-placed", T0),
                        ContainerLoad.starting("c-starting", T0),
                        ContainerLoad.ready("c-ready", 3, T0),
                        ContainerLoad.ready("c-idle", 0, T0),
                        new ContainerLoad("c-stopping", ContainerLoad.Phase.DRAINING, 0, T0));
        assertThat(Autoscaling.observe(T0, null, List.of()).concurrency()).isZero();
    }

    @Test
    void aDecisionIsPublishedWhenItsCountChangesAndItsReasonAtMostOnceASecond() {
        Autoscaling autoscaling = new Autoscaling();
        Decision ten = new Decision(10, 10, List.of(), true, "burst: 40 → 10");
        assertThat(autoscaling.toPublish(VersionKey.of(FN, "v1"), ten, T0)).isPresent();
        assertThat(autoscaling.toPublish(VersionKey.of(FN, "v1"), ten, T0.plusMillis(100)))
                .as("the same")
                .isEmpty();
        Decision reworded = new Decision(10, 0, List.of(), true, "panic: steady at 10");
        assertThat(autoscaling.toPublish(VersionKey.of(FN, "v1"), reworded, T0.plusMillis(500)))
                .as("reason only, too soon")
                .isEmpty();
        assertThat(autoscaling.toPublish(VersionKey.of(FN, "v1"), reworded, T0.plusSeconds(1)))
                .isPresent();
        assertThat(autoscaling.toPublish(
                        VersionKey.of(FN, "v1"), new Decision(3, 0, List.of(), false, "low"), T0.plusMillis(1100)))
                .as("a new count at once")
                .hasValueSatisfying(s -> assertThat(s.desired()).isEqualTo(3));
    }

    @Test
    void aReplacedVersionsContainersStopWhenNoCallRunsOnThemAndNoneWaits() {
        DeployedFunction v2 = new DeployedFunction("a", "v2", "C", Path.of("a.jar"), "00", DEPLOYED);
        Map<String, AppDeployment> apps = Map.of("a", new AppDeployment("a", "v2", List.of(v2), T0));
        List<ContainerInfo> containers = List.of(
                container("c-busy", "v1", ContainerState.READY),
                container("c-idle", "v1", ContainerState.READY),
                container("c-starting", "v1", ContainerState.STARTING),
                container("c-current", "v2", ContainerState.READY));

        assertThat(Autoscaling.replacedToStop(
                        containers,
                        Map.of(VersionKey.parse("a--fn@v1"), new FunctionLoad(FN, "v1", 1, 0, T0, Map.of("c-busy", 1))),
                        apps))
                .extracting(ContainerInfo::id)
                .containsExactly("c-idle");
        assertThat(Autoscaling.replacedToStop(
                        containers,
                        Map.of(VersionKey.parse("a--fn@v1"), new FunctionLoad(FN, "v1", 0, 1, T0, Map.of())),
                        apps))
                .as("a request waits for v1")
                .isEmpty();
        assertThat(Autoscaling.replacedToStop(containers, Map.of(), apps))
                .extracting(ContainerInfo::id)
                .containsExactly("c-busy", "c-idle");
    }

    @Test
    void aNewVersionKeepsAsManyContainersAsTheOldRunsReadyUpToItsMax() {
        VersionKey v2 = VersionKey.parse("a--fn@v2");
        List<ContainerInfo> containers = List.of(
                container("c1", "v1", ContainerState.READY),
                container("c2", "v1", ContainerState.READY),
                container("c3", "v1", ContainerState.READY),
                container("c-stopping", "v1", ContainerState.STOPPING),
                container("c-new", "v2", ContainerState.STARTING),
                new ContainerInfo(
                        "c-other",
                        FunctionId.parse("a--other"),
                        "v1",
                        "w1",
                        "127.0.0.1",
                        1,
                        ContainerState.READY,
                        4,
                        T0));

        assertThat(Autoscaling.surge(v2, containers, 0)).isEqualTo(3);
        assertThat(Autoscaling.surge(v2, containers, 2))
                .as("capped by maxContainers")
                .isEqualTo(2);
        assertThat(Autoscaling.surge(VersionKey.parse("a--fn@v1"), List.of(containers.get(0)), 0))
                .as("no older version serves")
                .isZero();
    }

    @Test
    void aReplacedVersionsIdleContainersServeOnUntilTheNewVersionIsReadyAndNoneOfItStarts() {
        DeployedFunction v2 = new DeployedFunction("a", "v2", "C", Path.of("a.jar"), "00", DEPLOYED);
        Map<String, AppDeployment> apps = Map.of("a", new AppDeployment("a", "v2", List.of(v2), T0));
        ContainerInfo old = container("c-old", "v1", ContainerState.READY);
        ContainerInfo unplaced = ContainerInfo.unplaced("c-unplaced", v2, "no worker has room", T0);

        assertThat(Autoscaling.replacedToStop(List.of(old), Map.of(), apps))
                .as("nothing of v2 yet")
                .isEmpty();
        assertThat(Autoscaling.replacedToStop(
                        List.of(old, container("c-new", "v2", ContainerState.STARTING)), Map.of(), apps))
                .as("v2 starts")
                .isEmpty();
        assertThat(Autoscaling.replacedToStop(
                        List.of(
                                old,
                                container("c-new", "v2", ContainerState.READY),
                                container("c-new2", "v2", ContainerState.PENDING)),
                        Map.of(),
                        apps))
                .as("one of v2 ready, another still starting")
                .isEmpty();
        assertThat(Autoscaling.replacedToStop(
                        List.of(old, container("c-new", "v2", ContainerState.READY)), Map.of(), apps))
                .as("every v2 container ready")
                .containsExactly(old);
        assertThat(Autoscaling.replacedToStop(List.of(old, unplaced), Map.of(), apps))
                .as("no worker has room for v2: the old one goes to make room")
                .containsExactly(old);
        assertThat(Autoscaling.replacedToStop(
                        List.of(old), Map.of(), Map.of("a", new AppDeployment("a", "v2", List.of(), T0))))
                .as("the function was dropped")
                .containsExactly(old);
    }
}
