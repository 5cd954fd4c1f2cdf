package dev.ferry.controller;

import dev.ferry.autoscaler.Autoscaler;
import dev.ferry.autoscaler.AutoscalerSettings;
import dev.ferry.autoscaler.ContainerLoad;
import dev.ferry.autoscaler.Decision;
import dev.ferry.autoscaler.Observation;
import dev.ferry.request.protocol.FunctionSettings;
import dev.ferry.request.protocol.VersionKey;
import dev.ferry.routing.AppDeployment;
import dev.ferry.routing.ContainerInfo;
import dev.ferry.routing.ContainerState;
import dev.ferry.routing.ScaleOverride;
import dev.ferry.routing.ScaleStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The controller's side of the {@link Autoscaler}: turns what the store says of a function
 * version (its demand over all gateways, its containers, an operator's {@code ferry scale}
 * override) into an {@link Observation}, and remembers the decisions to publish for
 * {@code ferry ls}. Also decides which containers of replaced versions may stop. Pure apart
 * from its own history; the controller thread is its only caller.
 */
final class Autoscaling {

    /** A decision whose reason alone changed is published at most this often. */
    static final Duration STATUS_REFRESH = Duration.ofSeconds(1);

    private Autoscaler autoscaler = Autoscaler.create();
    private final Map<VersionKey, ScaleStatus> published = new HashMap<>();

    /** Forgets all history: a controller that (again) became the leader cannot trust what it saw before. */
    void restart() {
        autoscaler = Autoscaler.create();
        published.clear();
    }

    /**
     * The settings {@code function} scales by: as deployed, with an operator's override laid
     * over them.
     *
     * @throws IllegalArgumentException if the two together are inconsistent (e.g. an override's
     *     min above the deployed max), naming the offending value
     */
    static AutoscalerSettings settings(FunctionSettings deployed, Optional<ScaleOverride> override) {
        AutoscalerSettings s = AutoscalerSettings.from(deployed);
        if (override.isEmpty()) {
            return s;
        }
        ScaleOverride o = override.get();
        int min = o.minContainers() != null ? o.minContainers() : s.minContainers();
        int max = o.maxContainers() != null ? o.maxContainers() : s.maxContainers();
        int buffer = o.bufferContainers() != null ? o.bufferContainers() : s.bufferContainers();
        int target = o.targetInputs() != null ? o.targetInputs() : s.targetInputs();
        Duration window = o.scaledownWindow() != null
                ? AutoscalerSettings.wholeSeconds(o.scaledownWindow())
                : s.scaledownWindow();
        return new AutoscalerSettings(min, max, buffer, target, s.maxInputs(), window);
    }

    /**
     * What the autoscaler sees of one version: the concurrency and queue its gateways report
     * and its containers by phase (unplaced, placed or starting: starting; ready with the calls
     * gateways report on it; stopping: draining). Failed containers are no capacity and not
     * listed. Starting ones are capacity on its way: the autoscaler leaves the queue that built
     * up while they start (the backlog) to them rather than asking for more, so a container
     * that waits for placement counts too, and the queue must be the gateways' own count of
     * requests waiting for a slot.
     */
    static Observation observe(Instant now, FunctionLoad load, List<ContainerInfo> containers) {
        Map<String, Integer> busy = load == null ? Map.of() : load.busy();
        List<ContainerLoad> loads = new ArrayList<>();
        for (ContainerInfo c : containers) {
            switch (c.state()) {
                case PENDING, STARTING -> loads.add(ContainerLoad.starting(c.id(), c.startedAt()));
                case READY -> loads.add(ContainerLoad.ready(c.id(), busy.getOrDefault(c.id(), 0), c.startedAt()));
                case STOPPING -> loads.add(new ContainerLoad(c.id(), ContainerLoad.Phase.DRAINING, 0, c.startedAt()));
                case FAILED -> {}
            }
        }
        return new Observation(now, load == null ? 0 : load.concurrency(), loads, load == null ? 0 : load.queued());
    }

    /** Decides for function version {@code key}. */
    Decision decide(VersionKey key, AutoscalerSettings settings, Observation observation) {
        return autoscaler.decide(key, settings, observation);
    }

