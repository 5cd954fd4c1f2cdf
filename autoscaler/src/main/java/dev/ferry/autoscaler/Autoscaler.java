package dev.ferry.autoscaler;

import dev.ferry.request.protocol.VersionKey;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Decides, per function version (a {@link VersionKey}), how many containers it wants and which idle ones
 * to stop, from its demand (inputs in flight + queued) observed at least once a second.
 * See the module's README for the rules and the maths.
 *
 * <p>In short: {@code desired = clamp(ceil(concurrency / targetInputs) + buffer, min, max)},
 * where concurrency is the larger of the averages over a stable and a panic window. Scale-up
 * is immediate; scale-down waits until the most containers desired over the whole scaledown
 * window is below the current count, never happens in panic mode nor within one scaledown
 * window of the key's first observation (so a restarted autoscaler does not act on lost
 * history), and stops only idle containers, newest first.
 *
 * <p>Pure: time comes in with each {@link Observation}, in order per key, and nothing here
 * reads a clock. Memory per key is a bucket per second of the longest window. Not
 * thread-safe: the controller calls it from its one loop.
 */
public final class Autoscaler {

    /** Panic mode starts when the panic window wants this many times the ready containers. */
    public static final int PANIC_THRESHOLD = 2;

    private static final DateTimeFormatter CLOCK =
            DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT).withZone(ZoneOffset.UTC);

    private static final Comparator<ContainerLoad> NEWEST_FIRST = Comparator.comparing(ContainerLoad::startedAt)
            .thenComparing(ContainerLoad::id)
            .reversed();

    private final Map<VersionKey, State> states = new HashMap<>();

    private Autoscaler() {}

    /** An autoscaler that has seen nothing, as after a restart. */
    public static Autoscaler create() {
        return new Autoscaler();
    }

    private static final class State {
        final Instant firstSeen;
        Instant last;
        final DemandWindow window = new DemandWindow();
        boolean panicking;
        Instant lastOverThreshold;
        int panicPeak;

        State(Instant firstSeen) {
            this.firstSeen = firstSeen;
            this.last = firstSeen;
        }
    }

    /**
     * Records {@code now} for {@code key} and decides what to do. {@code settings} may differ
     * from call to call (an override takes effect at once).
     *
     * @throws IllegalArgumentException if {@code now} is before the key's last observation
     */
    public Decision decide(VersionKey key, AutoscalerSettings settings, Observation now) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(now, "now");
        Instant at = now.at();
        State s = states.computeIfAbsent(key, k -> new State(at));
        if (at.isBefore(s.last)) {
            throw new IllegalArgumentException(
                    "at: " + at + " (expected: >= " + s.last + ", the last observation of " + key + ")");
        }
        s.last = at;

        long second = at.getEpochSecond();
        long stableSeconds = settings.stableWindow().toSeconds();
        long scaledownSeconds = settings.scaledownWindow().toSeconds();
        s.window.record(at, now.concurrency(), Math.max(stableSeconds, scaledownSeconds));

        int current = now.current();
        int ready = now.ready();
        int target = settings.targetInputs();
        double stableAverage = s.window.average(second, stableSeconds);
        double panicAverage = s.window.average(second, settings.panicWindow().toSeconds());
        if (current == 0) {
            // Cold start: every input is waiting for a container, and there is nothing to average.
            panicAverage = Math.max(panicAverage, now.concurrency());
        }
        int panicNeed = containersFor(panicAverage, target);
        int need = Math.max(containersFor(stableAverage, target), panicNeed);
        // Requests wait for a slot now: every slot (maxInputs each) is taken, so whatever the
        // averages say, what runs and waits needs this many containers at their hard limit.
        int queuedNeed = now.queued() > 0 ? containersFor(now.concurrency(), settings.maxInputs()) : 0;
        boolean queueing = queuedNeed > need;
        need = Math.max(need, queuedNeed);

        if (panicNeed >= PANIC_THRESHOLD * Math.max(1, ready)) {
            if (!s.panicking) {
                s.panicking = true;
                s.panicPeak = 0;
            }
            s.lastOverThreshold = at;
        } else if (s.panicking && !at.isBefore(s.lastOverThreshold.plus(settings.stableWindow()))) {
            s.panicking = false;
        }
        if (s.panicking) {
            // Never scale down in panic: hold the most wanted since it began.
            need = Math.max(need, s.panicPeak);
            s.panicPeak = need;
        }
        boolean active = s.window.peak(second, stableSeconds) > 0;
        int buffer = active ? settings.bufferContainers() : 0;
        long wanted = (long) need + buffer;
        int desired = (int) Math.max(settings.minContainers(), Math.min(settings.limit(), wanted));
        s.window.recordDesired(desired);
        String clamp = clampNote(settings, wanted, desired, buffer);

        if (desired > current) {
            String reason = queueing && !s.panicking
                    ? "queueing: " + now.concurrency() + " in flight + queued, at most " + settings.maxInputs()
                            + " per container → " + desired + clamp
                    : s.panicking
                            ? "burst: " + amount(panicAverage) + " in flight + queued, target " + target
                                    + " per container → " + desired + clamp
                            : demand(Math.max(stableAverage, panicAverage)) + ", target " + target + " per container → "
                                    + desired + clamp;
            return new Decision(desired, desired - current, List.of(), s.panicking, reason);
        }
        if (desired == current) {
            return hold(
                    current,
                    s.panicking,
                    (s.panicking ? "panic: steady at " : "steady at ") + current + ": "
                            + demand(Math.max(stableAverage, panicAverage)) + ", target " + target + " per container"
                            + clamp);
        }
        if (current > settings.limit()) {
            return scaleDown(
                    now,
                    current,
                    settings.limit(),
                    false,
                    "over max " + settings.limit() + ": " + current + " → " + settings.limit());
        }
        if (s.panicking) {
            return hold(
                    current,
                    true,
                    "panic: holding " + current + " until "
                            + CLOCK.format(s.lastOverThreshold.plus(settings.stableWindow())) + " ("
                            + now.concurrency() + " in flight + queued now)");
        }
        Instant restartHold = s.firstSeen.plus(settings.scaledownWindow());
        if (at.isBefore(restartHold)) {
            return hold(current, false, "holding " + current + " after restart until " + CLOCK.format(restartHold));
        }
        String window = seconds(settings.scaledownWindow());
        if (s.window.peak(second, scaledownSeconds) == 0) {
            return scaleDown(now, current, desired, false, "idle for " + window + " → " + desired + clamp);
        }
        int floor = Math.min(s.window.maxDesired(second, scaledownSeconds), settings.limit());
        if (floor >= current) {
            return hold(
                    current,
                    false,
                    "holding " + current + ": " + floor + " needed within the last " + window + ", " + desired
                            + " now");
        }
        return scaleDown(now, current, floor, false, "low for " + window + ": " + current + " → " + floor);
    }

    /** Drops everything about {@code key}, e.g. when its function version is deleted. */
    public void forget(VersionKey key) {
        states.remove(key);
    }

    /** Keys with state, for tests. */
    int keys() {
        return states.size();
    }

    /** Buckets held for {@code key}, for tests of the memory bound. */
    int buckets(VersionKey key) {
        State s = states.get(key);
        return s == null ? 0 : s.window.size();
    }

    private static Decision hold(int current, boolean panic, String reason) {
        return new Decision(current, 0, List.of(), panic, reason);
    }

    private static Decision scaleDown(Observation now, int current, int desired, boolean panic, String reason) {
        int excess = current - desired;
        List<String> toStop = now.containers().stream()
                .filter(c -> c.counts() && c.inFlight() == 0)
                .sorted(NEWEST_FIRST)
                .limit(excess)
                .map(ContainerLoad::id)
                .toList();
        int busy = excess - toStop.size();
        return new Decision(
                desired, 0, toStop, panic, busy == 0 ? reason : reason + " (" + busy + " busy, stopped once idle)");
    }

    private static int containersFor(double concurrency, int target) {
        // A hair of slack, so 8.0000000001 / 4 from summing means stays 2.
        return (int) Math.min(Integer.MAX_VALUE, Math.ceil(concurrency / target - 1e-9));
    }

    private static String clampNote(AutoscalerSettings settings, long wanted, int desired, int buffer) {
        if (wanted > desired) {
            return " (max " + settings.maxContainers() + ")";
        }
        if (wanted < desired) {
            return " (min " + settings.minContainers() + ")";
        }
        return buffer > 0 ? " (incl. " + buffer + " buffer)" : "";
    }

    /** A concurrency as written in reasons: "40", or "9.3" for an average that is not whole. */
    private static String amount(double concurrency) {
        return concurrency == Math.rint(concurrency)
                ? Long.toString((long) concurrency)
                : String.format(Locale.ROOT, "%.1f", concurrency);
    }

    private static String demand(double average) {
        return String.format(Locale.ROOT, "%.1f in flight + queued on average", average);
    }

    private static String seconds(Duration d) {
        return d.toSeconds() + " s";
    }
}
