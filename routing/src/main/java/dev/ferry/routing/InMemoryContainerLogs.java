package dev.ferry.routing;

import dev.ferry.request.protocol.FunctionSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * {@link ContainerLogs} in this process: a ring of the latest lines per app, under one lock.
 * Ids are made the way Redis makes stream ids (the clock's milliseconds, then a sequence
 * within a millisecond, never going back), so they look and order alike in both stores.
 * Followers wait on a condition that every append signals.
 */
final class InMemoryContainerLogs implements ContainerLogs {

    /** How long a follower waits for a line before it asks again (and notices a close). */
    static final Duration IDLE_WAIT = Duration.ofSeconds(1);
    /** The most lines a follower takes in one round. */
    private static final int BATCH = 1000;

    private final int capacity;
    private final long idleNanos;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition appended = lock.newCondition();
    private final Map<String, Ring> rings = new HashMap<>(); // guarded by lock
    private final Set<LogFollower> followers = ConcurrentHashMap.newKeySet();
    private long lastMs; // guarded by lock
    private long lastSeq = -1; // guarded by lock
    private volatile boolean closed;

    InMemoryContainerLogs(int capacity, Duration idleWait) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity: " + capacity + " (expected: > 0)");
        }
        this.capacity = capacity;
        this.idleNanos = idleWait.toNanos();
    }

    @Override
    public String describe() {
        return "in-memory store";
    }

    @Override
    public void append(List<LogLine> lines) {
        for (LogLine line : lines) {
            checkNames(line.app(), Optional.of(line.function()));
        }
        lock.lock();
        try {
            for (LogLine line : lines) {
                long now = System.currentTimeMillis();
                if (now > lastMs) {
                    lastMs = now;
                    lastSeq = 0;
                } else {
                    lastSeq++;
                }
                LogIds.Id id = new LogIds.Id(lastMs, lastSeq);
                rings.computeIfAbsent(line.app(), app -> new Ring(capacity))
                        .add(new Entry(id, line.withId(id.toString())));
            }
            appended.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<LogLine> tail(String app, Optional<String> function, int max) {
        checkNames(app, function);
        if (max < 0) {
            throw new IllegalArgumentException("max: " + max + " (expected: >= 0)");
        }
        List<LogLine> latest = new ArrayList<>();
        lock.lock();
        try {
            Ring ring = rings.get(app);
            for (int i = ring == null ? -1 : ring.size - 1; i >= 0 && latest.size() < max; i--) {
                LogLine line = ring.get(i).line;
                if (function.isEmpty() || function.get().equals(line.function())) {
                    latest.add(line);
                }
            }
        } finally {
            lock.unlock();
        }
        Collections.reverse(latest);
        return latest;
    }

    @Override
    public Subscription follow(String app, Optional<String> function, String afterId, Consumer<LogLine> each) {
        checkNames(app, function);
        Objects.requireNonNull(each, "each");
        if (closed) {
            throw new IllegalStateException("these container logs are closed");
        }
        LogFollower[] self = new LogFollower[1];
        LogFollower follower =
                new LogFollower(describe(), app, function, afterId, each, () -> followers.remove(self[0])) {
                    @Override
                    protected Batch next(String after) throws InterruptedException {
                        LogIds.Id cursor = LogIds.parse("after", after);
                        lock.lockInterruptibly();
                        try {
                            List<LogLine> lines = after(app, cursor);
                            if (lines.isEmpty() && !closed) {
                                appended.awaitNanos(idleNanos);
                                lines = after(app, cursor);
                            }
                            return Batch.of(lines, after);
                        } finally {
                            lock.unlock();
                        }
                    }
                };
        self[0] = follower;
        followers.add(follower);
        follower.start();
        return follower;
    }

    /** Up to {@link #BATCH} lines of {@code app} after {@code cursor}; under the lock. */
    private List<LogLine> after(String app, LogIds.Id cursor) {
        Ring ring = rings.get(app);
        if (ring == null) {
            return List.of();
        }
        int low = 0;
        int high = ring.size;
        while (low < high) { // the first entry after the cursor
            int mid = (low + high) >>> 1;
            if (ring.get(mid).id.compareTo(cursor) <= 0) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        List<LogLine> lines = new ArrayList<>(Math.min(BATCH, ring.size - low));
        for (int i = low; i < ring.size && lines.size() < BATCH; i++) {
            lines.add(ring.get(i).line);
        }
        return lines;
    }

    static void checkNames(String app, Optional<String> function) {
        FunctionSettings.checkName("app", app);
        function.ifPresent(f -> FunctionSettings.checkName("function", f));
    }

    @Override
    public void close() {
        closed = true;
        lock.lock();
        try {
            appended.signalAll();
        } finally {
            lock.unlock();
        }
        for (LogFollower follower : List.copyOf(followers)) {
            follower.close();
        }
    }

    @Override
    public String toString() {
        return describe();
    }

    private record Entry(LogIds.Id id, LogLine line) {}

    /** The latest lines of one app, oldest first; grows up to its capacity, then overwrites the oldest. */
    private static final class Ring {
        private final int capacity;
        private Entry[] entries;
        private int head;
        private int size;

        Ring(int capacity) {
            this.capacity = capacity;
            this.entries = new Entry[Math.min(16, capacity)];
        }

        Entry get(int i) {
            return entries[(head + i) % entries.length];
        }

        void add(Entry entry) {
            if (size == entries.length && size < capacity) {
                Entry[] grown = new Entry[Math.min(capacity, entries.length * 2)];
                for (int i = 0; i < size; i++) {
                    grown[i] = get(i);
                }
                entries = grown;
                head = 0;
            }
            if (size < entries.length) {
                entries[(head + size) % entries.length] = entry;
                size++;
            } else {
                entries[head] = entry;
                head = (head + 1) % entries.length;
            }
        }
    }
}
