package dev.ferry.controller;

import dev.ferry.autoscaler.AutoscalerSettings;
import dev.ferry.autoscaler.Decision;
import dev.ferry.request.protocol.VersionKey;
import dev.ferry.routing.AppDeployment;
import dev.ferry.routing.ContainerIds;
import dev.ferry.routing.ContainerInfo;
import dev.ferry.routing.ContainerState;
import dev.ferry.routing.DeployedFunction;
import dev.ferry.routing.RoutingStore;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Carries out what {@link Autoscaling} decides for each function version: new containers are
 * written unplaced (the caller places them), the idle containers it names are marked
 * {@link ContainerState#STOPPING} for their worker to drain, and the decision is published for
 * {@code ferry ls}. Also retires the containers and scaling state of versions a redeploy
 * replaced. Controller thread only.
 */
final class Scaling {

    private final RoutingStore store;
    private final StoreWrites writes;
    /** The autoscaler's history and published decisions. */
    private final Autoscaling autoscaling = new Autoscaling();

    Scaling(RoutingStore store, StoreWrites writes) {
        this.store = store;
        this.writes = writes;
    }

    /** Forgets all history: a controller that (again) became the leader cannot trust what it saw before. */
    void restart() {
        autoscaling.restart();
    }

    /**
     * Asks the autoscaler about function version {@code f}, whose containers are {@code mine},
     * and carries out its decision; the idle containers it names are stopped unless
     * {@code settling}. While a redeploy rolls out, {@code all} (every container) tells how many
     * the old version runs ready, and the new one keeps at least as many ({@link Autoscaling#surge}).
     *
     * @return how many unplaced containers it wrote, which the caller places
     */
    int autoscale(
            DeployedFunction f,
            FunctionLoad load,
            List<ContainerInfo> mine,
            List<ContainerInfo> all,
            Instant now,
            boolean settling) {
        VersionKey key = f.versionKey();
        AutoscalerSettings settings;
        try {
            settings = Autoscaling.settings(f.settings(), store.scaleOverride(key));
            writes.clear("override:" + key);
        } catch (IllegalArgumentException e) {
            writes.warnOnce(
                    "override:" + key,
                    "ignoring the scale override of " + f.id() + " " + f.version() + ": " + e.getMessage());
            settings = AutoscalerSettings.from(f.settings());
        }
        int surge = Autoscaling.surge(key, all, settings.maxContainers());
        if (surge > settings.minContainers()) {
            settings = settings.withMinContainers(surge);
        }
        Decision decision = autoscaling.decide(key, settings, Autoscaling.observe(now, load, mine));
        for (int i = 0; i < decision.toStart(); i++) {
            ContainerInfo wanted =
                    ContainerInfo.unplaced(ContainerIds.next(), f, ContainerInfo.WAITING_FOR_PLACEMENT, now);
            writes.write(() -> store.putContainer(wanted));
        }
        if (!settling) {
            for (String id : decision.toStop()) {
                mine.stream().filter(c -> c.id().equals(id)).findFirst().ifPresent(this::stop);
            }
        }
        autoscaling.toPublish(key, decision, now).ifPresent(status -> writes.write(() -> store.putScaleStatus(status)));
        return decision.toStart();
    }

    /** Stops {@code c}: removes an unplaced record (nothing runs), else marks it stopping for its worker to drain. */
    private void stop(ContainerInfo c) {
        writes.write(
                c.unplaced()
                        ? () -> store.removeContainer(c.id())
                        : () -> store.putContainer(c.withState(ContainerState.STOPPING)));
    }

    /**
     * Stops the idle containers of versions a redeploy replaced, and forgets the scaling state
     * (history, override, published decision) of replaced versions with no container left.
     *
     * @param loads the load of each version
     */
    void retireReplacedVersions(Map<VersionKey, FunctionLoad> loads) {
        Map<String, AppDeployment> apps = new HashMap<>();
        store.apps().forEach(a -> apps.put(a.app(), a));
        List<ContainerInfo> containers = store.containers();
        Autoscaling.replacedToStop(containers, loads, apps).forEach(this::stop);
        Set<VersionKey> withContainers = new HashSet<>();
        containers.forEach(c -> withContainers.add(c.versionKey()));
        for (var status : store.scaleStatuses()) {
            if (!Autoscaling.isCurrent(status.key(), apps) && !withContainers.contains(status.key())) {
                autoscaling.forget(status.key());
                writes.write(() -> store.removeScaleStatus(status.key()));
            }
        }
        for (var override : store.scaleOverrides()) {
            if (!Autoscaling.isCurrent(override.key(), apps) && !withContainers.contains(override.key())) {
                writes.write(() -> store.removeScaleOverride(override.key()));
            }
        }
    }
}
