package dev.ferry.cli;

import dev.ferry.routing.AppDeployment;
import dev.ferry.routing.ContainerInfo;
import dev.ferry.routing.ContainerState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Decides which ready containers to stop: those of a function that has had no call in flight
 * and none waiting for its scaledown window (scale to zero), and those of an app version
 * that a redeploy replaced, as soon as they are idle. Unplaced containers (wanted, but no
 * worker fits them) go by the same rule: once nothing waits for them, they are not wanted.
 * Pure: the caller supplies the time.
 */
final class IdleReaper {

    private IdleReaper() {}

    /** The ids of the containers to stop at {@code now}. */
    static List<String> containersToStop(Instant now, List<ContainerInfo> containers, List<FunctionLoad> demand,
                                         List<AppDeployment> apps) {
        Map<String, FunctionLoad> demandByPool = new HashMap<>();
        demand.forEach(d -> demandByPool.put(d.function() + '@' + d.version(), d));
        Map<String, AppDeployment> appByName = new HashMap<>();
        apps.forEach(a -> appByName.put(a.app(), a));

        List<String> stop = new ArrayList<>();
        for (ContainerInfo container : containers) {
            if (container.state() != ContainerState.READY && !container.unplaced()) {
                continue;
            }
            FunctionLoad d = demandByPool.get(container.function() + '@' + container.version());
            if (d != null && (d.inFlight() > 0 || d.queued() > 0)) {
                continue;
            }
            String app = container.function().substring(0, container.function().indexOf("--"));
            String name = container.function().substring(app.length() + 2);
            AppDeployment current = appByName.get(app);
            var function = current == null ? null : current.function(name).orElse(null);
            if (function == null || !current.version().equals(container.version())) {
                stop.add(container.id()); // replaced or removed: nothing new will come its way
                continue;
            }
            Instant lastActive = d == null || d.lastActive().isBefore(container.startedAt()) ? container.startedAt() : d.lastActive();
            Duration idle = Duration.between(lastActive, now);
            if (idle.compareTo(function.settings().scaledownWindow()) >= 0) {
                stop.add(container.id());
            }
        }
        return stop;
    }
}
