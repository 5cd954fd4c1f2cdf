package dev.ferry.controller;

import dev.ferry.request.protocol.FunctionId;
import dev.ferry.request.protocol.VersionKey;
import dev.ferry.routing.DemandSample;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
