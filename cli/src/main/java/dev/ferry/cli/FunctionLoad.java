package dev.ferry.cli;

import dev.ferry.routing.DemandSample;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One function version's demand across all gateways: what the controller scales on.
 *
 * @param function the function id
 * @param version the app version
 * @param inFlight calls running now, summed over gateways
 * @param queued requests waiting, summed over gateways
 * @param lastActive the latest time any gateway saw a call start or end
 */
record FunctionLoad(String function, String version, int inFlight, int queued, Instant lastActive) {

    /**
     * Adds up the gateways' samples. A sample older than {@code freshness} counts for its
     * {@code lastActive} only: its gateway stopped reporting (it died, or lost the store), and
     * a live gateway re-reports calls in flight every interval.
     */
    static List<FunctionLoad> aggregate(List<DemandSample> samples, Instant now, Duration freshness) {
        Map<String, FunctionLoad> byVersion = new TreeMap<>();
        for (DemandSample s : samples) {
            boolean fresh = !s.sampledAt().isBefore(now.minus(freshness));
            FunctionLoad sample = new FunctionLoad(s.function(), s.version(), fresh ? s.inFlight() : 0,
                    fresh ? s.queued() : 0, s.lastActive());
            byVersion.merge(s.function() + '@' + s.version(), sample, FunctionLoad::plus);
        }
        return new ArrayList<>(byVersion.values());
    }

    private FunctionLoad plus(FunctionLoad other) {
        return new FunctionLoad(function, version, inFlight + other.inFlight, queued + other.queued,
                lastActive.isAfter(other.lastActive) ? lastActive : other.lastActive);
    }
}
