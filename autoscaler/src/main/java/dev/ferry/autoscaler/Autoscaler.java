package dev.ferry.autoscaler;

import dev.ferry.request.protocol.VersionKey;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Decides, per function version (a {@link VersionKey}), how many containers it wants and which idle ones
 * to stop, from its demand (inputs in flight + queued) observed at least once a second.
 * See the module's README for the rules and the maths.
 *
 * <p>In short: {@code desired = clamp(ceil(demand / targetInputs) + buffer, min, max)}, where
 * demand is the larger of the averages over a stable and a panic window of the arrival-driven
 * concurrency: inputs in flight plus what the queue grew by over the panic window. A queue that
 * was already there a panic window ago (the backlog of a cold start) is left to the containers
 * ready or starting, so it keeps them but asks for no more. Scale-up
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
        /** Containers seen starting, since when: the first seen ready again measures a start. */
        final Map<String, Instant> startingSince = new HashMap<>();
        /** The last start measured, or null before any. */
        Duration startTime;
        /** Since when requests have queued with containers ready, in every observation; null if not now. */
        Instant queueingOnReadySince;

        boolean panicking;
        Instant lastOverThreshold;
        int panicPeak;

        State(Instant firstSeen) {
            this.firstSeen = firstSeen;
            this.last = firstSeen;
        }

        /**
         * Learns how long a start takes, from a container seen starting and then ready: the
         * controller's view (placement, process start, readiness), not the worker's.
         */
        void measureStarts(Observation now) {
            Set<String> present = new HashSet<>();
            for (ContainerLoad c : now.containers()) {
                present.add(c.id());
                if (c.phase() == ContainerLoad.Phase.STARTING) {
                    startingSince.putIfAbsent(c.id(), now.at());
                } else {
                    Instant since = startingSince.remove(c.id());
                    if (since != null && c.phase() == ContainerLoad.Phase.READY) {
                        startTime = Duration.between(since, now.at());
                    }
                }
            }
            startingSince.keySet().retainAll(present);
        }
    }

    /**
     * How long calls must keep arriving faster than they end, containers ready and requests
     * queued throughout, before the queue counts in full: a start (once one was measured) or
     * the stable window, whichever is longer; 0 while no start was measured.
     */
    private static long outlastSeconds(State s, AutoscalerSettings settings) {
        return s.startTime == null
                ? 0
                : Math.max(
                        Math.max(1, s.startTime.toSeconds()),
                        settings.stableWindow().toSeconds());
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
        long panicSeconds = settings.panicWindow().toSeconds();
        long scaledownSeconds = settings.scaledownWindow().toSeconds();
        int current = now.current();
        int ready = now.ready();
        int target = settings.targetInputs();
        s.measureStarts(now);

        // Demand is arrival-driven: what runs plus what the queue grew by over the panic window.
        // The rest of the queue, the backlog, piled up while capacity was missing (typically
        // during a cold start, where every second of it would otherwise ask for more
        // containers) and is left to the containers ready or starting: each takes its inputs
        // when ready and the next as calls end. Counting it would size the pool for the start
        // time instead of for the load (Little's law: arrival rate × service time). At zero
        // nothing is on the way, so the whole queue counts; so does all of it when the window
        // holds nothing from back then (a restarted autoscaler). "Back then" is the first
        // observation in the second a panic window ago: between P and P + 1 s back.
        int queuedBefore = s.window.queuedAt(second - panicSeconds);
        int backlog = current == 0 ? 0 : Math.min(now.queued(), Math.max(0, queuedBefore));
        int demand = now.concurrency() - backlog;
        long outlastSeconds = outlastSeconds(s, settings);
        // Two seconds past the longest look back, so a controller that skipped a second still
        // finds the second it compares with.
        long keep = Math.max(Math.max(stableSeconds, scaledownSeconds), Math.max(panicSeconds, outlastSeconds) + 2);
        s.window.record(at, demand, now.concurrency(), now.queued(), keep);
        if (ready == 0 || now.queued() == 0) {
            s.queueingOnReadySince = null;
        } else if (s.queueingOnReadySince == null) {
            s.queueingOnReadySince = at;
        }

        double stableAverage = s.window.average(second, stableSeconds);
        double panicAverage = s.window.average(second, panicSeconds);
        if (current == 0) {
            // Cold start: every input is waiting for a container, and there is nothing to average.
            panicAverage = Math.max(panicAverage, demand);
        }
        int panicNeed = containersFor(panicAverage, target);
        int need = Math.max(containersFor(stableAverage, target), panicNeed);
        // Requests wait for a slot now: every slot (maxInputs each) is taken, so whatever the
        // averages say, what runs and newly waits needs this many containers at their hard limit.
        int queuedNeed = now.queued() > 0 ? containersFor(demand, settings.maxInputs()) : 0;
        boolean queueing = queuedNeed > need;
        need = Math.max(need, queuedNeed);
        // Calls that outlast a start: with containers ready and requests queued for a whole
        // start time (and stable window), more arrived than ended in every second of it. That is
        // no backlog of a cold start, which ready containers work off as their calls end: the
        // calls are long, and the pool short of arrival rate × call time. The queue then counts
        // in full, as it did before backlogs were told apart, but the count at most doubles
        // the ready containers per start, since this cannot tell how long the calls are.
        int outlastNeed = outlastSeconds > 0
                        && s.queueingOnReadySince != null
                        && !at.isBefore(s.queueingOnReadySince.plusSeconds(outlastSeconds))
                        && s.window.roseEverySecond(second, outlastSeconds)
                ? Math.min(containersFor(now.concurrency(), settings.maxInputs()), 2 * ready)
                : 0;
        boolean outlasting = outlastNeed > need;
        need = Math.max(need, outlastNeed);
        String backlogNote = backlog > 0
                ? " (not counting a backlog of " + backlog + ", the queue of " + panicSeconds + " s ago, which the "
                        + current + " ready or starting take)"
                : "";

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
        // A buffer container is an idle one in reserve; while a backlog stands none is idle, and
        // counting the backlog it works off as demand plus a buffer on top would add one per start.
        int buffer = active && backlog == 0 ? settings.bufferContainers() : 0;
        long wanted = (long) need + buffer;
        int desired = (int) Math.max(settings.minContainers(), Math.min(settings.limit(), wanted));
        String clamp = clampNote(settings, wanted, desired, buffer);
        if (backlog > 0) {
            // A backlog adds no container, but keeps those that will work it off: a queue that
            // stands (no arrivals, containers slow to start) must not look like low demand.
            int held = Math.min(current, containersFor(now.concurrency(), settings.maxInputs()));
            desired = Math.max(desired, Math.min(settings.limit(), held));
        }
        s.window.recordDesired(desired);

        if (desired > current) {
            String reason = outlasting
                    ? "calls outlast a start: " + now.concurrency() + " in flight + queued, more every second for "
                            + outlastSeconds + " s, at most 2 × " + ready + " ready → " + desired + clamp
                    : queueing && !s.panicking
                            ? "queueing: " + demand + " in flight + queued, at most " + settings.maxInputs()
                                    + " per container → " + desired + clamp + backlogNote
                            : s.panicking
                                    ? "burst: " + amount(panicAverage) + " in flight + queued, target " + target
                                            + " per container → " + desired + clamp + backlogNote
                                    : demand(Math.max(stableAverage, panicAverage)) + ", target " + target
                                            + " per container → " + desired + clamp + backlogNote;
            return new Decision(desired, desired - current, List.of(), s.panicking, reason);
        }
        if (desired == current) {
            return hold(
                    current,
                    s.panicking,
                    (s.panicking ? "panic: steady at " : "steady at ") + current + ": "
                            + demand(Math.max(stableAverage, panicAverage)) + ", target " + target + " per container"
                            + clamp + backlogNote);
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
