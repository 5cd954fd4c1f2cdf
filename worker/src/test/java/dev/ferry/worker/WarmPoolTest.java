package dev.ferry.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pool's rules, with members that are plain objects, launches that run at once and a manual clock. */
class WarmPoolTest {

    /** A member: just a number. */
    record Member(int n) {}

    /** Launches in order, records stops, keeps scheduled tasks until the test runs them. */
    static final class FakeMembers implements WarmPool.Members<Member> {
        final List<Member> launched = new ArrayList<>();
        final List<Member> watched = new ArrayList<>();
        final List<Member> toldToWarm = new ArrayList<>();
        final List<Member> stopped = new ArrayList<>();
        final List<Duration> delays = new ArrayList<>();
        final List<Runnable> scheduled = new ArrayList<>();
        boolean failLaunches;

        @Override
        public Member launch() throws Exception {
            if (failLaunches) {
                throw new java.io.IOException("no java");
            }
            Member m = new Member(launched.size() + 1);
            launched.add(m);
            return m;
        }

        @Override
        public void watch(Member member) {
            watched.add(member);
        }

        @Override
        public void warmUp(Member member) {
            toldToWarm.add(member);
        }

        @Override
        public void stop(Member member) {
            stopped.add(member);
        }

        @Override
        public void schedule(Runnable task, Duration delay) {
            delays.add(delay);
            scheduled.add(task);
        }

        /** The back-off delays: what was scheduled besides the refills that follow a take. */
        List<Duration> backoffs() {
            return delays.stream()
                    .filter(d -> !d.equals(WarmPool.REFILL_AFTER_TAKE))
                    .toList();
        }

        void runScheduled() {
            List<Runnable> tasks = new ArrayList<>(scheduled);
            scheduled.clear();
            tasks.forEach(Runnable::run);
        }
    }

    private final FakeMembers members = new FakeMembers();

    private WarmPool<Member> pool(int size, int startingAtOnce, int warmingAtOnce) {
        return new WarmPool<>(new WarmPool.Limits(size, startingAtOnce, warmingAtOnce, size), members, Runnable::run);
    }

    /** Started and warm, as a member reports it. */
    private void warmUp(WarmPool<Member> pool, Member member) {
        pool.started(member);
        pool.warm(member);
    }

    @Test
    void startsAsManyAtOnceAsAllowedAndWatchesEachOnceHeld() {
        WarmPool<Member> pool = pool(5, 2, 1);
        pool.start();
        assertThat(members.launched).hasSize(2);
        assertThat(members.watched).isEqualTo(members.launched);
        assertThat(pool.status()).isEqualTo(new WarmPool.Status(5, 0, 0, 2));

        pool.started(members.launched.get(0));
        assertThat(members.launched).hasSize(3); // a start slot freed
        pool.started(members.launched.get(1));
        pool.started(members.launched.get(2));
        assertThat(members.launched).hasSize(5);
        assertThat(pool.status()).isEqualTo(new WarmPool.Status(5, 3, 0, 2));
    }

    @Test
    void warmsStartedMembersInTurnOldestFirst() {
        WarmPool<Member> pool = pool(3, 3, 1);
        pool.start();
        Member first = members.launched.get(0);
        Member second = members.launched.get(1);
        Member third = members.launched.get(2);
        pool.started(second);
        pool.started(first);
        assertThat(members.toldToWarm).containsExactly(second); // one at a time
        pool.started(third);

        pool.warm(second);
        assertThat(members.toldToWarm).containsExactly(second, first);
        pool.warm(first);
        pool.warm(third); // not told yet: ignored
        assertThat(members.toldToWarm).containsExactly(second, first, third);
        pool.warm(third);
        assertThat(pool.status()).isEqualTo(new WarmPool.Status(3, 3, 3, 0));
        assertThat(members.launched).hasSize(3);
    }

