package dev.ferry.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.routing.ContainerInfo;
import dev.ferry.routing.ContainerState;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FunctionPoolTest {

    private final Clock clock = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);

    /** Records what the pool gives it. */
    private static final class Waiter implements SlotWaiter {
        final List<SlotLease> leases = new ArrayList<>();
        String rejected;
        boolean gaveUp;

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
        return new ContainerInfo(id, "a--f", "v1", "w1", "127.0.0.1", 1, ContainerState.READY, maxInputs, Instant.EPOCH);
    }

    @Test
    void queuesUntilAContainerIsReady() {
        FunctionPool pool = new FunctionPool("a--f", "v1", 10, clock);
        Waiter waiter = new Waiter();

        assertThat(pool.tryAcquire()).isNull();
        assertThat(pool.enqueue(waiter)).isTrue();
        assertThat(pool.demand().queued()).isEqualTo(1);

        pool.addContainer(container("c1", 1), null);

        assertThat(waiter.leases).hasSize(1);
        assertThat(pool.demand().queued()).isZero();
        assertThat(pool.demand().inFlight()).isEqualTo(1);
    }

    @Test
    void neverExceedsMaxInputsAndHandsFreedSlotsToWaitersInOrder() {
        FunctionPool pool = new FunctionPool("a--f", "v1", 10, clock);
        pool.addContainer(container("c1", 2), null);
        Waiter c = new Waiter(), d = new Waiter();

        SlotLease a = pool.tryAcquire();
        assertThat(a).isNotNull();
        assertThat(pool.tryAcquire()).isNotNull();
        assertThat(pool.tryAcquire()).isNull();
        assertThat(pool.enqueue(c)).isTrue();
        assertThat(pool.enqueue(d)).isTrue();
        assertThat(c.leases).isEmpty();

        a.release();
        a.release(); // twice is harmless

        assertThat(c.leases).hasSize(1);
        assertThat(d.leases).isEmpty();
        assertThat(pool.demand().inFlight()).isEqualTo(2);
    }

    @Test
    void skipsWaitersThatGaveUp() {
        FunctionPool pool = new FunctionPool("a--f", "v1", 10, clock);
        Waiter gone = new Waiter(), next = new Waiter();
        pool.enqueue(gone);
        pool.enqueue(next);
        gone.gaveUp = true;

        pool.addContainer(container("c1", 1), null);

        assertThat(next.leases).hasSize(1);
        assertThat(pool.demand().inFlight()).isEqualTo(1);
    }

    @Test
    void aWaiterQueuedAsASlotFreesIsGrantedAtOnce() {
        FunctionPool pool = new FunctionPool("a--f", "v1", 10, clock);
        pool.addContainer(container("c1", 1), null);
        Waiter late = new Waiter();

        pool.enqueue(late);

        assertThat(late.leases).hasSize(1);
    }

    @Test
    void aFreedSlotGoesToTheWaiterNotToALaterCaller() {
        FunctionPool pool = new FunctionPool("a--f", "v1", 10, clock);
        pool.addContainer(container("c1", 1), null);
        SlotLease first = pool.tryAcquire();
        Waiter queued = new Waiter();
        pool.enqueue(queued);

        first.release();

        assertThat(queued.leases).hasSize(1);
        assertThat(pool.tryAcquire()).isNull();
    }

    @Test
    void aLostContainersFreedSlotGoesToNoWaiter() {
        FunctionPool pool = new FunctionPool("a--f", "v1", 10, clock);
        pool.addContainer(container("c1", 1), null);
        SlotLease running = pool.tryAcquire();
        Waiter waiting = new Waiter();
        pool.enqueue(waiting);

        running.releaseLost();

        assertThat(waiting.leases).isEmpty();
        assertThat(pool.demand().queued()).isEqualTo(1);
        assertThat(pool.demand().readyContainers()).isZero();
    }

    @Test
    void refusesBeyondTheQueueBound() {
        FunctionPool pool = new FunctionPool("a--f", "v1", 1, clock);
        pool.enqueue(new Waiter());

        assertThat(pool.enqueue(new Waiter())).isFalse();
        assertThat(pool.demand().queued()).isEqualTo(1);
    }

    @Test
    void spreadsCallsOverContainers() {
        FunctionPool pool = new FunctionPool("a--f", "v1", 10, clock);
        pool.addContainer(container("c1", 2), null);
        pool.addContainer(container("c2", 2), null);
        List<SlotLease> leases = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            leases.add(pool.tryAcquire());
        }

        assertThat(leases).extracting(SlotLease::containerId).containsOnly("c1", "c2")
                .filteredOn("c1"::equals).hasSize(2);
        assertThat(pool.tryAcquire()).isNull();
    }

    @Test
    void rejectsEveryWaiterWhenTheContainerCannotStart() {
        FunctionPool pool = new FunctionPool("a--f", "v1", 10, clock);
        Waiter a = new Waiter(), b = new Waiter();
        pool.enqueue(a);
        pool.enqueue(b);

        pool.rejectWaiting("container failed to start");

        assertThat(a.rejected).isEqualTo("container failed to start");
        assertThat(b.rejected).isEqualTo("container failed to start");
        assertThat(pool.demand().queued()).isZero();
    }

    @Test
    void aRemovedContainerTakesNoNewCalls() {
        FunctionPool pool = new FunctionPool("a--f", "v1", 10, clock);
        pool.addContainer(container("c1", 5), null);
        pool.removeContainer("c1");

        assertThat(pool.tryAcquire()).isNull();
    }

    @Test
    void reportsWhyAContainerCannotBePlacedUntilItIsPlacedOrGone() {
        FunctionPool pool = new FunctionPool("a--f", "v1", 10, clock);
        assertThat(pool.unschedulable()).isEmpty();

        pool.unplaced("c1", "no worker has gpu H100:2");
        pool.unplaced("c2", "no worker has gpu H100:2 (again)");
        assertThat(pool.unschedulable()).contains("no worker has gpu H100:2");

        pool.unplaced("c1", ""); // placed
        assertThat(pool.unschedulable()).contains("no worker has gpu H100:2 (again)");
        pool.gone("c2");
        assertThat(pool.unschedulable()).isEmpty();
    }

    @Test
    void anExitReasonReachesCallsThatAskBeforeOrAfterItCame() {
        FunctionPool pool = new FunctionPool("a--f", "v1", 10, clock);
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
        FunctionPool pool = new FunctionPool("a--f", "v1", 10, clock);
        var reason = pool.exitReason("c1");

        pool.gone("c1");

        assertThat(reason).isCompletedWithValue("");
    }
}