    /**
     * The decision as {@code ferry ls} shows it, when it should be written: when the count or
     * panic changed, or the reason changed and the last write is {@link #STATUS_REFRESH} old.
     */
    Optional<ScaleStatus> toPublish(VersionKey key, Decision d, Instant now) {
        ScaleStatus last = published.get(key);
        boolean changed = last == null || last.desired() != d.desired() || last.panic() != d.panic();
        boolean refresh = last != null
                && !last.reason().equals(d.reason())
                && !now.isBefore(last.decidedAt().plus(STATUS_REFRESH));
        if (!changed && !refresh) {
            return Optional.empty();
        }
        ScaleStatus status = new ScaleStatus(key.function(), key.version(), d.desired(), d.panic(), d.reason(), now);
        published.put(key, status);
        return Optional.of(status);
    }

    /** Drops the history of function version {@code key}, which was replaced and whose containers are gone. */
    void forget(VersionKey key) {
        autoscaler.forget(key);
        published.remove(key);
    }

    /**
     * The surge of a rolling redeploy: how many containers function version {@code f} should
     * have at least while older versions of its function still serve, the count of their ready
     * containers, capped by the version's {@code max}. The new version starts them beside the
     * old (up to twice the function's maxContainers for the while), gateways move the traffic
     * once they are ready (the gateway's {@code FunctionPools.poolFor}), and the old ones drain
     * afterwards ({@link #replacedToStop}); then the surge is 0 and the autoscaler decides as usual.
     *
     * @param max the version's maxContainers, 0 for no limit
     */
    static int surge(VersionKey f, List<ContainerInfo> containers, int max) {
        int ready = 0;
        for (ContainerInfo c : containers) {
            if (c.state() == ContainerState.READY
                    && c.versionKey().function().equals(f.function())
                    && !c.versionKey().equals(f)) {
                ready++;
            }
        }
        return max > 0 ? Math.min(ready, max) : ready;
    }

    /**
     * Containers of versions a redeploy replaced, that may stop now: nothing new comes their
     * way, so each stops as soon as no gateway reports a call on it and none waits for its
     * version. Unplaced ones too (nothing runs there). Ready or unplaced only: one still
     * starting is stopped once ready. A ready one is kept, idle or not, while the current
     * version still rolls out (see {@link #rollingOut}): gateways send its function's traffic
     * to the old version until then.
     */
    static List<ContainerInfo> replacedToStop(
            List<ContainerInfo> containers, Map<VersionKey, FunctionLoad> loads, Map<String, AppDeployment> apps) {
        List<ContainerInfo> stop = new ArrayList<>();
        for (ContainerInfo c : containers) {
            if ((c.state() != ContainerState.READY && !c.unplaced()) || isCurrent(c.versionKey(), apps)) {
                continue;
            }
            if (!c.unplaced() && rollingOut(c.versionKey(), containers, apps)) {
                continue;
            }
            FunctionLoad load = loads.get(c.versionKey());
            if (load != null
                    && (load.queued() > 0
                            || load.busy().containsKey(c.id())
                            || (load.busy().isEmpty() && load.inFlight() > 0))) {
                continue; // still serving (a sample without per-container counts: the version is busy)
            }
            stop.add(c);
        }
        return stop;
    }

    /**
     * Whether the current version of {@code replaced}'s function is still rolling out, so the
     * replaced version keeps serving: it has containers on their way (placed and starting, or
     * unplaced while they wait their turn: {@link ContainerInfo#onItsWay}), or none ready and
     * none that no worker has room for (nothing written yet, or a crash back-off: a broken
     * deploy leaves the old version serving). The gateway switches by the same rule: once a
     * container of the new version is ready and none is on its way. A new version whose
     * containers no worker has room for (none ready or on its way) lets the old ones go, to
     * free the room: that redeploy is a cold start. False when the function was dropped.
     */
    static boolean rollingOut(VersionKey replaced, List<ContainerInfo> containers, Map<String, AppDeployment> apps) {
        AppDeployment app = apps.get(replaced.function().app().value());
        if (app == null || app.function(replaced.function().name()).isEmpty()) {
            return false;
        }
        VersionKey current = VersionKey.of(replaced.function(), app.version());
        boolean ready = false, coming = false, noRoom = false;
        for (ContainerInfo c : containers) {
            if (!c.versionKey().equals(current)) {
                continue;
            }
            if (c.onItsWay()) {
                coming = true;
            } else if (c.unplaced()) {
                noRoom = true;
            } else if (c.state() == ContainerState.READY) {
                ready = true;
            }
        }
        return coming || (!ready && !noRoom);
    }

    /** Whether {@code key}'s version is the current version of its function among {@code apps} by name. */
    static boolean isCurrent(VersionKey key, Map<String, AppDeployment> apps) {
        AppDeployment app = apps.get(key.function().app().value());
        return app != null
                && app.version().equals(key.version())
                && app.function(key.function().name()).isPresent();
    }
}
