package dev.ferry.controller;

import dev.ferry.request.protocol.FunctionId;
import dev.ferry.request.protocol.VersionKey;
import dev.ferry.routing.DemandSample;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One function version's demand across all gateways: what the controller scales on.
 *
 * @param function the function
 * @param version the app version
 * @param inFlight calls running now, summed over gateways
 * @param queued requests waiting, summed over gateways
 * @param lastActive the latest time any gateway saw a call start or end
 * @param busy calls in flight per container id, summed over gateways; idle containers are absent
 */
record FunctionLoad(
        FunctionId function, String version, int inFlight, int queued, Instant lastActive, Map<String, Integer> busy) {

    FunctionLoad {
        busy = Map.copyOf(busy);
    }

    FunctionLoad(FunctionId function, String version, int inFlight, int queued, Instant lastActive) {
        this(function, version, inFlight, queued, lastActive, Map.of());
    }

    /** The function version it is the load of. */
    VersionKey versionKey() {
        return VersionKey.of(function, version);
    }

    /** Calls in flight plus requests waiting: the concurrency the autoscaler scales on. */
    int concurrency() {
        return inFlight + queued;
    }

    /**
     * Adds up the gateways' samples. A sample older than {@code freshness} counts for its
     * {@code lastActive} only: its gateway stopped reporting (it died, or lost the store), and
     * a live gateway re-reports calls in flight every interval.
     */
    static List<FunctionLoad> aggregate(List<DemandSample> samples, Instant now, Duration freshness) {
        Map<VersionKey, FunctionLoad> byVersion = new TreeMap<>();
        for (DemandSample s : samples) {
            boolean fresh = !s.sampledAt().isBefore(now.minus(freshness));
            FunctionLoad sample = new FunctionLoad(
                    s.function(),
                    s.version(),
                    fresh ? s.inFlight() : 0,
                    fresh ? s.queued() : 0,
                    s.lastActive(),
                    fresh ? s.busy() : Map.of());
            byVersion.merge(s.versionKey(), sample, FunctionLoad::plus);
        }
        return new ArrayList<>(byVersion.values());
    }

    /**
     * The load of every version of {@code key}'s function together, as {@code key}'s; null when
     * none has any. During a rollover the gateways still send the function's calls to the
     * version it replaces, and the new one must be sized for them before it takes them over.
     */
    static FunctionLoad ofFunction(VersionKey key, Collection<FunctionLoad> loads) {
        FunctionLoad sum = null;
        for (FunctionLoad l : loads) {
            if (l.function().equals(key.function())) {
                FunctionLoad as =
                        new FunctionLoad(l.function, key.version(), l.inFlight, l.queued, l.lastActive, l.busy);
                sum = sum == null ? as : sum.plus(as);
            }
        }
        return sum;
    }

    private FunctionLoad plus(FunctionLoad other) {
        Map<String, Integer> calls = new HashMap<>(busy);
        other.busy.forEach((container, n) -> calls.merge(container, n, Integer::sum));
        return new FunctionLoad(
                function,
                version,
                inFlight + other.inFlight,
                queued + other.queued,
                lastActive.isAfter(other.lastActive) ? lastActive : other.lastActive,
                calls);
    }
}
