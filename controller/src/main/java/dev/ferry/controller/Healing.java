package dev.ferry.controller;

import dev.ferry.request.protocol.VersionKey;
import dev.ferry.routing.ContainerIds;
import dev.ferry.routing.ContainerInfo;
import dev.ferry.routing.ContainerState;
import dev.ferry.routing.RoutingStore;
import dev.ferry.routing.WorkerInfo;
import dev.ferry.scheduler.CrashBackoff;
import dev.ferry.scheduler.HeartbeatPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Heals the cluster: replaces a container that died serving and the containers of a worker
 * whose heartbeats stopped, and keeps each version's crash back-off, so that a crash loop
 * does not burn a worker. Controller thread only, except {@link #serving}, which the store's
 * feed calls.
 */
final class Healing {

    private static final System.Logger logger = System.getLogger(Healing.class.getName());

    /** A placed container its worker has not started by then is forgotten. Worker start-up is far quicker. */
    static final Duration PENDING_TIMEOUT = Duration.ofSeconds(30);

    private final RoutingStore store;
    private final HeartbeatPolicy heartbeats;
    private final CrashBackoff crashes;
    private final StoreWrites writes;
    /** Containers seen ready: one of these that fails died serving, and is replaced. */
    private final Set<String> serving = ConcurrentHashMap.newKeySet();

    Healing(RoutingStore store, HeartbeatPolicy heartbeats, CrashBackoff crashes, StoreWrites writes) {
        this.store = store;
        this.heartbeats = heartbeats;
        this.crashes = crashes;
        this.writes = writes;
    }

    /** {@code container} is ready: it serves from now on, and dying is a loss to replace. Any thread. */
    void serving(ContainerInfo container) {
        serving.add(container.id());
    }

    /** {@code container} became ready: its version's back-off starts over once it stays up. */
    void ready(ContainerInfo container, Instant now) {
        crashes.ready(container.versionKey(), now);
    }

    /** A version that stays up starts its failure count over. */
    void noteHealthy(Instant now) {
        for (ContainerInfo c : store.containers()) {
            if (c.state() == ContainerState.READY) {
                crashes.healthy(c.versionKey(), now);
            }
        }
    }

    /** {@code container} left the store. After a FAILED update, {@link #failed} (queued before this) has read the flag already. */
    void removed(ContainerInfo container) {
        serving.remove(container.id());
    }

    /**
     * A container died or could not start. Its version backs off before the next start (so a
     * crash loop does not burn a worker), and a container that was serving is replaced: it
     * held capacity the function was using.
     *
     * @return whether a replacement was written, to be placed
     */
    boolean failed(ContainerInfo c, Instant now) {
        VersionKey key = c.versionKey();
        boolean wasServing = serving.remove(c.id());
        crashes.crashed(key, now, c.reason().isEmpty() ? "exited" : c.reason());
        logger.log(
                System.Logger.Level.WARNING,
                "container " + c.id() + " of " + c.function() + " " + c.version() + " on worker " + c.worker()
                        + (wasServing ? " died: " : " failed to start: ")
                        + (c.reason().isEmpty() ? "no reason given" : c.reason())
                        + (crashes.inCrashLoop(key)
                                ? "; crash loop, next start in "
                                        + Math.max(
                                                1,
                                                Duration.between(
                                                                now,
                                                                crashes.readyAt(key)
                                                                        .orElse(now))
                                                        .toSeconds())
                                        + " s"
                                : ""));
        if (wasServing) {
            replace(c, "replacing " + c.id() + ", which died: " + c.reason(), now);
        }
        return wasServing;
    }

    /**
     * Declares workers lost whose heartbeats stopped ({@link ControllerTimings#heartbeats()}): their
     * containers leave routing at once and are replaced on other workers. Also forgets
     * placements no worker took up.
     */
    void forgetDeadWorkers(Instant now) {
        Set<String> live = new HashSet<>();
        for (WorkerInfo w : store.workers()) {
            if (heartbeats.lost(w.heartbeat(), now)) {
                logger.log(
                        System.Logger.Level.WARNING,
                        "worker " + w.id() + " is lost: no heartbeat since " + w.heartbeat()
                                + "; replacing its containers elsewhere");
                writes.write(() -> store.removeWorker(w.id()));
            } else {
                live.add(w.id());
            }
        }
        for (ContainerInfo c : store.containers()) {
            if (c.unplaced()) {
                continue;
            }
            if (!live.contains(c.worker())) {
                writes.write(() -> store.removeContainer(c.id()));
                serving.remove(c.id());
                if (c.state() != ContainerState.STOPPING && c.state() != ContainerState.FAILED) {
                    replace(c, "replacing " + c.id() + " from lost worker " + c.worker(), now);
                }
            } else if (c.state() == ContainerState.PENDING && c.startedAt().isBefore(now.minus(PENDING_TIMEOUT))) {
                // Its worker never took it up (it missed the record): place again on the next demand.
                logger.log(
                        System.Logger.Level.WARNING,
                        "worker " + c.worker() + " did not start container " + c.id() + " of " + c.function()
                                + " within " + PENDING_TIMEOUT.toSeconds() + " s; forgetting it");
                writes.write(() -> store.removeContainer(c.id()));
            }
        }
    }

    /** Writes an unplaced replacement for {@code lost}, if its version is still current. */
    private void replace(ContainerInfo lost, String reason, Instant now) {
        store.currentFunction(lost.versionKey()).ifPresent(f -> {
            ContainerInfo replacement = ContainerInfo.unplaced(ContainerIds.next(), f, reason, now);
            writes.write(() -> store.putContainer(replacement));
        });
    }
}
