package dev.ferry.routing;

import dev.ferry.request.protocol.FunctionId;
import dev.ferry.request.protocol.VersionKey;
import dev.ferry.routing.RecordCodec.Versioned;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * The in-process copy of a shared store that reads answer from, and the dispatch of its
 * changes to listeners.
 *
 * <p>Every entry keeps the store version (the Redis {@code seq}) it was written at, and a
 * removed entry leaves a tombstone while the feed has not caught up with it, so an update
 * only applies when it is newer than what the copy holds: a stale or reordered message
 * never wins. {@link #applied} is the feed's watermark: every change up to it is in the
 * copy, so anything at or below it is old news.
 *
 * <p>Mutations take one lock and, under it, queue their listener callbacks on the
 * dispatcher (the feed thread), so listeners hear changes in the order they were applied.
 * Reads take no lock: the tables are concurrent sorted maps whose entries are replaced
 * whole, so a reader sees an old record or a new one, never a mix.
 */
final class RoutingCopy {

    private static final Logger LOG = System.getLogger(RoutingCopy.class.getName());

    /** The versioned kinds of record; demand is kept apart because it is not versioned. */
    enum Kind {
        APP("app", "apps"),
        ROUTE("route", "routes"),
        CONTAINER("container", "containers"),
        WORKER("worker", "workers"),
        SCALE_OVERRIDE("scale", "scale-overrides"),
        SCALE_STATUS("autoscaler", "scale-status"),
        TOKEN("token", "tokens"),
        SECRET("secret", "secrets");

        /** The kind's name in change messages. */
        final String label;
        /** The last part of the name of the Redis hash that holds this kind. */
        final String hash;

        Kind(String label, String hash) {
            this.label = label;
            this.hash = hash;
        }

        static Optional<Kind> ofLabel(String label) {
            for (Kind k : values()) {
                if (k.label.equals(label)) {
                    return Optional.of(k);
                }
            }
            return Optional.empty();
        }
    }

    /**
     * What became of a change the feed offered: applied; dropped as old; not applied because
     * changes before it were missed (a resync is due); or not applied because it is of
     * another epoch than the copy (Redis lost its data, or the message is foreign).
     */
    enum Outcome {
        APPLIED,
        STALE,
        GAP,
        OTHER_EPOCH
    }

    /** The whole shared state at one moment: what a resync loads. */
    record Snapshot(
            String epoch,
            long seq,
            Map<Kind, Map<String, Versioned<Object>>> tables,
            Map<String, DemandSample> demand) {}

    /**
     * One record and the version it was written at. An orphan is a record the store lost
     * (it came back empty): it stays, at version 0 so any new write replaces it, until
     * {@code deadline} (System.nanoTime) gives its owner time to write it again.
     */
    private record Entry(long version, Object record, boolean orphan, long deadline) {
        static Entry of(long version, Object record) {
            return new Entry(version, record, false, 0);
        }
    }

    /**
     * A listener and the number of the last event that came before it subscribed. Compared by
     * identity: the same listener subscribed twice is two subscriptions.
     */
    private static final class Subscription {
        final RoutingListener listener;
        final long after;

        Subscription(RoutingListener listener, long after) {
            this.listener = listener;
            this.after = after;
        }
    }

    private final Object lock = new Object();
    private final Map<Kind, ConcurrentSkipListMap<String, Entry>> tables = new EnumMap<>(Kind.class);
    private final Map<Kind, Map<String, Long>> tombstones = new EnumMap<>(Kind.class);
    private final ConcurrentSkipListMap<String, DemandSample> demand = new ConcurrentSkipListMap<>();
    private final Map<String, Long> demandOrphans = new HashMap<>();
    private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();
    private volatile Executor dispatcher;

    // Guarded by lock.
    private String epoch;
    private long applied;
    private long events;
    private int orphans;

    RoutingCopy(Executor dispatcher) {
        this.dispatcher = dispatcher;
        for (Kind k : Kind.values()) {
            tables.put(k, new ConcurrentSkipListMap<>());
            tombstones.put(k, new HashMap<>());
        }
    }

    /**
     * From now on, listener callbacks run on the calling thread: the store is closed, the
     * feed thread is gone, and only a late {@link #subscribe} still has something to say.
     */
    void detach() {
        dispatcher = Runnable::run;
    }

    // ---- reads: no lock, no I/O ----

    Optional<AppDeployment> app(String app) {
        Entry e = tables.get(Kind.APP).get(app);
        return e == null ? Optional.empty() : Optional.of((AppDeployment) e.record);
    }

    List<AppDeployment> apps() {
        return records(Kind.APP, AppDeployment.class);
    }

    FunctionLookup lookup(String app, String function) {
        Entry e = tables.get(Kind.APP).get(app);
        return FunctionLookup.in(e == null ? null : (AppDeployment) e.record, app, function);
    }

    Optional<FunctionId> route(String host) {
        Entry e = tables.get(Kind.ROUTE).get(host);
        return e == null ? Optional.empty() : Optional.of((FunctionId) e.record);
    }

    Map<String, FunctionId> routes() {
        Map<String, FunctionId> all = new TreeMap<>();
        tables.get(Kind.ROUTE).forEach((host, e) -> all.put(host, (FunctionId) e.record));
        return Collections.unmodifiableMap(all);
    }

    List<ContainerInfo> containers() {
        List<ContainerInfo> all = new ArrayList<>(records(Kind.CONTAINER, ContainerInfo.class));
        all.sort(Comparator.comparing(ContainerInfo::function).thenComparing(ContainerInfo::id));
        return List.copyOf(all);
    }

    List<WorkerInfo> workers() {
        return records(Kind.WORKER, WorkerInfo.class);
    }

    List<DemandSample> demand() {
        return List.copyOf(demand.values());
    }

    List<ScaleOverride> scaleOverrides() {
        return records(Kind.SCALE_OVERRIDE, ScaleOverride.class);
    }

    Optional<ScaleOverride> scaleOverride(VersionKey key) {
        Entry e = tables.get(Kind.SCALE_OVERRIDE).get(key.toString());
        return e == null ? Optional.empty() : Optional.of((ScaleOverride) e.record);
    }

    List<AccessToken> tokens() {
        return records(Kind.TOKEN, AccessToken.class);
    }

    Optional<AccessToken> token(String id) {
        Entry e = tables.get(Kind.TOKEN).get(id);
        return e == null ? Optional.empty() : Optional.of((AccessToken) e.record);
    }

    List<ScaleStatus> scaleStatuses() {
        return records(Kind.SCALE_STATUS, ScaleStatus.class);
    }

    List<FunctionSecret> secrets() {
        return records(Kind.SECRET, FunctionSecret.class);
    }

    Optional<FunctionSecret> secret(String name) {
        Entry e = tables.get(Kind.SECRET).get(name);
        return e == null ? Optional.empty() : Optional.of((FunctionSecret) e.record);
    }

    private <R> List<R> records(Kind kind, Class<R> type) {
        List<R> all = new ArrayList<>();
        tables.get(kind).values().forEach(e -> all.add(type.cast(e.record)));
        return List.copyOf(all);
    }

    /** The epoch of the store the copy was last loaded from; null before the first load. */
    String epoch() {
        synchronized (lock) {
            return epoch;
        }
    }

    /** The feed's watermark: every change up to this version is in the copy. */
    long applied() {
        synchronized (lock) {
            return applied;
        }
    }

    // ---- changes ----

    /**
     * Offers change {@code seq} of the change feed: applies it when it is the next one
     * ({@code record} null removes), drops it when it is old, and says so when changes were
     * missed or the message is of another epoch.
     */
    Outcome applyFeed(String messageEpoch, long seq, Kind kind, String key, Object record) {
        synchronized (lock) {
            if (!messageEpoch.equals(epoch)) {
                return Outcome.OTHER_EPOCH;
            }
            if (seq <= applied) {
                return Outcome.STALE;
            }
            if (seq != applied + 1) {
                return Outcome.GAP;
            }
            applied = seq;
            if (isNewer(kind, key, seq)) {
                set(kind, key, seq, record);
            }
            purgeTombstones();
            return Outcome.APPLIED;
        }
    }

    /**
     * Applies a write this process made, as soon as the store has it, so the writer reads
     * its own write without waiting for the feed. The feed brings the same change later and
     * finds it already there. Ignored unless it is newer than what the copy holds.
     */
    void applyWrite(String writeEpoch, long seq, Kind kind, String key, Object record) {
        synchronized (lock) {
            if (seq <= applied || !writeEpoch.equals(epoch) || !isNewer(kind, key, seq)) {
                return;
            }
            set(kind, key, seq, record);
        }
    }

    /** Drops the samples taken before {@code before} (see {@link RoutingStore#pruneDemand}). */
    void pruneDemand(Instant before) {
        synchronized (lock) {
            demand.values().removeIf(s -> s.sampledAt().isBefore(before));
        }
    }

    /** Keeps {@code sample} unless the copy has a newer one of its key. */
    void applyDemand(DemandSample sample) {
        synchronized (lock) {
            DemandSample current = demand.get(sample.key());
            if (current != null && (current.sampledAt().isAfter(sample.sampledAt()) || current.equals(sample))) {
                demandOrphans.remove(sample.key());
                return;
            }
            demand.put(sample.key(), sample);
            demandOrphans.remove(sample.key());
            post(l -> l.demandSampled(sample));
        }
    }

    /**
     * Replaces the copy with {@code snapshot}, telling listeners what changed and then that
     * it resynced.
     *
     * @return whether the store lost its data: its epoch is not the one the copy came from.
     *     Then the copy's records that the snapshot lacks are kept as orphans until
     *     {@code grace} nanoseconds from {@code now}, so their owners can write them again.
     */
    boolean resync(Snapshot snapshot, long now, long grace) {
        synchronized (lock) {
            boolean dataLost = epoch != null && !epoch.equals(snapshot.epoch());
            for (Kind kind : Kind.values()) {
                resyncTable(kind, snapshot, dataLost, now + grace);
            }
            for (DemandSample sample : snapshot.demand().values()) {
                applyDemand(sample);
            }
            if (dataLost) {
                // Demand has no removal callback; samples the store lost linger like records.
                for (String key : demand.keySet()) {
                    if (!snapshot.demand().containsKey(key)) {
                        demandOrphans.putIfAbsent(key, now + grace);
                    }
                }
            }
            epoch = snapshot.epoch();
            applied = snapshot.seq();
            post(l -> l.resynced(dataLost));
            return dataLost;
        }
    }

    private void resyncTable(Kind kind, Snapshot snapshot, boolean dataLost, long deadline) {
        ConcurrentSkipListMap<String, Entry> table = tables.get(kind);
        Map<String, Long> tombs = tombstones.get(kind);
        Map<String, Versioned<Object>> loaded = snapshot.tables().getOrDefault(kind, Map.of());
        for (Map.Entry<String, Versioned<Object>> e : loaded.entrySet()) {
            String key = e.getKey();
            Versioned<Object> v = e.getValue();
            Entry current = table.get(key);
            if (!dataLost) {
                // A write applied directly may already be newer than the snapshot.
                if (current != null && !current.orphan && current.version >= v.version()) {
                    continue;
                }
                Long tomb = tombs.get(key);
                if (tomb != null && tomb >= v.version()) {
                    continue;
                }
            }
            table.put(key, Entry.of(v.version(), v.record()));
            if (current != null && current.orphan) {
                orphans--;
            }
            if (current == null || !current.record.equals(v.record())) {
                Object record = v.record();
                post(l -> updated(l, kind, key, record));
            }
        }
        for (Iterator<Map.Entry<String, Entry>> it = table.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Entry> e = it.next();
            Entry current = e.getValue();
            if (loaded.containsKey(e.getKey()) || current.orphan) {
                continue; // loaded above, or already waiting for its owner since an earlier loss
            }
            if (dataLost) {
                // (A concurrent map's iterator entries are read-only; put is safe while iterating.)
                table.put(e.getKey(), new Entry(0, current.record, true, deadline));
                orphans++;
            } else if (current.version <= snapshot.seq()) {
                it.remove();
                String key = e.getKey();
                post(l -> removed(l, kind, key, current.record));
            }
            // else: written directly after the snapshot was taken; the feed confirms it.
        }
        if (dataLost) {
            tombs.clear();
        } else {
            tombs.values().removeIf(v -> v <= snapshot.seq());
        }
    }

    /** Removes the orphans whose owners did not write them again in time. */
    void expireOrphans(long now) {
        synchronized (lock) {
            if (orphans > 0) {
                for (Kind kind : Kind.values()) {
                    for (Iterator<Map.Entry<String, Entry>> it =
                                    tables.get(kind).entrySet().iterator();
                            it.hasNext(); ) {
                        Map.Entry<String, Entry> e = it.next();
                        Entry current = e.getValue();
                        if (current.orphan && now - current.deadline >= 0) {
                            it.remove();
                            orphans--;
                            String key = e.getKey();
                            post(l -> removed(l, kind, key, current.record));
                        }
                    }
                }
            }
            demandOrphans.entrySet().removeIf(e -> {
                boolean expired = now - e.getValue() >= 0;
                if (expired) {
                    demand.remove(e.getKey());
                }
                return expired;
            });
        }
    }

    private boolean isNewer(Kind kind, String key, long seq) {
        Entry current = tables.get(kind).get(key);
        if (current != null && !current.orphan && current.version >= seq) {
            return false;
        }
        Long tomb = tombstones.get(kind).get(key);
        return tomb == null || tomb < seq;
    }

    /** Writes {@code record} (null: removes) at {@code version}; the caller checked it is newer. */
    private void set(Kind kind, String key, long version, Object record) {
        ConcurrentSkipListMap<String, Entry> table = tables.get(kind);
        Entry previous = record == null ? table.remove(key) : table.put(key, Entry.of(version, record));
        if (previous != null && previous.orphan) {
            orphans--;
        }
        if (record == null) {
            if (version > applied) {
                // Only a direct write gets ahead of the feed; until the feed passes it, the
                // tombstone keeps an older put still on its way from winning.
                tombstones.get(kind).put(key, version);
            }
            if (previous != null) {
                post(l -> removed(l, kind, key, previous.record));
            }
        } else {
            tombstones.get(kind).remove(key);
            post(l -> updated(l, kind, key, record));
        }
    }

    private void purgeTombstones() {
        for (Map<String, Long> tombs : tombstones.values()) {
            if (!tombs.isEmpty()) {
                tombs.values().removeIf(v -> v <= applied);
            }
        }
    }

    private static void updated(RoutingListener l, Kind kind, String key, Object record) {
        switch (kind) {
            case APP -> l.appDeployed((AppDeployment) record);
            case ROUTE -> l.routeUpdated(key, (FunctionId) record);
            case CONTAINER -> l.containerUpdated((ContainerInfo) record);
            case WORKER -> l.workerUpdated((WorkerInfo) record);
            case SCALE_OVERRIDE, SCALE_STATUS, TOKEN, SECRET -> {} // read when needed, nobody listens
        }
    }

    private static void removed(RoutingListener l, Kind kind, String key, Object record) {
        switch (kind) {
            // Apps are never removed by a write; one the store lost that nobody deployed
            // again leaves the copy, and the listener interface has no callback for it.
            case APP -> {}
            case ROUTE -> l.routeRemoved(key);
            case CONTAINER -> l.containerRemoved((ContainerInfo) record);
            case WORKER -> l.workerRemoved((WorkerInfo) record);
            case SCALE_OVERRIDE, SCALE_STATUS, TOKEN, SECRET -> {}
        }
    }

    // ---- listeners ----

    /** Adds {@code listener}: it hears the current records, then every change applied after this call. */
    void subscribe(RoutingListener listener) {
        synchronized (lock) {
            List<Consumer<RoutingListener>> replay = new ArrayList<>();
            tables.get(Kind.APP).values().forEach(e -> replay.add(l -> l.appDeployed((AppDeployment) e.record)));
            tables.get(Kind.ROUTE).forEach((host, e) -> replay.add(l -> l.routeUpdated(host, (FunctionId) e.record)));
            tables.get(Kind.WORKER).values().forEach(e -> replay.add(l -> l.workerUpdated((WorkerInfo) e.record)));
            tables.get(Kind.CONTAINER)
                    .values()
                    .forEach(e -> replay.add(l -> l.containerUpdated((ContainerInfo) e.record)));
            demand.values().forEach(d -> replay.add(l -> l.demandSampled(d)));
            Subscription subscription = new Subscription(listener, events);
            subscriptions.add(subscription);
            dispatcher.execute(() -> {
                for (Consumer<RoutingListener> call : replay) {
                    if (!subscriptions.contains(subscription)) {
                        return;
                    }
                    deliver(listener, call);
                }
            });
        }
    }

    void unsubscribe(RoutingListener listener) {
        for (Subscription s : subscriptions) {
            if (s.listener == listener) {
                subscriptions.remove(s);
                return;
            }
        }
    }

    /** Queues {@code call} for every listener subscribed now; the caller holds the lock. */
    private void post(Consumer<RoutingListener> call) {
        long event = ++events;
        if (subscriptions.isEmpty()) {
            return; // nobody to tell; a later subscriber starts after this event anyway
        }
        dispatcher.execute(() -> {
            for (Subscription s : subscriptions) {
                if (s.after < event) {
                    deliver(s.listener, call);
                }
            }
        });
    }

    private static void deliver(RoutingListener listener, Consumer<RoutingListener> call) {
        try {
            call.accept(listener);
        } catch (RuntimeException e) {
            // One broken listener must not stop the others, nor the feed.
            LOG.log(Level.WARNING, "A routing listener failed: " + listener, e);
        }
    }
}
