package dev.ferry.scheduler;

import dev.ferry.request.protocol.VersionKey;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * When a function whose containers keep crashing may start another one.
 *
 * <p>Per key (a {@link VersionKey}: a function at one version), the {@code n}th crash in a row holds new containers back
 * for {@link #FIRST_DELAY} × 2<sup>n−1</sup>, at most {@link #MAX_DELAY}: 1 s, 2 s, 4 s, 8 s,
 * 16 s, 32 s, then 60 s for every further crash. From the {@value #CRASH_LOOP}rd crash in a
 * row the key is {@linkplain #inCrashLoop in a crash loop}, which the controller reports to
 * the function's owner along with {@link #lastReason}.
 *
 * <p>The count starts over once one of the key's containers, having become
 * {@linkplain #ready ready} after the last crash, stays up {@link #STABLE_AFTER}: see
 * {@link #healthy}. A crash of any container of the key counts, since they run the same code.
 *
 * <p>Pure: time comes in as {@link Instant}s, in order, and nothing here reads a clock.
 * Keys that never crashed cost nothing. Not thread-safe.
 */
public final class CrashBackoff {

    /** The hold after the first crash in a row. */
    public static final Duration FIRST_DELAY = Duration.ofSeconds(1);
    /** The longest hold, however many crashes in a row. */
    public static final Duration MAX_DELAY = Duration.ofSeconds(60);
    /** How long a ready container must stay up for its key to count as healthy again. */
    public static final Duration STABLE_AFTER = Duration.ofSeconds(60);
    /** Crashes in a row from which a key is in a crash loop. */
    public static final int CRASH_LOOP = 3;

    private final Map<VersionKey, State> states = new HashMap<>();

    private CrashBackoff() {}

    /** A backoff that has seen no crash. */
    public static CrashBackoff create() {
        return new CrashBackoff();
    }

    private static final class State {
        int crashes;
        Instant readyAt;
        String reason;
        /** When the first container to become ready since the last crash did; null when none has. */
        Instant readySince;
    }

    /**
     * Records that a container of {@code key} crashed (exited, or failed to become ready) at
     * {@code at}, for {@code reason}, e.g. {@code "exit code 1: ImportError: torch"}.
     */
    public void crashed(VersionKey key, Instant at, String reason) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(reason, "reason");
        State state = states.computeIfAbsent(key, k -> new State());
        state.crashes++;
        state.reason = reason;
        state.readySince = null;
        state.readyAt = at.plus(delay(state.crashes));
    }

    /** The hold after the {@code crashes}th crash in a row ({@code >= 1}). */
    public static Duration delay(int crashes) {
        if (crashes < 1) {
            throw new IllegalArgumentException("crashes: " + crashes + " (expected: >= 1)");
        }
        // 2^6 s already passes the cap; larger shifts would only overflow.
        return crashes > 7 ? MAX_DELAY : min(FIRST_DELAY.multipliedBy(1L << (crashes - 1)), MAX_DELAY);
    }

    /** When {@code key} may start a container again; empty when it is not held back at all. */
    public Optional<Instant> readyAt(VersionKey key) {
        State state = states.get(key);
        return state == null || state.crashes == 0 ? Optional.empty() : Optional.of(state.readyAt);
    }

    /** Whether {@code key} may start a container at {@code now}: its hold, if any, is over. */
    public boolean mayStart(VersionKey key, Instant now) {
        Optional<Instant> readyAt = readyAt(key);
        return readyAt.isEmpty() || !now.isBefore(readyAt.get());
    }

    /** Crashes of {@code key} in a row, since it was last healthy. */
    public int crashes(VersionKey key) {
        State state = states.get(key);
        return state == null ? 0 : state.crashes;
    }

    /** Whether {@code key} crashed {@value #CRASH_LOOP} or more times in a row. */
    public boolean inCrashLoop(VersionKey key) {
        return crashes(key) >= CRASH_LOOP;
    }

    /** The reason of {@code key}'s last crash, kept after it is healthy again until {@link #forget}. */
    public Optional<String> lastReason(VersionKey key) {
        State state = states.get(key);
        return state == null ? Optional.empty() : Optional.of(state.reason);
    }

    /** Records that a container of {@code key} became ready at {@code at}. */
    public void ready(VersionKey key, Instant at) {
        Objects.requireNonNull(at, "at");
        State state = states.get(key);
        if (state != null && state.crashes > 0 && (state.readySince == null || at.isBefore(state.readySince))) {
            state.readySince = at;
        }
    }

    /**
     * Starts {@code key}'s count over if, at {@code now}, a container that became
     * {@linkplain #ready ready} after its last crash has been so for {@link #STABLE_AFTER}.
     * The controller calls it on its loop for keys with crashes; a crash in between (of any
     * of the key's containers) voids the earlier readiness.
     *
     * @return whether the count was started over by this call
     */
    public boolean healthy(VersionKey key, Instant now) {
        State state = states.get(key);
        if (state == null
                || state.crashes == 0
                || state.readySince == null
                || Duration.between(state.readySince, now).compareTo(STABLE_AFTER) < 0) {
            return false;
        }
        state.crashes = 0;
        state.readySince = null;
        state.readyAt = null;
        return true;
    }

    /** Drops everything about {@code key}, e.g. when its function version is deleted. */
    public void forget(VersionKey key) {
        states.remove(key);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
