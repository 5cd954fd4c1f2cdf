package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.request.protocol.FunctionSettings;
import dev.ferry.routing.AppDeployment;
import dev.ferry.routing.ContainerInfo;
import dev.ferry.routing.ContainerState;
import dev.ferry.routing.DemandSample;
import dev.ferry.routing.DeployedFunction;
import dev.ferry.routing.RoutingStore;
import dev.ferry.routing.WorkerInfo;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The controller's decisions, on an in-memory store, with time given by the test and ticks run by hand. */
class ControllerTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private final MutableClock clock = new MutableClock(T0);
    private final RoutingStore store = RoutingStore.inMemory();
    private Controller controller;

    @BeforeEach
    void start(@TempDir Path jars) {
        controller = new Controller(store, "c1", clock, Controller.Timings.CLUSTER, new AppJars(store, jars));
    }

    @AfterEach
    void close() {
        controller.close();
    }

    private void deploy(Duration scaledownWindow) {
        FunctionSettings settings = new FunctionSettings("fn", 4, 4, Duration.ofSeconds(30), scaledownWindow, 0, 0, 0, 0, 0,
                List.of(), 0, FunctionSettings.DEFAULT_MAX_WEBSOCKET_MESSAGE, List.of());
        store.deploy(new AppDeployment("a", "v1", List.of(new DeployedFunction("a", "v1", "C", Path.of("a.jar"), "00", settings)), T0));
    }

    private void worker(String id, Instant heartbeat) {
        store.putWorker(new WorkerInfo(id, "127.0.0.1", 2, 1 << 30, 0, Map.of(), heartbeat));
    }

    private void waiting(int queued) {
        store.recordDemand(new DemandSample("g1", "a--fn", "v1", 0, queued, clock.instant(), clock.instant()));
    }

    private ContainerInfo container(String id, String worker, ContainerState state) {
        ContainerInfo c = new ContainerInfo(id, "a--fn", "v1", worker, "127.0.0.1", 1, state, 4, T0);
        store.putContainer(c);
        return c;
    }

    @Test
    void placesAContainerForWaitingRequestsOnTheLiveWorkerWithFewestContainers() {
        deploy(Duration.ofMinutes(1));
        worker("w0", T0.minusSeconds(60)); // dead: no heartbeat for a minute
        worker("w1", T0);
        worker("w2", T0);
        store.putContainer(new ContainerInfo("ct-aaaaaaaa", "b--other", "v1", "w1", "127.0.0.1", 1, ContainerState.READY, 1, T0));
        waiting(1);

        controller.tick();

        assertThat(store.containers()).filteredOn(c -> c.function().equals("a--fn"))
                .singleElement()
                .satisfies(c -> {
                    assertThat(c.state()).isEqualTo(ContainerState.PENDING);
                    assertThat(c.worker()).isEqualTo("w2");
                    assertThat(c.version()).isEqualTo("v1");
                    assertThat(c.maxInputs()).isEqualTo(4);
                });
    }

    @Test
    void placesOneContainerHoweverManyRequestsWait() {
        deploy(Duration.ofMinutes(1));
        worker("w1", T0);
        waiting(5);

        controller.tick();
        controller.tick();
        clock.advance(Duration.ofSeconds(10));
        worker("w1", clock.instant());
        controller.tick();

        assertThat(store.containers()).hasSize(1);
    }

    @Test
    void placesNothingWithoutALiveWorkerAndPlacesWhenOneRegisters() {
        deploy(Duration.ofMinutes(1));
        waiting(1);

        controller.tick();
        assertThat(store.containers()).isEmpty();

        worker("w1", clock.instant());
        controller.tick();
        assertThat(store.containers()).singleElement().extracting(ContainerInfo::worker).isEqualTo("w1");
    }

    @Test
    void aStaleDemandSampleDoesNotPlaceAContainer() {
        deploy(Duration.ofMinutes(1));
        worker("w1", T0);
        waiting(3);
        clock.advance(Duration.ofSeconds(10)); // the gateway stopped reporting long ago
        worker("w1", clock.instant());

        controller.tick();

        assertThat(store.containers()).isEmpty();
    }

    @Test
    void forgetsAWorkerThatMissedItsHeartbeatsAndItsContainers() {
        deploy(Duration.ofMinutes(1));
        worker("w1", T0);
        worker("w2", T0);
        container("ct-aaaaaaaa", "w1", ContainerState.READY);
        container("ct-bbbbbbbb", "w2", ContainerState.READY);
        controller.tick(); // becomes the leader at T0
        clock.advance(Duration.ofSeconds(11));
        worker("w2", clock.instant());

        controller.tick();

        assertThat(store.workers()).extracting(WorkerInfo::id).containsExactly("w2");
        assertThat(store.containers()).extracting(ContainerInfo::id).containsExactly("ct-bbbbbbbb");
    }

    @Test
    void forgetsAPlacementItsWorkerNeverTookUp() {
        deploy(Duration.ofMinutes(1));
        worker("w1", T0);
        container("ct-aaaaaaaa", "w1", ContainerState.PENDING);
        controller.tick();
        clock.advance(Controller.PENDING_TIMEOUT.plusSeconds(1));
        worker("w1", clock.instant());

        controller.tick();

        assertThat(store.containers()).isEmpty();
    }

    @Test
    void marksAContainerIdleForItsWindowStoppingButOnlyAfterSettlingAsANewLeader() {
        deploy(Duration.ofSeconds(1));
        worker("w1", T0);
        container("ct-aaaaaaaa", "w1", ContainerState.READY);
        store.recordDemand(new DemandSample("g1", "a--fn", "v1", 0, 0, T0, T0));
        clock.advance(Duration.ofSeconds(5));
        worker("w1", clock.instant());

        controller.tick(); // the new leader waits for gateways to report what they carry
        assertThat(store.containers()).extracting(ContainerInfo::state).containsExactly(ContainerState.READY);

        clock.advance(Controller.Timings.CLUSTER.settle());
        worker("w1", clock.instant());
        controller.tick();
        assertThat(store.containers()).extracting(ContainerInfo::state).containsExactly(ContainerState.STOPPING);
    }

    @Test
    void afterTheStoreLostItsDataNothingIsStoppedUntilGatewaysHadTimeToReport() {
        deploy(Duration.ofSeconds(1));
        worker("w1", T0);
        container("ct-aaaaaaaa", "w1", ContainerState.READY);
        controller.tick();
        clock.advance(Duration.ofSeconds(30));
        worker("w1", clock.instant());

        controller.afterDataLoss(); // no demand sample left: the container looks idle since it started
        controller.tick();
        assertThat(store.containers()).extracting(ContainerInfo::state).containsExactly(ContainerState.READY);

        clock.advance(Controller.Timings.CLUSTER.settle());
        worker("w1", clock.instant());
        controller.tick();
        assertThat(store.containers()).extracting(ContainerInfo::state).containsExactly(ContainerState.STOPPING);
    }

    @Test
    void aContainerWithCallsInFlightIsNotStopped() {
        deploy(Duration.ofSeconds(1));
        worker("w1", T0);
        container("ct-aaaaaaaa", "w1", ContainerState.READY);
        controller.tick();
        clock.advance(Duration.ofSeconds(5));
        worker("w1", clock.instant());
        store.recordDemand(new DemandSample("g1", "a--fn", "v1", 1, 0, T0, clock.instant()));

        controller.tick();

        assertThat(store.containers()).extracting(ContainerInfo::state).containsExactly(ContainerState.READY);
    }

    /** A clock the test moves. */
    static final class MutableClock extends Clock {
        private volatile Instant now;

        MutableClock(Instant start) {
            this.now = start;
        }

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
