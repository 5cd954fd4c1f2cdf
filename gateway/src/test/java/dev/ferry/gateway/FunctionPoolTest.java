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
        return new ContainerInfo(id, "a--f", "v1", "127.0.0.1", 1, ContainerState.READY, maxInputs, Instant.EPOCH);
    }

    @Test
    void queuesUntilAContainerIsReady() {
        FunctionPool pool = new FunctionPool("a--f", "v1", 10, clock);
        Waiter waiter = new Waiter();

        assertThat(pool.acquire(waiter)).isEqualTo(FunctionPool.Acquired.QUEUED);
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
        Waiter a = new Waiter(), b = new Waiter(), c = new Waiter(), d = new Waiter();

        assertThat(pool.acquire(a)).isEqualTo(FunctionPool.Acquired.GRANTED);
        assertThat(pool.acquire(b)).isEqualTo(FunctionPool.Acquired.GRANTED);
        assertThat(pool.acquire(c)).isEqualTo(FunctionPool.Acquired.QUEUED);
        assertThat(pool.acquire(d)).isEqualTo(FunctionPool.Acquired.QUEUED);

        a.leases.get(0).release();
        a.leases.get(0).release(); // twice is harmless

        assertThat(c.leases).hasSize(1);
        assertThat(d.leases).isEmpty();
        assertThat(pool.demand().inFlight()).isEqualTo(2);
    }

    @Test
    void skipsWaitersThatGaveUp() {
        FunctionPool pool = new FunctionPool("a--f", "v1", 10, clock);
        Waiter gone = new Waiter(), next = new Waiter();
        pool.acquire(gone);
        pool.acquire(next);
        gone.gaveUp = true;

        pool.addContainer(container("c1", 1), null);

        assertThat(next.leases).hasSize(1);
        assertThat(pool.demand().inFlight()).isEqualTo(1);
    }

    @Test
    void refusesBeyondTheQueueBound() {
        FunctionPool pool = new FunctionPool("a--f", "v1", 1, clock);
        pool.acquire(new Waiter());

        assertThat(pool.acquire(new Waiter())).isEqualTo(FunctionPool.Acquired.QUEUE_FULL);
    }

    @Test
    void spreadsCallsOverContainers() {
        FunctionPool pool = new FunctionPool("a--f", "v1", 10, clock);
        pool.addContainer(container("c1", 2), null);
        pool.addContainer(container("c2", 2), null);
        List<Waiter> waiters = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Waiter w = new Waiter();
            waiters.add(w);
            assertThat(pool.acquire(w)).isEqualTo(FunctionPool.Acquired.GRANTED);
        }

        assertThat(waiters).extracting(w -> w.leases.get(0).containerId()).containsOnly("c1", "c2")
                .filteredOn("c1"::equals).hasSize(2);
    }

    @Test
    void rejectsEveryWaiterWhenTheContainerCannotStart() {
        FunctionPool pool = new FunctionPool("a--f", "v1", 10, clock);
        Waiter a = new Waiter(), b = new Waiter();
        pool.acquire(a);
        pool.acquire(b);

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

        assertThat(pool.acquire(new Waiter())).isEqualTo(FunctionPool.Acquired.QUEUED);
    }
}