    @Test
    void aMemberTakenWhileWarmingFreesItsTurn() {
        WarmPool<Member> pool = pool(3, 3, 1);
        pool.start();
        members.launched.forEach(pool::started);
        assertThat(members.toldToWarm).containsExactly(members.launched.get(0));

        assertThat(pool.take()).contains(members.launched.get(0));
        assertThat(members.toldToWarm).hasSize(1); // the refill waits: the member taken loads its function
        members.runScheduled();

        assertThat(members.toldToWarm).containsExactly(members.launched.get(0), members.launched.get(1));
        pool.warm(members.launched.get(0)); // (its container's report: ignored)
        assertThat(pool.status()).isEqualTo(new WarmPool.Status(3, 2, 0, 1));
    }

    @Test
    void takesTheMemberFurthestAlongAndRefillsBehind() {
        WarmPool<Member> pool = pool(4, 4, 1);
        pool.start();
        List<Member> first = List.copyOf(members.launched);
        first.forEach(pool::started); // the oldest warms up
        pool.warm(first.get(0)); // the next warms up, two wait their turn

        assertThat(pool.take()).contains(first.get(0)); // warm
        assertThat(members.launched).hasSize(4); // the refill comes a little later
        assertThat(members.delays).containsExactly(WarmPool.REFILL_AFTER_TAKE);
        members.runScheduled();
        assertThat(pool.take()).contains(first.get(1)); // warming
        members.runScheduled();
        assertThat(pool.take()).contains(first.get(2)); // started
        members.runScheduled();
        assertThat(pool.take()).contains(first.get(3));
        members.runScheduled();
        assertThat(pool.take()).contains(members.launched.get(4)); // starting, a refill
        members.runScheduled();
        assertThat(members.launched).hasSize(9); // refilled behind each
    }

    @Test
    void neverGivesAMemberTwice() {
        WarmPool<Member> pool = pool(1, 1, 1);
        pool.start();
        Member member = members.launched.get(0);
        warmUp(pool, member);
        assertThat(pool.take()).contains(member);

        // It reports or exits later (it is a container now): the pool is not fooled.
        pool.started(member);
        pool.warm(member);
        pool.exited(member, true);

        members.runScheduled();
        assertThat(pool.take()).isNotEqualTo(java.util.Optional.of(member));
        assertThat(members.backoffs()).isEmpty(); // a container's exit is no failure of the pool's
    }

    @Test
    void replacesAMemberThatExitsBeforeItIsTaken() {
        WarmPool<Member> pool = pool(1, 1, 1);
        pool.start();
        Member member = members.launched.get(0);
        warmUp(pool, member);

        pool.exited(member, true); // a warm member crashed: replaced at once

        assertThat(members.launched).hasSize(2);
        assertThat(pool.take()).contains(members.launched.get(1));
    }

