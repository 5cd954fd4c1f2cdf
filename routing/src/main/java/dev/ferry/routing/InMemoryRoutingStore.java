package dev.ferry.routing;

import dev.ferry.request.protocol.FunctionId;
import dev.ferry.request.protocol.VersionKey;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The single-machine {@link RoutingStore}. Writes are serialised by the store's monitor and
 * listeners hear them under it, so every listener sees changes in one order; a listener that
 * throws is logged and the others still hear the change. The request path's reads (an app,
 * a lookup, a route) take no lock; the others take the monitor. All are map lookups, never I/O.
 */
final class InMemoryRoutingStore implements RoutingStore {

    private static final Logger LOG = System.getLogger(InMemoryRoutingStore.class.getName());

    // The two maps every request reads: concurrent, so the request path takes no lock.
    private final Map<String, AppDeployment> apps = new ConcurrentSkipListMap<>();
    private final Map<String, FunctionId> routes = new ConcurrentSkipListMap<>();
    private final Map<String, ContainerInfo> containers = new TreeMap<>();
    private final Map<String, WorkerInfo> workers = new TreeMap<>();
    private final Map<String, DemandSample> demand = new TreeMap<>();
    private final Map<String, byte[]> jars = new HashMap<>();
    // By the printed key, as Redis keeps them: the same order from both stores.
    private final Map<String, ScaleOverride> scaleOverrides = new TreeMap<>();
    private final Map<String, AccessToken> tokens = new TreeMap<>();
    private final Map<String, ScaleStatus> scaleStatuses = new TreeMap<>();
    private final Map<String, FunctionSecret> secrets = new TreeMap<>();
    private final List<RoutingListener> listeners = new CopyOnWriteArrayList<>();

    @Override
    public String describe() {
        return "in-memory store";
    }

    @Override
    public synchronized void deploy(AppDeployment deployment) {
        apps.put(deployment.app(), deployment);
        tell(l -> l.appDeployed(deployment));
    }

    @Override
    public Optional<AppDeployment> app(String app) {
        return Optional.ofNullable(apps.get(app));
    }

    @Override
    public synchronized List<AppDeployment> apps() {
        return List.copyOf(apps.values());
    }

    @Override
    public FunctionLookup lookup(String app, String function) {
        return FunctionLookup.in(apps.get(app), app, function);
    }

    @Override
    public synchronized void putRoute(String host, FunctionId function) {
        Routes.checkHost(host);
        Objects.requireNonNull(function, "function");
        routes.put(host, function);
        tell(l -> l.routeUpdated(host, function));
    }

    @Override
    public synchronized void removeRoute(String host) {
        if (routes.remove(host) != null) {
            tell(l -> l.routeRemoved(host));
        }
    }

    @Override
    public Optional<FunctionId> route(String host) {
        return Optional.ofNullable(routes.get(host));
    }

    @Override
    public synchronized Map<String, FunctionId> routes() {
        return Collections.unmodifiableMap(new TreeMap<>(routes));
    }

    @Override
    public synchronized void putContainer(ContainerInfo container) {
        containers.put(container.id(), container);
        tell(l -> l.containerUpdated(container));
    }

    @Override
    public synchronized void removeContainer(String id) {
        ContainerInfo removed = containers.remove(id);
        if (removed != null) {
            tell(l -> l.containerRemoved(removed));
        }
    }

    @Override
    public synchronized List<ContainerInfo> containers() {
        List<ContainerInfo> all = new ArrayList<>(containers.values());
        all.sort(Comparator.comparing(ContainerInfo::function).thenComparing(ContainerInfo::id));
        return all;
    }

    @Override
    public synchronized void putWorker(WorkerInfo worker) {
        workers.put(worker.id(), worker);
        tell(l -> l.workerUpdated(worker));
    }

    @Override
    public synchronized void removeWorker(String id) {
        WorkerInfo removed = workers.remove(id);
        if (removed != null) {
            tell(l -> l.workerRemoved(removed));
        }
    }

    @Override
    public synchronized List<WorkerInfo> workers() {
        return List.copyOf(workers.values());
    }

