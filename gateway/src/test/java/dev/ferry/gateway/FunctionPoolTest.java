package dev.ferry.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.request.protocol.FunctionId;
import dev.ferry.request.protocol.VersionKey;
import dev.ferry.routing.ContainerInfo;
import dev.ferry.routing.ContainerState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FunctionPoolTest {

    private final Clock clock = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
    /** The pool's timer, run by hand: what is due runs when a test says time has passed. */
    private final List<Runnable> timers = new ArrayList<>();

    private final List<Duration> delays = new ArrayList<>();

    private FunctionPool newPool() {
        return new FunctionPool(VersionKey.parse("a--f@v1"), clock, (delay, task) -> {
            delays.add(delay);
            timers.add(task);
        });
    }

    private void runTimers() {
        List<Runnable> due = new ArrayList<>(timers);
        timers.clear();
        due.forEach(Runnable::run);
    }

    /** Records what the pool gives it. */
    private static final class Waiter implements SlotWaiter {
        final List<SlotLease> leases = new ArrayList<>();
        String rejected;
        boolean gaveUp;
        FunctionPool movedTo;

        @Override
        public void moved(FunctionPool pool) {
            movedTo = pool;
        }

        @Override
        public boolean grant(SlotLease lease) {
            if (gaveUp) {
                return false;
            }
            leases.add(lease);
            return true;
        }

        @Override
        public void reject(String reason) {
            rejected = reason;
        }
    }

    private static ContainerInfo container(String id, int maxInputs) {
        return new ContainerInfo(
                id,
                FunctionId.parse("a--f"),
                "v1",
                "w1",
                "127.0.0.1",
                1,
                ContainerState.READY,
                maxInputs,
                Instant.EPOCH);
    }

    @Test
    void queuesUntilAContainerIsReady() {
        FunctionPool pool = newPool();
        Waiter waiter = new Waiter();

        assertThat(pool.tryAcquire()).isNull();
        assertThat(pool.enqueue(waiter, 10)).isTrue();
        assertThat(pool.demand().queued()).isEqualTo(1);

        pool.addContainer(container("c1", 1), null);

        assertThat(waiter.leases).hasSize(1);
        assertThat(pool.demand().queued()).isZero();
        assertThat(pool.demand().inFlight()).isEqualTo(1);
    }

    @Test
    void neverExceedsMaxInputsAndHandsFreedSlotsToWaitersInOrder() {
        FunctionPool pool = newPool();
        pool.addContainer(container("c1", 2), null);
        Waiter c = new Waiter(), d = new Waiter();

        SlotLease a = pool.tryAcquire();
        assertThat(a).isNotNull();
        assertThat(pool.tryAcquire()).isNotNull();
        assertThat(pool.tryAcquire()).isNull();
        assertThat(pool.enqueue(c, 10)).isTrue();
        assertThat(pool.enqueue(d, 10)).isTrue();
        assertThat(c.leases).isEmpty();

        a.release();
        a.release(); // twice is harmless

        assertThat(c.leases).hasSize(1);
        assertThat(d.leases).isEmpty();
        assertThat(pool.demand().inFlight()).isEqualTo(2);
    }

    @Test
    void skipsWaitersThatGaveUp() {
        FunctionPool pool = newPool();
        Waiter gone = new Waiter(), next = new Waiter();
        pool.enqueue(gone, 10);
        pool.enqueue(next, 10);
        gone.gaveUp = true;

        pool.addContainer(container("c1", 1), null);

        assertThat(next.leases).hasSize(1);
        assertThat(pool.demand().inFlight()).isEqualTo(1);
    }

    @Test
    void aWaiterQueuedAsASlotFreesIsGrantedAtOnce() {
        FunctionPool pool = newPool();
        pool.addContainer(container("c1", 1), null);
        Waiter late = new Waiter();

        pool.enqueue(late, 10);

        assertThat(late.leases).hasSize(1);
    }

    @Test
    void aFreedSlotGoesToTheWaiterNotToALaterCaller() {
        FunctionPool pool = newPool();
        pool.addContainer(container("c1", 1), null);
        SlotLease first = pool.tryAcquire();
        Waiter queued = new Waiter();
        pool.enqueue(queued, 10);

        first.release();

        assertThat(queued.leases).hasSize(1);
        assertThat(pool.tryAcquire()).isNull();
    }

    @Test
    void aLostContainersFreedSlotGoesToNoWaiter() {
        FunctionPool pool = newPool();
        pool.addContainer(container("c1", 1), null);
        SlotLease running = pool.tryAcquire();
        Waiter waiting = new Waiter();
        pool.enqueue(waiting, 10);

        running.releaseLost();

        assertThat(waiting.leases).isEmpty();
        assertThat(pool.demand().queued()).isEqualTo(1);
        assertThat(pool.demand().readyContainers()).isZero();
    }

    @Test
    void refusesBeyondTheQueueBound() {
        FunctionPool pool = newPool();
        pool.enqueue(new Waiter(), 1);

        assertThat(pool.enqueue(new Waiter(), 1)).isFalse();
        assertThat(pool.demand().queued()).isEqualTo(1);
    }

    @Test
    void spreadsCallsOverContainers() {
        FunctionPool pool = newPool();
        pool.addContainer(container("c1", 2), null);
        pool.addContainer(container("c2", 2), null);
        List<SlotLease> leases = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            leases.add(pool.tryAcquire());
        }

        assertThat(leases)
                .extracting(SlotLease::containerId)
                .containsOnly("c1", "c2")
                .filteredOn("c1"::equals)
                .hasSize(2);
        assertThat(pool.tryAcquire()).isNull();
    }

    @Test
    void rejectsEveryWaiterWhenTheContainerCannotStart() {
        FunctionPool pool = newPool();
        Waiter a = new Waiter(), b = new Waiter();
        pool.enqueue(a, 10);
        pool.enqueue(b, 10);

        pool.rejectWaiting("container failed to start");

        assertThat(a.rejected).isEqualTo("container failed to start");
        assertThat(b.rejected).isEqualTo("container failed to start");
        assertThat(pool.demand().queued()).isZero();
    }

    @Test
    void aRemovedContainerTakesNoNewCalls() {
        FunctionPool pool = newPool();
        pool.addContainer(container("c1", 5), null);
        pool.removeContainer("c1");

        assertThat(pool.tryAcquire()).isNull();
    }

    @Test
    void reportsWhyAContainerCannotBePlacedUntilItIsPlacedOrGone() {
        FunctionPool pool = newPool();
        assertThat(pool.unschedulable()).isEmpty();

        pool.placement("c1", "no worker has gpu H100:2", false);
        pool.placement("c2", "no worker has gpu H100:2 (again)", false);
        assertThat(pool.unschedulable()).contains("no worker has gpu H100:2");

        pool.placement("c1", "", false); // placed, then gone
        pool.gone("c1");
        assertThat(pool.unschedulable()).contains("no worker has gpu H100:2 (again)");
        pool.gone("c2");
        assertThat(pool.unschedulable()).isEmpty();
    }

    @Test
    void extraContainersThatCannotBePlacedDoNotTurnAwayRequestsWhileOthersServeOrStart() {
        FunctionPool pool = newPool();
        pool.placement("c1", "", true); // starting on a worker
        pool.placement("c2", "no worker has 0.125 CPUs and 128 MiB free", false);
        assertThat(pool.unschedulable()).as("c1 is on its way").isEmpty();

        pool.placement("c1", "", false); // it failed
        assertThat(pool.unschedulable()).contains("no worker has 0.125 CPUs and 128 MiB free");
    }

    @Test
    void anExitReasonReachesCallsThatAskBeforeOrAfterItCame() {
        FunctionPool pool = newPool();
        var early = pool.exitReason("c1");
        assertThat(early).isNotDone();

        pool.exited("c1", "out of memory (limit 256 MiB)");
        pool.gone("c1");

        assertThat(early).isCompletedWithValue("out of memory (limit 256 MiB)");
        assertThat(pool.exitReason("c1")).isCompletedWithValue("out of memory (limit 256 MiB)");
        pool.forgetExit("c1");
        assertThat(pool.exitReason("c1")).isNotDone(); // forgotten: a late caller bounds its own wait
    }

    @Test
    void aContainerGoneWithoutAReasonAnswersEmpty() {
        FunctionPool pool = newPool();
        var reason = pool.exitReason("c1");

        pool.gone("c1");

        assertThat(reason).isCompletedWithValue("");
    }

    @Test
    void releasesTheQueueToTheLeastLoadedContainerAndNeverBeyondMaxInputs() {
        FunctionPool pool = newPool();
        pool.addContainer(container("c1", 4), null);
        for (int i = 0; i < 3; i++) {
            assertThat(pool.tryAcquire().containerId()).isEqualTo("c1");
        }
        pool.addContainer(container("c2", 4), null);
        List<Waiter> waiters = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            Waiter w = new Waiter();
            waiters.add(w);
            pool.enqueue(w, 10);
        }

        // c2 runs fewer until it runs as many as c1; then both fill, and the sixth waits.
        assertThat(waiters.subList(0, 3))
                .allSatisfy(w ->
                        assertThat(w.leases).extracting(SlotLease::containerId).containsExactly("c2"));
        assertThat(waiters.get(5).leases).isEmpty();
        assertThat(pool.demand().busy()).containsExactlyInAnyOrderEntriesOf(Map.of("c1", 4, "c2", 4));
        assertThat(pool.demand().queued()).isEqualTo(1);
    }

    @Test
    void aNewContainerTakesOnlyItsMaxInputsOfTheQueue() {
        FunctionPool pool = newPool();
        pool.addContainer(container("c1", 2), null);
        SlotLease running = pool.tryAcquire();
        pool.tryAcquire();
        List<Waiter> waiters = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Waiter w = new Waiter();
            waiters.add(w);
            pool.enqueue(w, 10);
        }

        pool.addContainer(container("c2", 3), null);

        // First come, first served: the first three go to c2, the rest wait for a slot.
        assertThat(waiters.subList(0, 3))
                .allSatisfy(w ->
                        assertThat(w.leases).extracting(SlotLease::containerId).containsExactly("c2"));
        assertThat(waiters.subList(3, 5)).allSatisfy(w -> assertThat(w.leases).isEmpty());
        assertThat(pool.demand().busy()).containsExactlyInAnyOrderEntriesOf(Map.of("c1", 2, "c2", 3));

        running.release();

        assertThat(waiters.get(3).leases).extracting(SlotLease::containerId).containsExactly("c1");
        assertThat(waiters.get(4).leases).isEmpty();
    }

    @Test
    void aRefusingContainerCountsAsFullUntilTheHoldExpires() {
        FunctionPool pool = newPool();
        pool.addContainer(container("c1", 2), null);
        pool.tryAcquire();
        SlotLease refused = pool.tryAcquire();

        refused.releaseRefused();

        // One of its two slots is free as this gateway counts, but another gateway holds it.
        assertThat(pool.demand().busy()).containsExactlyEntriesOf(Map.of("c1", 1));
        assertThat(pool.tryAcquire()).isNull();
        Waiter waiter = new Waiter();
        pool.requeue(waiter);
        assertThat(waiter.leases).isEmpty();
        assertThat(delays).containsExactly(FunctionPool.REFUSAL_HOLD);

        runTimers();

        assertThat(waiter.leases).extracting(SlotLease::containerId).containsExactly("c1");
    }

    @Test
    void aCallOfThisGatewayEndingFreesItsSlotDuringAHold() {
        FunctionPool pool = newPool();
        pool.addContainer(container("c1", 3), null);
        SlotLease ours = pool.tryAcquire();
        pool.tryAcquire();
        pool.tryAcquire().releaseRefused();
        Waiter first = new Waiter(), second = new Waiter();
        pool.enqueue(first, 10);
        pool.enqueue(second, 10);

        ours.release();

        // The slot our call held is free for sure; the one the container refused is not.
        assertThat(first.leases).hasSize(1);
        assertThat(second.leases).isEmpty();
        runTimers();
        assertThat(second.leases).hasSize(1);
    }

    @Test
    void onlyTheLatestRefusalsHoldEndsIt() {
        FunctionPool pool = newPool();
        pool.addContainer(container("c1", 2), null);
        pool.tryAcquire().releaseRefused();
        assertThat(pool.tryAcquire()).isNull();
        Runnable firstHold = timers.removeFirst();
        firstHold.run();
        pool.tryAcquire().releaseRefused(); // free again, and refused again

        Waiter waiter = new Waiter();
        pool.requeue(waiter);
        firstHold.run(); // late: the second refusal's hold goes on

        assertThat(waiter.leases).isEmpty();
        runTimers();
        assertThat(waiter.leases).hasSize(1);
    }

    @Test
    void aRequeuedWaiterGoesFirst() {
        FunctionPool pool = newPool();
        pool.addContainer(container("c1", 1), null);
        SlotLease running = pool.tryAcquire();
        Waiter queued = new Waiter(), refused = new Waiter();
        pool.enqueue(queued, 1);
        pool.requeue(refused); // past the queue bound: it held a slot a moment ago

        running.release();

        assertThat(refused.leases).hasSize(1);
        assertThat(queued.leases).isEmpty();
        assertThat(pool.demand().queued()).isEqualTo(1);
    }

    @Test
    void aHandOverMovesTheWaitersAheadOfTheNewPoolsAndForwardsLaterOnes() {
        FunctionPool old = newPool();
        FunctionPool next = new FunctionPool(VersionKey.parse("a--f@v2"), clock, (delay, task) -> timers.add(task));
        Waiter first = new Waiter(), second = new Waiter(), alreadyThere = new Waiter(), later = new Waiter();
        old.enqueue(first, 10);
        old.enqueue(second, 10);
        next.enqueue(alreadyThere, 10);

        old.handOver(next);

        assertThat(old.handedOver()).isTrue();
        assertThat(old.demand().queued()).isZero();
        assertThat(first.movedTo).isSameAs(next);
        assertThat(old.enqueue(later, 10)).isTrue();
        assertThat(later.movedTo).as("queued after the hand-over").isSameAs(next);
        next.addContainer(container("c2", 3), null);
        assertThat(first.leases).hasSize(1);
        assertThat(second.leases).hasSize(1);
        assertThat(alreadyThere.leases).as("behind those that waited longer").hasSize(1);
        assertThat(later.leases).as("the container's 3 inputs are taken").isEmpty();
    }

    @Test
    void aVersionHasRolledOutOnceAContainerIsReadyAndNoneStarts() {
        FunctionPool pool = newPool();
        pool.placement("c1", "", true);
        pool.placement("c2", "", true);
        assertThat(pool.rolledOut()).isFalse();

        pool.placement("c1", "", false);
        pool.addContainer(container("c1", 1), null);
        assertThat(pool.rolledOut()).as("c2 still starts").isFalse();

        pool.placement("c2", "", false);
        pool.addContainer(container("c2", 1), null);
        assertThat(pool.rolledOut()).isTrue();
        assertThat(pool.readyContainers()).isEqualTo(2);
    }
}