    @Test
    void backsOffAfterMembersFailBeforeTheyAreWarmAndResetsOnceOneIsWarm() {
        WarmPool<Member> pool = pool(1, 1, 1);
        pool.start();

        pool.exited(members.launched.get(0), true); // while starting
        assertThat(members.launched).hasSize(1); // waiting, not looping
        assertThat(members.delays).containsExactly(Duration.ofSeconds(1));

        members.runScheduled();
        assertThat(members.launched).hasSize(2);
        pool.started(members.launched.get(1));
        pool.exited(members.launched.get(1), true); // while warming up
        members.runScheduled();
        pool.exited(members.launched.get(2), true);
        assertThat(members.delays).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4));

        members.runScheduled();
        warmUp(pool, members.launched.get(3));
        pool.exited(members.launched.get(3), true); // warm, then crashed: replaced without a wait
        assertThat(members.launched).hasSize(5);
        pool.exited(members.launched.get(4), true);
        assertThat(members.delays).last().isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void aBackOffHoldsStartsButNotWarmUps() {
        WarmPool<Member> pool = pool(2, 2, 1);
        pool.start();
        pool.exited(members.launched.get(0), true);
        pool.started(members.launched.get(1));

        assertThat(members.toldToWarm).containsExactly(members.launched.get(1));
        assertThat(members.launched).hasSize(2); // the replacement waits for the back-off
    }

    @Test
    void aFailedLaunchBacksOffToo() {
        members.failLaunches = true;
        WarmPool<Member> pool = pool(2, 2, 2);
        pool.start();

        assertThat(members.delays).containsExactly(Duration.ofSeconds(1)); // two failed, one wait
        assertThat(pool.status()).isEqualTo(new WarmPool.Status(2, 0, 0, 0));
        members.failLaunches = false;
        members.runScheduled();
        assertThat(members.launched).hasSize(2);
    }

    @Test
    void theBackOffStopsAtAMinute() {
        members.failLaunches = true;
        WarmPool<Member> pool = pool(1, 1, 1);
        pool.start();
        for (int i = 0; i < 12; i++) {
            members.runScheduled();
        }
        assertThat(members.delays).last().isEqualTo(WarmPool.MAX_BACKOFF);
    }

    @Test
    void aStoppedMemberIsNoFailure() {
        WarmPool<Member> pool = pool(1, 1, 1);
        pool.start();
        pool.exited(members.launched.get(0), false);
        assertThat(members.delays).isEmpty();
        assertThat(members.launched).hasSize(2);
    }

    @Test
    void closeStopsEveryMemberItHoldsAndStartsNoMore() {
        WarmPool<Member> pool = pool(3, 3, 1);
        pool.start();
        warmUp(pool, members.launched.get(0));
        pool.started(members.launched.get(1));

        List<Member> left = pool.close();

        assertThat(left).containsExactlyInAnyOrderElementsOf(members.launched);
        assertThat(members.stopped).containsExactlyInAnyOrderElementsOf(left);
        pool.exited(members.launched.get(0), false);
        pool.started(members.launched.get(2));
        assertThat(members.launched).hasSize(3);
        assertThat(pool.take()).isEmpty();
    }

    @Test
    void aMemberLaunchedAfterCloseIsWatchedAndStopped() {
        List<Runnable> pending = new ArrayList<>();
        WarmPool<Member> pool = new WarmPool<>(new WarmPool.Limits(1, 1, 1, 1), members, pending::add);
        pool.start();
        pool.close();
        pending.forEach(Runnable::run);

        assertThat(members.watched).isEqualTo(members.launched); // its exit cleans up after it
        assertThat(members.stopped).isEqualTo(members.launched);
    }

    @Test
    void keepsAtMostSoManyWarmAndTheRestStarted() {
        WarmPool<Member> pool = new WarmPool<>(new WarmPool.Limits(4, 4, 2, 2), members, Runnable::run);
        pool.start();
        members.launched.forEach(pool::started);
        assertThat(members.toldToWarm).containsExactly(members.launched.get(0), members.launched.get(1));
        pool.warm(members.launched.get(0));
        pool.warm(members.launched.get(1));
        assertThat(members.toldToWarm).hasSize(2);
        assertThat(pool.status()).isEqualTo(new WarmPool.Status(4, 4, 2, 0));

        assertThat(pool.take()).contains(members.launched.get(0)); // a warm one goes: the next warms up
        members.runScheduled();

        assertThat(members.toldToWarm).last().isEqualTo(members.launched.get(2));
    }

    @Test
    void limitsOnCoresAndTheirChecks() {
        assertThat(WarmPool.Limits.forCores(15, 2)).isEqualTo(new WarmPool.Limits(15, 2, 1, 4));
        assertThat(WarmPool.Limits.forCores(2, 8)).isEqualTo(new WarmPool.Limits(2, 8, 4, 2));
        assertThat(WarmPool.Limits.forCores(3, 0)).isEqualTo(new WarmPool.Limits(3, 1, 1, 2));
        assertThatThrownBy(() -> pool(0, 1, 1)).hasMessage("size: 0 (expected: >= 1)");
        assertThatThrownBy(() -> pool(1, 0, 1)).hasMessage("startingAtOnce: 0 (expected: >= 1)");
        assertThatThrownBy(() -> pool(1, 1, 0)).hasMessage("warmingAtOnce: 0 (expected: >= 1)");
        assertThatThrownBy(() -> new WarmPool.Limits(2, 1, 1, 3)).hasMessage("warmAtMost: 3 (expected: 1..2)");
    }
}