    @Override
    public synchronized void recordDemand(DemandSample sample) {
        DemandSample previous = demand.get(sample.key());
        if (previous != null && previous.sampledAt().isAfter(sample.sampledAt())) {
            return; // an older sample never replaces a newer one
        }
        demand.put(sample.key(), sample);
        tell(l -> l.demandSampled(sample));
    }

    @Override
    public synchronized void pruneDemand(Instant before) {
        demand.values().removeIf(s -> s.sampledAt().isBefore(before));
    }

    @Override
    public synchronized List<DemandSample> demand() {
        return List.copyOf(demand.values());
    }

    @Override
    public synchronized void putToken(AccessToken token) {
        tokens.put(token.id(), token);
    }

    @Override
    public synchronized void removeToken(String id) {
        tokens.remove(id);
    }

    @Override
    public synchronized Optional<AccessToken> token(String id) {
        return Optional.ofNullable(tokens.get(id));
    }

    @Override
    public synchronized List<AccessToken> tokens() {
        return List.copyOf(tokens.values());
    }

    @Override
    public synchronized void putScaleOverride(ScaleOverride override) {
        scaleOverrides.put(override.key().toString(), override);
    }

    @Override
    public synchronized void removeScaleOverride(VersionKey key) {
        scaleOverrides.remove(key.toString());
    }

    @Override
    public synchronized Optional<ScaleOverride> scaleOverride(VersionKey key) {
        return Optional.ofNullable(scaleOverrides.get(key.toString()));
    }

    @Override
    public synchronized List<ScaleOverride> scaleOverrides() {
        return List.copyOf(scaleOverrides.values());
    }

    @Override
    public synchronized void putSecret(FunctionSecret secret) {
        secrets.put(secret.name(), Objects.requireNonNull(secret, "secret"));
    }

    @Override
    public synchronized void removeSecret(String name) {
        secrets.remove(name);
    }

    @Override
    public synchronized Optional<FunctionSecret> secret(String name) {
        return Optional.ofNullable(secrets.get(name));
    }

    @Override
    public synchronized List<FunctionSecret> secrets() {
        return List.copyOf(secrets.values());
    }

    @Override
    public synchronized void putScaleStatus(ScaleStatus status) {
        scaleStatuses.put(status.key().toString(), status);
    }

    @Override
    public synchronized void removeScaleStatus(VersionKey key) {
        scaleStatuses.remove(key.toString());
    }

    @Override
    public synchronized List<ScaleStatus> scaleStatuses() {
        return List.copyOf(scaleStatuses.values());
    }

    @Override
    public synchronized void putJar(String digest, byte[] content) {
        jars.put(digest, content.clone());
    }

    @Override
    public synchronized Optional<byte[]> jar(String digest) {
        return Optional.ofNullable(jars.get(digest)).map(byte[]::clone);
    }

    @Override
    public boolean acquireLeadership(String candidate, Duration lease) {
        return true;
    }

    @Override
    public void releaseLeadership(String candidate) {}

    @Override
    public synchronized void subscribe(RoutingListener listener) {
        apps.values().forEach(a -> deliver(listener, l -> l.appDeployed(a)));
        routes.forEach((host, function) -> deliver(listener, l -> l.routeUpdated(host, function)));
        workers.values().forEach(w -> deliver(listener, l -> l.workerUpdated(w)));
        containers.values().forEach(c -> deliver(listener, l -> l.containerUpdated(c)));
        demand.values().forEach(d -> deliver(listener, l -> l.demandSampled(d)));
        listeners.add(listener);
    }

    @Override
    public void unsubscribe(RoutingListener listener) {
        listeners.remove(listener);
    }

    @Override
    public void close() {}

    /** Calls every listener; one that throws is logged and does not keep the others from hearing. */
    private void tell(Consumer<RoutingListener> call) {
        listeners.forEach(l -> deliver(l, call));
    }

    private static void deliver(RoutingListener listener, Consumer<RoutingListener> call) {
        try {
            call.accept(listener);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "A routing listener failed: " + listener, e);
        }
    }
}
