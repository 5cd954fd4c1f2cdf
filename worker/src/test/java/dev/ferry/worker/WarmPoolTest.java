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
        public void stop(Member member) {
            stopped.add(member);
        }

        @Override
        public void schedule(Runnable task, Duration delay) {
            delays.add(delay);
            scheduled.add(task);
        }

        void runScheduled() {
            List<Runnable> tasks = new ArrayList<>(scheduled);
            scheduled.clear();
            tasks.forEach(Runnable::run);
        }
    }

    private final FakeMembers members = new FakeMembers();

    private WarmPool<Member> pool(int size, int warmingAtOnce) {
        return new WarmPool<>(size, warmingAtOnce, members, Runnable::run);
    }

    @Test
    void startsOnlyAsManyAtOnceAsAllowedAndRefillsAsMembersGetWarm() {
        WarmPool<Member> pool = pool(3, 1);
        pool.start();
        assertThat(members.launched).hasSize(1);
        assertThat(pool.status()).isEqualTo(new WarmPool.Status(3, 0, 1));

        pool.warm(members.launched.get(0));
        assertThat(members.launched).hasSize(2);
        pool.warm(members.launched.get(1));
        pool.warm(members.launched.get(2));

        assertThat(members.launched).hasSize(3);
        assertThat(pool.status()).isEqualTo(new WarmPool.Status(3, 3, 0));
    }

    @Test
    void takesTheOldestIdleMemberThenAWarmingOneAndRefillsBehind() {
        WarmPool<Member> pool = pool(2, 2);
        pool.start();
        Member first = members.launched.get(0);
        Member second = members.launched.get(1);
        pool.warm(second);

        assertThat(pool.take()).contains(second); // idle before warming
        Member third = members.launched.get(2); // the refill
        assertThat(pool.take()).contains(first); // then the warming one that started first
        assertThat(pool.take()).contains(third);
        assertThat(members.launched).hasSize(5);
        assertThat(pool.status()).isEqualTo(new WarmPool.Status(2, 0, 2));
    }

    @Test
    void neverGivesAMemberTwice() {
        WarmPool<Member> pool = pool(1, 1);
        pool.start();
        Member member = members.launched.get(0);
        pool.warm(member);
        assertThat(pool.take()).contains(member);

        // It reports warm or exits later (it is a container now): the pool is not fooled.
        pool.warm(member);
        pool.exited(member, true);

        assertThat(pool.take()).isNotEqualTo(java.util.Optional.of(member));
        assertThat(members.delays).isEmpty(); // a container's exit is no failure of the pool's
    }

    @Test
    void replacesAMemberThatExitsBeforeItIsTaken() {
        WarmPool<Member> pool = pool(1, 1);
        pool.start();
        Member member = members.launched.get(0);
        pool.warm(member);

        pool.exited(member, true); // an idle member crashed: replaced at once

        assertThat(members.launched).hasSize(2);
        assertThat(pool.take()).contains(members.launched.get(1));
    }

    @Test
    void backsOffAfterMembersFailWhileWarmingAndResetsOnceOneIsWarm() {
        WarmPool<Member> pool = pool(1, 1);
        pool.start();

        pool.exited(members.launched.get(0), true);
        assertThat(members.launched).hasSize(1); // waiting, not looping
        assertThat(members.delays).containsExactly(Duration.ofSeconds(1));

        members.runScheduled();
        assertThat(members.launched).hasSize(2);
        pool.exited(members.launched.get(1), true);
        members.runScheduled();
        pool.exited(members.launched.get(2), true);
        assertThat(members.delays).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4));

        members.runScheduled();
        pool.warm(members.launched.get(3));
        pool.exited(members.launched.get(3), true); // idle, then crashed: replaced without a wait
        assertThat(members.launched).hasSize(5);
        pool.exited(members.launched.get(4), true);
        assertThat(members.delays).last().isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void aFailedLaunchBacksOffToo() {
        members.failLaunches = true;
        WarmPool<Member> pool = pool(2, 2);
        pool.start();

        assertThat(members.delays).containsExactly(Duration.ofSeconds(1)); // two failed, one wait
        assertThat(pool.status()).isEqualTo(new WarmPool.Status(2, 0, 0));
        members.failLaunches = false;
        members.runScheduled();
        assertThat(members.launched).hasSize(2);
    }

    @Test
    void theBackOffStopsAtAMinute() {
        members.failLaunches = true;
        WarmPool<Member> pool = pool(1, 1);
        pool.start();
        for (int i = 0; i < 12; i++) {
            members.runScheduled();
        }
        assertThat(members.delays).last().isEqualTo(WarmPool.MAX_BACKOFF);
    }

    @Test
    void aStoppedMemberIsNoFailure() {
        WarmPool<Member> pool = pool(1, 1);
        pool.start();
        pool.exited(members.launched.get(0), false);
        assertThat(members.delays).isEmpty();
        assertThat(members.launched).hasSize(2);
    }

    @Test
    void closeStopsEveryMemberItHoldsAndStartsNoMore() {
        WarmPool<Member> pool = pool(2, 2);
        pool.start();
        pool.warm(members.launched.get(0));

        List<Member> left = pool.close();

        assertThat(left).containsExactlyInAnyOrder(members.launched.get(0), members.launched.get(1));
        assertThat(members.stopped).containsExactlyInAnyOrderElementsOf(left);
        pool.exited(members.launched.get(0), false);
        assertThat(members.launched).hasSize(2);
        assertThat(pool.take()).isEmpty();
    }

    @Test
    void refusesSizesBelowOne() {
        assertThatThrownBy(() -> pool(0, 1)).hasMessage("size: 0 (expected: >= 1)");
        assertThatThrownBy(() -> pool(1, 0)).hasMessage("warmingAtOnce: 0 (expected: >= 1)");
    }
}
