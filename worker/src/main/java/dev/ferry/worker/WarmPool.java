package dev.ferry.worker;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * The accounting of a worker's warm pool: which members are starting, which have started and
 * wait for their turn to warm up, which warm up, and which are warm; when to start new ones and
 * when to warm them. Generic in what a member is, so that the rules are tested without
 * processes.
 *
 * <p>The rules:
 * <ul>
 *   <li>The pool keeps {@code size} members in any of those stages. A member taken for a
 *       container leaves the pool for good (a member is never given a second function); one
 *       that exits before it is taken is replaced.</li>
 *   <li>Members start {@code startingAtOnce} at a time, and warm up {@code warmingAtOnce} at a
 *       time, oldest first, until {@code warmAtMost} are warm or warming. A started member (a
 *       JVM that has bound its port) already becomes a container in milliseconds, so a pool is
 *       ready for a burst long before its members are warm; warming up is CPU-bound, so members
 *       take turns, and a pool refilling never takes the machine from the containers it serves
 *       (members also run at a lower CPU priority where the worker can set it).</li>
 *   <li>{@link #take()} gives the member furthest along: the oldest warm one, else the one that
 *       began warming up first (its warm-up ends early), else the oldest started one, else the
 *       one that began starting first (still ahead of a fresh start), else nothing: the caller
 *       starts a fresh process, as without a pool.</li>
 *   <li>A member that fails before it is warm (exits, or cannot be launched) delays the next
 *       start: 1 s, doubling to at most 60 s, until one warms up; a broken runtime costs a start
 *       now and then, not a loop.</li>
 * </ul>
 *
 * <p>Thread-safe. Launches run on the given executor, never under the pool's lock.
 */
final class WarmPool<M> {

    /** How a pool starts, warms and stops its members, and how it waits. */
    interface Members<M> {
        /** Starts a member. */
        M launch() throws Exception;

        /**
         * Starts reporting what {@code member} does: {@link WarmPool#started} when it takes
         * instructions, {@link WarmPool#warm} when it is warm, {@link WarmPool#exited} when it
         * exits. Called once the pool holds it, so that no report comes before the pool knows it.
         */
        void watch(M member);

        /** Tells a started member to warm up (it reports {@link WarmPool#warm}). */
        void warmUp(M member);

        /** Asks a member that is still the pool's to exit (it reports {@link WarmPool#exited}). */
        void stop(M member);

        /** Runs {@code task} after {@code delay}. */
        void schedule(Runnable task, Duration delay);
    }

    /** The first delay after a failed member; it doubles with each failure in a row. */
    static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);

    /** The longest delay between failed members. */
    static final Duration MAX_BACKOFF = Duration.ofSeconds(60);

    private static final System.Logger logger = System.getLogger(WarmPool.class.getName());

    /**
     * How big a pool is and how fast it fills.
     *
     * @param size members to keep, {@code >= 1}
     * @param startingAtOnce members that may start at the same time, {@code >= 1}
     * @param warmingAtOnce members that may warm up at the same time, {@code >= 1}
     * @param warmAtMost members kept warm or warming, {@code 1..size}: the rest stay started,
     *     so that a large pool (for bursts) does not cost a warm-up per member on a small machine
     */
    record Limits(int size, int startingAtOnce, int warmingAtOnce, int warmAtMost) {
        Limits {
            if (size < 1) {
                throw new IllegalArgumentException("size: " + size + " (expected: >= 1)");
            }
            if (startingAtOnce < 1) {
                throw new IllegalArgumentException("startingAtOnce: " + startingAtOnce + " (expected: >= 1)");
            }
            if (warmingAtOnce < 1) {
                throw new IllegalArgumentException("warmingAtOnce: " + warmingAtOnce + " (expected: >= 1)");
            }
            if (warmAtMost < 1 || warmAtMost > size) {
                throw new IllegalArgumentException("warmAtMost: " + warmAtMost + " (expected: 1.." + size + ")");
            }
        }

        /** The limits for a machine with {@code cores}: starts one per core, warm-ups one per two, two warm per core. */
        static Limits forCores(int size, int cores) {
            int c = Math.max(1, cores);
            return new Limits(size, c, Math.max(1, c / 2), Math.min(size, 2 * c));
        }
    }

    private final Limits limits;
    private final Members<M> members;
    private final Executor launches;

    // all guarded by this; each stage oldest first
    private final Deque<M> starting = new ArrayDeque<>();
    private final Deque<M> started = new ArrayDeque<>();
    private final Deque<M> warming = new ArrayDeque<>();
    private final Deque<M> warm = new ArrayDeque<>();
    private int launching;
    private final CompletableFuture<Void> firstStarted = new CompletableFuture<>();
    private int failuresInARow;
    private boolean backingOff;
    private boolean closed;

    WarmPool(Limits limits, Members<M> members, Executor launches) {
        this.limits = Objects.requireNonNull(limits, "limits");
        this.members = Objects.requireNonNull(members, "members");
        this.launches = Objects.requireNonNull(launches, "launches");
    }

    /**
     * How full the pool is.
     *
     * @param idle members that take an assignment now: started, warming up or warm
     * @param warm of those, the ones warm
     * @param starting members whose process is still starting
     */
    record Status(int size, int idle, int warm, int starting) {}

    /** Starts filling the pool. */
    void start() {
        refill();
    }

    /**
     * Takes a member out of the pool for a container, the one furthest along (see the class's
     * rules); empty when the pool has none. A refill follows, {@link #REFILL_AFTER_TAKE} later.
     */
    Optional<M> take() {
        M member;
        synchronized (this) {
            if (closed) {
                return Optional.empty();
            }
            member = warm.pollFirst();
            if (member == null) {
                member = warming.pollFirst();
            }
            if (member == null) {
                member = started.pollFirst();
            }
            if (member == null) {
                member = starting.pollFirst();
            }
        }
        // Not at once: a JVM starting (or a warm-up beginning) in the very milliseconds the
        // member taken loads its function, at the same low priority until the worker raises
        // it, doubled that member's 15-20 ms on 2 cores.
        members.schedule(this::refill, REFILL_AFTER_TAKE);
        return Optional.ofNullable(member);
    }

    /** How long after a take the pool refills: past the taken member's assignment (tens of ms). */
    static final Duration REFILL_AFTER_TAKE = Duration.ofMillis(200);

    /** {@code member} has started and takes instructions; ignored unless it is a starting member of this pool. */
    void started(M member) {
        synchronized (this) {
            if (!removeIdentical(starting, member)) {
                return;
            }
            started.addLast(member);
        }
        firstStarted.complete(null);
        refill();
    }

    /** Completes when a member has first started (it can take a container), or the pool closed. */
    CompletableFuture<Void> firstStarted() {
        return firstStarted;
    }

    /** {@code member} is warm and waits for an assignment; ignored unless it is a warming member of this pool. */
    void warm(M member) {
        synchronized (this) {
            if (!removeIdentical(warming, member)) {
                return;
            }
            warm.addLast(member);
            failuresInARow = 0;
        }
        refill();
    }

    /**
     * {@code member} has exited; ignored unless it is still this pool's. {@code failed}: it
     * exited of itself, not because the pool stopped it.
     */
    void exited(M member, boolean failed) {
        synchronized (this) {
            boolean wasWarm = removeIdentical(warm, member);
            boolean beforeWarm = !wasWarm
                    && (removeIdentical(starting, member)
                            || removeIdentical(started, member)
                            || removeIdentical(warming, member));
            if (!wasWarm && !beforeWarm) {
                return;
            }
            if (failed && beforeWarm) {
                failed();
            }
        }
        refill();
    }

    Status status() {
        synchronized (this) {
            return new Status(
                    limits.size(),
                    started.size() + warming.size() + warm.size(),
                    warm.size(),
                    starting.size() + launching);
        }
    }

    /** Stops filling the pool and stops every member it holds; returns them. */
    List<M> close() {
        List<M> left = new ArrayList<>();
        synchronized (this) {
            closed = true;
            for (Deque<M> stage : List.of(starting, started, warming, warm)) {
                left.addAll(stage);
                stage.clear();
            }
        }
        left.forEach(members::stop);
        firstStarted.complete(null);
        return left;
    }

    /** Starts members until the pool is full, and warms started ones, as many at once as allowed. */
    private void refill() {
        int toLaunch = 0;
        List<M> toWarm = new ArrayList<>();
        synchronized (this) {
            if (closed) {
                return;
            }
            if (!backingOff) {
                int held = starting.size() + started.size() + warming.size() + warm.size() + launching;
                int startingNow = starting.size() + launching;
                toLaunch = Math.max(0, Math.min(limits.size() - held, limits.startingAtOnce() - startingNow));
                launching += toLaunch;
            }
            while (warming.size() < limits.warmingAtOnce()
                    && warming.size() + warm.size() < limits.warmAtMost()
                    && !started.isEmpty()) {
                M member = started.pollFirst();
                warming.addLast(member);
                toWarm.add(member);
            }
        }
        toWarm.forEach(members::warmUp);
        for (int i = 0; i < toLaunch; i++) {
            launches.execute(this::launchOne);
        }
    }

    private void launchOne() {
        M member = null;
        Exception failure = null;
        try {
            member = members.launch();
        } catch (Exception e) {
            failure = e;
        }
        boolean stop = false;
        synchronized (this) {
            launching--;
            if (member == null) {
                logger.log(System.Logger.Level.WARNING, "could not start a pool member: " + failure.getMessage());
                failed();
            } else if (closed) {
                stop = true;
            } else {
                starting.addLast(member);
            }
        }
        if (member != null) {
            members.watch(member); // also when stopped at once: its exit is what cleans up after it
        }
        if (stop) {
            members.stop(member);
        }
        refill();
    }

    /** Counts a failure and holds refills back for the back-off. Under the lock. */
    private void failed() {
        failuresInARow++;
        if (backingOff) {
            return; // one wait at a time; the next failure after it waits longer
        }
        long factor = 1L << Math.min(failuresInARow - 1, 10);
        Duration delay = FIRST_BACKOFF.multipliedBy(factor);
        if (delay.compareTo(MAX_BACKOFF) > 0) {
            delay = MAX_BACKOFF;
        }
        backingOff = true;
        members.schedule(
                () -> {
                    synchronized (this) {
                        backingOff = false;
                    }
                    refill();
                },
                delay);
    }

    private static <M> boolean removeIdentical(Deque<M> deque, M member) {
        for (var it = deque.iterator(); it.hasNext(); ) {
            if (it.next() == member) {
                it.remove();
                return true;
            }
        }
        return false;
    }
}
