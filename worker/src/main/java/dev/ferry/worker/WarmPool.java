package dev.ferry.worker;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;

/**
 * The accounting of a worker's warm pool: which members are warming up and which wait, idle,
 * for an assignment; when to start new ones. Generic in what a member is, so that the rules are
 * tested without processes.
 *
 * <p>The rules:
 * <ul>
 *   <li>The pool keeps {@code size} members, warming or idle. A member taken for a container
 *       leaves the pool for good (a member is never given a second function); one that exits
 *       before it is taken is replaced.</li>
 *   <li>{@link #take()} gives the oldest idle member, else the warming member that started
 *       first (it is further along than a fresh start would be; its warm-up ends early), else
 *       nothing: the caller starts a fresh process, as without a pool.</li>
 *   <li>Refills start at most {@code warmingAtOnce} members at a time: a member's warm-up is
 *       CPU-bound, and a pool refilling all at once would take the machine from the containers
 *       it serves (members also run at a lower CPU priority where the worker can set it).</li>
 *   <li>A member that fails before it is warm (exits, or cannot be launched) delays the next
 *       start: 1 s, doubling to at most 60 s, until one reaches the pool again; a broken runtime
 *       costs a start now and then, not a loop.</li>
 * </ul>
 *
 * <p>Thread-safe. Launches run on the given executor, never under the pool's lock.
 */
final class WarmPool<M> {

    /** How a pool starts and stops its members, and how it waits. */
    interface Members<M> {
        /**
         * Starts a member. It reports back through {@link WarmPool#warm} when it is warm and
         * {@link WarmPool#exited} when it exits.
         */
        M launch() throws Exception;

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

    private final int size;
    private final int warmingAtOnce;
    private final Members<M> members;
    private final Executor launches;

    // all guarded by this
    private final Deque<M> warming = new ArrayDeque<>();
    private final Deque<M> idle = new ArrayDeque<>();
    private int launching;
    private int failuresInARow;
    private boolean backingOff;
    private boolean closed;

    /**
     * @param size members to keep, {@code >= 1}
     * @param warmingAtOnce members that may start and warm up at the same time, {@code >= 1}
     */
    WarmPool(int size, int warmingAtOnce, Members<M> members, Executor launches) {
        if (size < 1) {
            throw new IllegalArgumentException("size: " + size + " (expected: >= 1)");
        }
        if (warmingAtOnce < 1) {
            throw new IllegalArgumentException("warmingAtOnce: " + warmingAtOnce + " (expected: >= 1)");
        }
        this.size = size;
        this.warmingAtOnce = warmingAtOnce;
        this.members = Objects.requireNonNull(members, "members");
        this.launches = Objects.requireNonNull(launches, "launches");
    }

    /** How full the pool is. */
    record Status(int size, int idle, int warming) {}

    /** Starts filling the pool. */
    void start() {
        refill();
    }

    /**
     * Takes a member out of the pool for a container: the oldest idle one, else the warming one
     * that started first; empty when the pool has none. A refill follows.
     */
    Optional<M> take() {
        M member;
        synchronized (this) {
            if (closed) {
                return Optional.empty();
            }
            member = idle.pollFirst();
            if (member == null) {
                member = warming.pollFirst();
            }
        }
        refill();
        return Optional.ofNullable(member);
    }

    /** {@code member} is warm and waits for an assignment; ignored unless it is a warming member of this pool. */
    void warm(M member) {
        synchronized (this) {
            if (!removeIdentical(warming, member)) {
                return;
            }
            idle.addLast(member);
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
            boolean wasWarming = removeIdentical(warming, member);
            boolean wasIdle = !wasWarming && removeIdentical(idle, member);
            if (!wasWarming && !wasIdle) {
                return;
            }
            if (failed && wasWarming) {
                failed();
            }
        }
        refill();
    }

    Status status() {
        synchronized (this) {
            return new Status(size, idle.size(), warming.size() + launching);
        }
    }

    /** Stops filling the pool and stops every member it holds; returns them. */
    List<M> close() {
        List<M> left;
        synchronized (this) {
            closed = true;
            left = new ArrayList<>(warming);
            left.addAll(idle);
            warming.clear();
            idle.clear();
        }
        left.forEach(members::stop);
        return left;
    }

    /** Starts members until the pool is full, as many at once as allowed. */
    private void refill() {
        int toLaunch;
        synchronized (this) {
            if (closed || backingOff) {
                return;
            }
            int held = warming.size() + idle.size() + launching;
            int warmingNow = warming.size() + launching;
            toLaunch = Math.max(0, Math.min(size - held, warmingAtOnce - warmingNow));
            launching += toLaunch;
        }
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
                warming.addLast(member);
            }
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
