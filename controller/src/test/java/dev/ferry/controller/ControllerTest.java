package dev.ferry.controller;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.request.protocol.FunctionId;
import dev.ferry.request.protocol.FunctionSettings;
import dev.ferry.routing.AppDeployment;
import dev.ferry.routing.AppJars;
import dev.ferry.routing.ContainerInfo;
import dev.ferry.routing.ContainerResources;
import dev.ferry.routing.ContainerState;
import dev.ferry.routing.DemandSample;
import dev.ferry.routing.DeployedFunction;
import dev.ferry.routing.RoutingStore;
import dev.ferry.routing.WorkerGpu;
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
    private static final FunctionId FN = FunctionId.parse("a--fn");

    private final MutableClock clock = new MutableClock(T0);
    private final RoutingStore store = RoutingStore.inMemory();
    private Controller controller;

    @BeforeEach
    void start(@TempDir Path jars) {
        controller = new Controller(store, "c1", clock, ControllerTimings.CLUSTER, new AppJars(store, jars));
        controller.listen();
    }

    /** One tick, after what the store's changes queued on the controller thread, and what it queued. */
    private void tick() {
        controller.sync();
        controller.tick();
        controller.sync();
    }

    @AfterEach
    void close() {
        controller.close();
    }

    private void deploy(Duration scaledownWindow) {
        deploy(scaledownWindow, List.of());
    }

    private void deploy(Duration scaledownWindow, List<String> gpu) {
        FunctionSettings settings = new FunctionSettings(
                "fn",
                4,
                4,
                Duration.ofSeconds(30),
                scaledownWindow,
                0,
                0,
                0,
                0,
                0,
                gpu,
                0,
                FunctionSettings.DEFAULT_MAX_WEBSOCKET_MESSAGE,
                List.of());
        store.deploy(new AppDeployment(
                "a", "v1", List.of(new DeployedFunction("a", "v1", "C", Path.of("a.jar"), "00", settings)), T0));
    }

    private void worker(String id, Instant heartbeat) {
        store.putWorker(new WorkerInfo(id, "127.0.0.1", 2, 1 << 30, List.of(), Map.of(), heartbeat));
    }

    private void gpuWorker(String id, Instant heartbeat, int h100s) {
        List<WorkerGpu> gpus = new java.util.ArrayList<>();
        for (int i = 0; i < h100s; i++) {
            gpus.add(new WorkerGpu(i, "GPU-" + id + "-" + i, "H100", 81559));
        }
        store.putWorker(new WorkerInfo(id, "127.0.0.1", 16, 64L << 30, gpus, Map.of(), heartbeat));
    }

    /** Workers beat, time passes by {@code by}, and the controller ticks. */
    private void tickAfter(Duration by, String... liveWorkers) {
        clock.advance(by);
        for (String w : liveWorkers) {
            store.workers().stream()
                    .filter(i -> i.id().equals(w))
                    .findFirst()
                    .ifPresent(i -> store.putWorker(i.withHeartbeat(clock.instant())));
        }
        tick();
    }

    private List<ContainerInfo> of(String function) {
        return store.containers().stream()
                .filter(c -> c.function().equals(FunctionId.parse(function)))
                .toList();
    }

    private void waiting(int queued) {
        store.recordDemand(new DemandSample("g1", FN, "v1", 0, queued, clock.instant(), clock.instant()));
    }

    /** A gateway reports {@code inFlight} calls running now. */
    private void calls(int inFlight) {
        calls(inFlight, Map.of());
    }

    private void calls(int inFlight, Map<String, Integer> busy) {
        store.recordDemand(new DemandSample("g1", FN, "v1", inFlight, 0, clock.instant(), clock.instant(), busy));
    }

    private ContainerInfo container(String id, String worker, ContainerState state) {
        ContainerInfo c = new ContainerInfo(id, FN, "v1", worker, "127.0.0.1", 1, state, 4, T0);
        store.putContainer(c);
        return c;
    }

    @Test
    void placesAContainerForWaitingRequestsOnALiveWorkerWithTheDefaultResources() {
        deploy(Duration.ofMinutes(1));
        worker("w0", T0.minusSeconds(60)); // dead: no heartbeat for a minute
        worker("w1", T0);
        worker("w2", T0);
        store.putContainer(new ContainerInfo(
                "ct-aaaaaaaa", FunctionId.parse("b--other"), "v1", "w1", "127.0.0.1", 1, ContainerState.READY, 1, T0));
        waiting(1);

        tick();

        assertThat(store.containers())
                .filteredOn(c -> c.function().equals(FN))
                .singleElement()
                .satisfies(c -> {
                    assertThat(c.state()).isEqualTo(ContainerState.PENDING);
                    assertThat(c.worker()).isIn("w1", "w2");
                    assertThat(c.resources())
                            .isEqualTo(new ContainerResources(
                                    ClusterView.DEFAULT_CPU, ClusterView.DEFAULT_MEMORY_MIB, List.of()));
                    assertThat(c.version()).isEqualTo("v1");
                    assertThat(c.maxInputs()).isEqualTo(4);
                });
    }

    @Test
    void placesOneContainerPerMaxInputsCallsWaitingAndNoMoreOnLaterTicks() {
        deploy(Duration.ofMinutes(1));
        worker("w1", T0);
        waiting(5); // maxInputs 4: two containers

        tick();
        tick();
        tickAfter(Duration.ofMillis(500), "w1");

        assertThat(store.containers())
                .hasSize(2)
                .allSatisfy(c -> assertThat(c.worker()).isEqualTo("w1"));
    }

    @Test
    void aContainerThatFitsNowhereWaitsUnplacedWithTheReasonAndIsPlacedWhenAWorkerFits() {
        deploy(Duration.ofMinutes(1), List.of("H100:2"));
        worker("w1", T0);
        gpuWorker("g1", T0, 1);
        waiting(1);

        tick();

        assertThat(store.containers()).singleElement().satisfies(c -> {
            assertThat(c.unplaced()).isTrue();
            assertThat(c.reason()).contains("H100:2");
        });

        gpuWorker("g2", clock.instant(), 2);
        tickAfter(Duration.ofMillis(250), "w1", "g1", "g2");

        assertThat(store.containers()).singleElement().satisfies(c -> {
            assertThat(c.worker()).isEqualTo("g2");
            assertThat(c.resources().gpus()).containsExactlyInAnyOrder(0, 1);
            assertThat(c.reason()).isEmpty();
        });
    }

    @Test
    void neverGivesOneGpuToTwoContainers() {
        deploy(Duration.ofMinutes(1), List.of("H100"));
        gpuWorker("g1", T0, 2);
        waiting(12); // three containers wanted, two GPUs

        tick();

        assertThat(store.containers())
                .filteredOn(c -> !c.unplaced())
                .hasSize(2)
                .flatExtracting(c -> c.resources().gpus())
                .containsExactlyInAnyOrder(0, 1);
        assertThat(store.containers())
                .filteredOn(ContainerInfo::unplaced)
                .singleElement()
                .extracting(ContainerInfo::reason)
                .asString()
                .contains("H100");
    }

    @Test
    void anUnplacedContainerThatNothingWaitsForGoesAfterTheScaledownWindow() {
        deploy(Duration.ofSeconds(30), List.of("H100"));
        worker("w1", T0);
        waiting(1);
        tick();
        assertThat(store.containers())
                .singleElement()
                .extracting(ContainerInfo::unplaced)
                .isEqualTo(true);

        store.recordDemand(
                new DemandSample("g1", FN, "v1", 0, 0, clock.instant(), clock.instant())); // the caller gave up
        tickAfter(Duration.ofSeconds(29), "w1");
        assertThat(store.containers()).hasSize(1);

        tickAfter(Duration.ofSeconds(2), "w1");
        assertThat(store.containers()).isEmpty();
    }

    @Test
    void aContainerThatDiesServingIsReplacedAndRepeatedCrashesBackOff() {
        deploy(Duration.ofMinutes(1));
        worker("w1", T0);
        tick();
        ContainerInfo first = container("ct-aaaaaaaa", "w1", ContainerState.READY);

        store.putContainer(first.withState(ContainerState.FAILED).withReason("out of memory (limit 128 MiB)"));
        store.removeContainer(first.id());
        tickAfter(Duration.ofMillis(1), "w1");

        // The first crash backs off a little before the replacement starts.
        assertThat(of("a--fn")).singleElement().satisfies(c -> {
            assertThat(c.unplaced()).isTrue();
            assertThat(c.reason()).contains("out of memory (limit 128 MiB)");
        });
        clock.advance(Duration.ofSeconds(61));
        worker("w1", clock.instant());
        calls(1); // the function is in use: the replacement is wanted
        tick();
        ContainerInfo replacement = of("a--fn").getFirst();
        assertThat(replacement.worker()).isEqualTo("w1");

        // It crashes twice more, at once: a crash loop, reported in the record.
        for (int i = 0; i < 2; i++) {
            ContainerInfo c = of("a--fn").getFirst();
            store.putContainer(c.withState(ContainerState.READY));
            store.putContainer(c.withState(ContainerState.FAILED).withReason("exited with code 1"));
            store.removeContainer(c.id());
            tickAfter(Duration.ofMillis(1), "w1");
            if (i == 0) {
                clock.advance(Duration.ofSeconds(61));
                worker("w1", clock.instant());
                calls(1);
                tick();
            }
        }
        assertThat(of("a--fn")).singleElement().satisfies(c -> {
            assertThat(c.unplaced()).isTrue();
            assertThat(c.reason()).startsWith("crash loop: exited with code 1; next start in ");
        });
    }

    @Test
    void aContainerThatFailsToStartIsNotReplacedWithoutDemand() {
        deploy(Duration.ofMinutes(1));
        worker("w1", T0);
        tick();
        ContainerInfo c = container("ct-aaaaaaaa", "w1", ContainerState.PENDING);

        store.putContainer(c.withState(ContainerState.FAILED).withReason("class C not found"));
        store.removeContainer(c.id());
        tickAfter(Duration.ofSeconds(1), "w1");

        assertThat(store.containers()).isEmpty();
    }

    @Test
    void withoutALiveWorkerTheContainerWaitsUnplacedWithTheReasonAndIsPlacedWhenOneRegisters() {
        deploy(Duration.ofMinutes(1));
        waiting(1);

        tick();
        assertThat(store.containers()).singleElement().satisfies(c -> {
            assertThat(c.unplaced()).isTrue();
            assertThat(c.reason()).isEqualTo("no worker has joined the cluster");
        });

        worker("w1", clock.instant());
        tick();
        assertThat(store.containers()).singleElement().satisfies(c -> {
            assertThat(c.worker()).isEqualTo("w1");
            assertThat(c.reason()).isEmpty();
        });
    }

    @Test
    void aStaleDemandSampleDoesNotPlaceAContainer() {
        deploy(Duration.ofMinutes(1));
        worker("w1", T0);
        waiting(3);
        clock.advance(Duration.ofSeconds(10)); // the gateway stopped reporting long ago
        worker("w1", clock.instant());

        tick();

        assertThat(store.containers()).isEmpty();
    }

    @Test
    void aWorkerThatMissedThreeHeartbeatsIsLostAndItsContainersAreReplacedElsewhere() {
        deploy(Duration.ofMinutes(1));
        worker("w1", T0);
        worker("w2", T0);
        container("ct-aaaaaaaa", "w1", ContainerState.READY);
        container("ct-bbbbbbbb", "w2", ContainerState.READY);
        tick(); // becomes the leader at T0
        tickAfter(ControllerTimings.CLUSTER.settle(), "w1", "w2");

        tickAfter(Duration.ofSeconds(2), "w2");
        assertThat(store.workers()).hasSize(2); // two beats missed: not yet

        tickAfter(Duration.ofMillis(1500), "w2");

        assertThat(store.workers()).extracting(WorkerInfo::id).containsExactly("w2");
        assertThat(store.containers())
                .filteredOn(c -> c.id().equals("ct-aaaaaaaa"))
                .isEmpty();
        assertThat(store.containers())
                .filteredOn(c -> !c.id().equals("ct-bbbbbbbb"))
                .singleElement()
                .satisfies(c -> {
                    assertThat(c.worker()).isEqualTo("w2");
                    assertThat(c.state()).isEqualTo(ContainerState.PENDING);
                    assertThat(c.version()).isEqualTo("v1");
                });
    }

    @Test
    void forgetsAPlacementItsWorkerNeverTookUp() {
        deploy(Duration.ofMinutes(1));
        worker("w1", T0);
        container("ct-aaaaaaaa", "w1", ContainerState.PENDING);
        tick();
        clock.advance(Healing.PENDING_TIMEOUT.plusSeconds(1));
        worker("w1", clock.instant());

        tick();

        assertThat(store.containers()).isEmpty();
    }

    @Test
    void marksAContainerIdleForItsWindowStoppingButOnlyAfterSettlingAsANewLeader() {
        deploy(Duration.ofSeconds(1));
        worker("w1", T0);
        container("ct-aaaaaaaa", "w1", ContainerState.READY);
        store.recordDemand(new DemandSample("g1", FN, "v1", 0, 0, T0, T0));
        clock.advance(Duration.ofSeconds(5));
        worker("w1", clock.instant());

        tick(); // the new leader waits for gateways to report what they carry
        assertThat(store.containers()).extracting(ContainerInfo::state).containsExactly(ContainerState.READY);

        clock.advance(ControllerTimings.CLUSTER.settle());
        worker("w1", clock.instant());
        tick();
        assertThat(store.containers()).extracting(ContainerInfo::state).containsExactly(ContainerState.STOPPING);
    }

    @Test
    void afterTheStoreLostItsDataNothingIsStoppedUntilGatewaysHadTimeToReport() {
        deploy(Duration.ofSeconds(1));
        worker("w1", T0);
        container("ct-aaaaaaaa", "w1", ContainerState.READY);
        tick();
        clock.advance(Duration.ofSeconds(30));
        worker("w1", clock.instant());

        controller.sync();
        controller.afterDataLoss(); // no demand sample left: the container looks idle since it started
        tick();
        assertThat(store.containers()).extracting(ContainerInfo::state).containsExactly(ContainerState.READY);

        clock.advance(ControllerTimings.CLUSTER.settle());
        worker("w1", clock.instant());
        tick();
        assertThat(store.containers()).extracting(ContainerInfo::state).containsExactly(ContainerState.STOPPING);
    }

    @Test
    void aContainerWithCallsInFlightIsNotStopped() {
        deploy(Duration.ofSeconds(1));
        worker("w1", T0);
        container("ct-aaaaaaaa", "w1", ContainerState.READY);
        tick();
        clock.advance(Duration.ofSeconds(5));
        worker("w1", clock.instant());
        store.recordDemand(new DemandSample("g1", FN, "v1", 1, 0, T0, clock.instant()));

        tick();

        assertThat(store.containers()).extracting(ContainerInfo::state).containsExactly(ContainerState.READY);
    }

    // ---- autoscaling ----

    private void bigWorker(String id) {
        store.putWorker(new WorkerInfo(id, "127.0.0.1", 64, 64L << 30, List.of(), Map.of(), clock.instant()));
    }

    private List<ContainerInfo> running() {
        return of("a--fn").stream()
                .filter(c -> c.state() != ContainerState.STOPPING)
                .toList();
    }

    /** Every container of a--fn placed so far reports ready. */
    private void allReady() {
        of("a--fn").stream()
                .filter(c -> c.state() == ContainerState.PENDING && !c.unplaced())
                .forEach(c -> store.putContainer(c.withState(ContainerState.READY)));
    }

    @Test
    void aBurstFromZeroStartsOneContainerPerTargetInputsAtOnceAndPublishesWhy() {
        deploy(Duration.ofSeconds(30));
        bigWorker("w1");
        waiting(40); // maxInputs 4 (and target 4): ten containers

        controller.sync();
        controller.tick();
        controller.sync();

        assertThat(running()).hasSize(10).allSatisfy(c -> assertThat(c.worker()).isEqualTo("w1"));
        assertThat(store.scaleStatuses()).singleElement().satisfies(status -> {
            assertThat(status.desired()).isEqualTo(10);
            assertThat(status.panic()).isTrue();
            assertThat(status.reason()).startsWith("burst: 40 in flight + queued, target 4 per container → 10");
        });
    }

    @Test
    void theQueueThatBuildsWhileContainersStartAsksOnlyForWhatArrives() {
        deploy(Duration.ofSeconds(10)); // panic window 1 s
        bigWorker("w1");
        waiting(20);
        tick();
        assertThat(running()).hasSize(5);

        // 20 calls a second keep arriving while the five start: each second's 20 need 5
        // containers, and the five on their way take them; the queue of a second ago asks for none.
        for (int s = 1; s <= 4; s++) {
            clock.advance(Duration.ofSeconds(1));
            bigWorker("w1");
            waiting(20 + 20 * s);
            tick();
            assertThat(running()).as("second %d", s).hasSize(5);
        }
        assertThat(store.scaleStatuses())
                .singleElement()
                .satisfies(status -> assertThat(status.reason())
                        .contains("not counting a backlog of 80, the queue of 1 s ago, which the 5 ready or starting"
                                + " take"));
    }

    @Test
    void aWorkerStartsOneContainerPerCoreAtOnceAndTheRestAsTheyBecomeReady() {
        deploy(Duration.ofSeconds(30));
        worker("w1", T0); // 2 cores: two starts at once
        waiting(16);

        tick();
        assertThat(of("a--fn")).filteredOn(c -> !c.unplaced()).hasSize(2);
        assertThat(of("a--fn"))
                .filteredOn(ContainerInfo::unplaced)
                .hasSize(2)
                .allSatisfy(c -> assertThat(c.reason())
                        .isEqualTo(
                                "waiting for a start slot: the workers it fits on are starting all they may at once"));

        allReady();
        tick();
        assertThat(of("a--fn")).filteredOn(c -> !c.unplaced()).hasSize(4);
        assertThat(of("a--fn")).filteredOn(ContainerInfo::unplaced).isEmpty();

        // With both start slots taken, and no room for some either: those say the room is short.
        waiting(40);
        tick();
        // Two still start; 1 GiB holds 8: 4 more wait for a slot, and the last 2 of the 10 wanted have no room.
        List<String> reasons = of("a--fn").stream()
                .filter(ContainerInfo::unplaced)
                .map(ContainerInfo::reason)
                .toList();
        assertThat(reasons).hasSize(6);
        assertThat(reasons)
                .filteredOn(r -> r.startsWith("waiting for a start slot"))
                .hasSize(4);
        assertThat(reasons)
                .filteredOn(r -> r.startsWith("no worker has 0.125 CPUs and 128 MiB free"))
                .hasSize(2);
    }

    @Test
    void scaleDownWaitsForTheWindowAndStopsOnlyIdleContainers() {
        deploy(Duration.ofSeconds(10));
        bigWorker("w1");
        waiting(12);
        tick();
        allReady();
        List<String> ids = running().stream().map(ContainerInfo::id).toList();
        assertThat(ids).hasSize(3);

        // The calls run, then one long call is left on the first container.
        for (int s = 0; s < 5; s++) {
            clock.advance(Duration.ofSeconds(1));
            bigWorker("w1");
            calls(12, Map.of(ids.get(0), 4, ids.get(1), 4, ids.get(2), 4));
            tick();
        }
        for (int s = 0; s < 9; s++) {
            clock.advance(Duration.ofSeconds(1));
            bigWorker("w1");
            calls(1, Map.of(ids.get(0), 1));
            tick();
            assertThat(running()).as("within the window, second " + s).hasSize(3);
        }
        for (int s = 0; s < 12; s++) {
            clock.advance(Duration.ofSeconds(1));
            bigWorker("w1");
            calls(1, Map.of(ids.get(0), 1));
            tick();
        }

        assertThat(running())
                .extracting(ContainerInfo::id)
                .as("the busy one stays")
                .containsExactly(ids.get(0));
        assertThat(of("a--fn"))
                .filteredOn(c -> c.state() == ContainerState.STOPPING)
                .hasSize(2);
        assertThat(store.scaleStatuses())
                .singleElement()
                .extracting(s -> s.desired())
                .isEqualTo(1);
    }

    @Test
    void anOverrideTakesEffectWithoutARedeployAndTheNextDeployStartsAfresh() {
        deploy(Duration.ofSeconds(30));
        bigWorker("w1");
        store.putScaleOverride(new dev.ferry.routing.ScaleOverride(FN, "v1", 2, 3, null, null, null, clock.instant()));

        tick();
        assertThat(running()).as("min 2, with no demand at all").hasSize(2);

        waiting(40);
        tick();
        assertThat(running()).as("max 3").hasSize(3);
        assertThat(store.scaleStatuses())
                .singleElement()
                .extracting(s -> s.reason())
                .asString()
                .contains("(max 3)");

        FunctionSettings settings = new FunctionSettings(
                "fn",
                4,
                4,
                Duration.ofSeconds(30),
                Duration.ofSeconds(30),
                0,
                0,
                0,
                0,
                0,
                List.of(),
                0,
                FunctionSettings.DEFAULT_MAX_WEBSOCKET_MESSAGE,
                List.of());
        store.deploy(new AppDeployment(
                "a", "v2", List.of(new DeployedFunction("a", "v2", "C", Path.of("a.jar"), "00", settings)), T0));
        store.recordDemand(new DemandSample("g1", FN, "v2", 0, 40, clock.instant(), clock.instant()));
        tick();

        assertThat(of("a--fn"))
                .filteredOn(c -> c.version().equals("v2"))
                .as("v2 has no max")
                .hasSize(10);
    }

    @Test
    void aNewLeaderScalesUpButDoesNotScaleDownOnHistoryItNeverSaw() {
        deploy(Duration.ofSeconds(10));
        bigWorker("w1");
        for (int i = 0; i < 4; i++) {
            container("ct-0000000" + i, "w1", ContainerState.READY);
        }
        tick(); // the leader at T0, with nothing in flight: it holds 4 for one window
        for (int s = 0; s < 9; s++) {
            clock.advance(Duration.ofSeconds(1));
            bigWorker("w1");
            tick();
        }
        assertThat(running()).hasSize(4);
        assertThat(store.scaleStatuses())
                .singleElement()
                .extracting(s -> s.reason())
                .asString()
                .startsWith("holding 4 after restart until");

        for (int s = 0; s < 3; s++) {
            clock.advance(Duration.ofSeconds(1));
            bigWorker("w1");
            tick();
        }
        assertThat(running()).as("idle for a whole window once it knows").isEmpty();
    }

    @Test
    void aReplacedVersionsContainersStartTheirSuccessorsAndStopOnceTheseAreReadyAndTheyAreIdle() {
        deploy(Duration.ofMinutes(10));
        bigWorker("w1");
        container("ct-aaaaaaaa", "w1", ContainerState.READY);
        container("ct-bbbbbbbb", "w1", ContainerState.READY);
        tick();
        tickAfter(ControllerTimings.CLUSTER.settle(), "w1");
        FunctionSettings settings = new FunctionSettings(
                "fn",
                4,
                4,
                Duration.ofSeconds(30),
                Duration.ofMinutes(10),
                0,
                0,
                0,
                0,
                0,
                List.of(),
                0,
                FunctionSettings.DEFAULT_MAX_WEBSOCKET_MESSAGE,
                List.of());
        store.deploy(new AppDeployment(
                "a", "v2", List.of(new DeployedFunction("a", "v2", "C", Path.of("a.jar"), "00", settings)), T0));
        calls(1, Map.of("ct-aaaaaaaa", 1)); // a long call of v1 still runs

        tickAfter(Duration.ofMillis(250), "w1");

        List<ContainerInfo> successors =
                of("a--fn").stream().filter(c -> c.version().equals("v2")).toList();
        assertThat(successors)
                .as("as many of v2 as v1 runs ready, placed")
                .hasSize(2)
                .allSatisfy(c -> assertThat(c.unplaced()).isFalse());
        assertThat(of("a--fn"))
                .as("v1 serves on while v2 starts, the idle one too")
                .noneMatch(c -> c.state() == ContainerState.STOPPING);

        successors.forEach(c -> store.putContainer(c.withState(ContainerState.READY)));
        tickAfter(Duration.ofMillis(250), "w1");

        assertThat(of("a--fn"))
                .filteredOn(c -> c.state() == ContainerState.STOPPING)
                .extracting(ContainerInfo::id)
                .containsExactly("ct-bbbbbbbb");
        calls(0);
        tickAfter(Duration.ofMillis(250), "w1");
        assertThat(of("a--fn"))
                .filteredOn(c -> c.version().equals("v1"))
                .allSatisfy(c -> assertThat(c.state()).isEqualTo(ContainerState.STOPPING));
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

    private void pooledWorker(String id, int idleMembers) {
        store.putWorker(new WorkerInfo(id, "127.0.0.1", 2, 1 << 30, List.of(), Map.of(), T0)
                .withPool(new dev.ferry.routing.WorkerPool(4, idleMembers, 4 - idleMembers)));
    }

    @Test
    void aContainerGoesToAWorkerWithAnIdlePoolMemberFirst() {
        deploy(Duration.ofSeconds(30));
        worker("w1", T0); // the scheduler's choice on a tie: the lowest id
        pooledWorker("w2", 1);
        waiting(8); // two containers: one takes w2's member, the other goes where the scheduler puts it

        tick();

        assertThat(of("a--fn")).extracting(ContainerInfo::worker).containsExactlyInAnyOrder("w2", "w1");
        assertThat(of("a--fn").stream()
                        .sorted(java.util.Comparator.comparing(ContainerInfo::startedAt)
                                .thenComparing(ContainerInfo::id))
                        .findFirst()
                        .orElseThrow()
                        .worker())
                .isEqualTo("w2");
    }

    @Test
    void idlePoolMembersAddToAWorkersStartSlots() {
        deploy(Duration.ofSeconds(30));
        pooledWorker("w1", 3); // 2 cores: two fresh starts at once, plus one per idle member

        waiting(40);
        tick();

        assertThat(of("a--fn")).filteredOn(c -> !c.unplaced()).hasSize(5);
    }

    @Test
    void theLeaderDeletesDemandSamplesNoGatewayRenewed() {
        deploy(Duration.ofSeconds(30));
        store.recordDemand(new DemandSample("g-dead", FN, "v1", 2, 0, clock.instant(), clock.instant()));
        tick();
        clock.advance(Duration.ofSeconds(30));
        calls(1); // g1 lives on
        tick();
        assertThat(store.demand()).extracting(DemandSample::gateway).containsExactly("g-dead", "g1");

        clock.advance(Controller.DEMAND_EXPIRY.minusSeconds(29));
        calls(1);
        tick();

        assertThat(store.demand())
                .as("g-dead's sample, older than the expiry, is gone; g1's renewed one stays")
                .extracting(DemandSample::gateway)
                .containsExactly("g1");
    }
}
