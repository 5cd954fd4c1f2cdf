package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.request.protocol.FunctionSettings;
import dev.ferry.routing.AppDeployment;
import dev.ferry.routing.ContainerInfo;
import dev.ferry.routing.ContainerState;
import dev.ferry.routing.DeployedFunction;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Scale-to-zero decisions, with time given by the test. */
class IdleReaperTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private static AppDeployment app(String version, Duration window) {
        FunctionSettings settings = new FunctionSettings("fn", 4, 4, Duration.ofSeconds(30), window, 0, 0, 0, 0, 0, List.of(), 0, FunctionSettings.DEFAULT_MAX_WEBSOCKET_MESSAGE, List.of());
        return new AppDeployment("a", version, List.of(new DeployedFunction("a", version, "C", Path.of("a.jar"), "00", settings)), T0);
    }

    private static ContainerInfo container(String id, String version, ContainerState state) {
        return new ContainerInfo(id, "a--fn", version, "w1", "127.0.0.1", 1, state, 4, T0);
    }

    private static FunctionLoad demand(String version, int inFlight, int queued, Instant lastActive) {
        return new FunctionLoad("a--fn", version, inFlight, queued, lastActive);
    }

    @Test
    void keepsAContainerWithinItsScaledownWindow() {
        List<String> stop = IdleReaper.containersToStop(T0.plusSeconds(59),
                List.of(container("c1", "v1", ContainerState.READY)), List.of(demand("v1", 0, 0, T0)),
                List.of(app("v1", Duration.ofSeconds(60))));

        assertThat(stop).isEmpty();
    }

    @Test
    void stopsAContainerIdleForItsScaledownWindow() {
        List<String> stop = IdleReaper.containersToStop(T0.plusSeconds(60),
                List.of(container("c1", "v1", ContainerState.READY)), List.of(demand("v1", 0, 0, T0)),
                List.of(app("v1", Duration.ofSeconds(60))));

        assertThat(stop).containsExactly("c1");
    }

    @Test
    void countsIdleTimeFromTheLastActivity() {
        List<String> stop = IdleReaper.containersToStop(T0.plusSeconds(90),
                List.of(container("c1", "v1", ContainerState.READY)), List.of(demand("v1", 0, 0, T0.plusSeconds(40))),
                List.of(app("v1", Duration.ofSeconds(60))));

        assertThat(stop).isEmpty();
    }

    @Test
    void neverStopsAContainerWithCallsInFlightOrWaiting() {
        List<AppDeployment> apps = List.of(app("v1", Duration.ofSeconds(1)));
        List<ContainerInfo> containers = List.of(container("c1", "v1", ContainerState.READY));

        assertThat(IdleReaper.containersToStop(T0.plusSeconds(3600), containers, List.of(demand("v1", 1, 0, T0)), apps)).isEmpty();
        assertThat(IdleReaper.containersToStop(T0.plusSeconds(3600), containers, List.of(demand("v1", 0, 2, T0)), apps)).isEmpty();
    }

    @Test
    void countsAContainerThatNeverServedFromItsStart() {
        List<AppDeployment> apps = List.of(app("v1", Duration.ofSeconds(60)));
        List<ContainerInfo> containers = List.of(container("c1", "v1", ContainerState.READY));

        assertThat(IdleReaper.containersToStop(T0.plusSeconds(30), containers, List.of(), apps)).isEmpty();
        assertThat(IdleReaper.containersToStop(T0.plusSeconds(60), containers, List.of(), apps)).containsExactly("c1");
    }

    @Test
    void stopsAnIdleContainerOfAReplacedVersionAtOnce() {
        List<String> stop = IdleReaper.containersToStop(T0.plusSeconds(1),
                List.of(container("old", "v1", ContainerState.READY), container("new", "v2", ContainerState.READY)),
                List.of(demand("v1", 0, 0, T0), demand("v2", 0, 0, T0)), List.of(app("v2", Duration.ofSeconds(60))));

        assertThat(stop).containsExactly("old");
    }

    @Test
    void leavesStartingAndStoppingContainersAlone() {
        List<String> stop = IdleReaper.containersToStop(T0.plusSeconds(3600),
                List.of(container("c1", "v1", ContainerState.STARTING), container("c2", "v1", ContainerState.STOPPING)),
                List.of(), List.of(app("v1", Duration.ofSeconds(1))));

        assertThat(stop).isEmpty();
    }
}
