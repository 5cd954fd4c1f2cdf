package dev.ferry.routing;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The single-machine {@link RoutingStore}. Writes are serialised by the store's monitor and
 * listeners hear them under it, so every listener sees changes in one order. Reads of apps
 * take the monitor too; they are map lookups, never I/O.
 */
final class InMemoryRoutingStore implements RoutingStore {

    private final Map<String, AppDeployment> apps = new TreeMap<>();
    private final Map<String, ContainerInfo> containers = new TreeMap<>();
    private final List<RoutingListener> listeners = new CopyOnWriteArrayList<>();

    @Override
    public synchronized void deploy(AppDeployment deployment) {
        apps.put(deployment.app(), deployment);
        listeners.forEach(l -> l.appDeployed(deployment));
    }

    @Override
    public synchronized Optional<AppDeployment> app(String app) {
        return Optional.ofNullable(apps.get(app));
    }

    @Override
    public synchronized List<AppDeployment> apps() {
        return List.copyOf(apps.values());
    }

    @Override
    public synchronized FunctionLookup lookup(String app, String function) {
        AppDeployment deployment = apps.get(app);
        if (deployment == null) {
            return new FunctionLookup.AppNotFound(app);
        }
        return deployment.function(function)
                .<FunctionLookup>map(FunctionLookup.Found::new)
                .orElseGet(() -> new FunctionLookup.FunctionNotFound(app, function));
    }

    @Override
    public synchronized void putContainer(ContainerInfo container) {
        containers.put(container.id(), container);
        listeners.forEach(l -> l.containerUpdated(container));
    }

    @Override
    public synchronized void removeContainer(String id) {
        ContainerInfo removed = containers.remove(id);
        if (removed != null) {
            listeners.forEach(l -> l.containerRemoved(removed));
        }
    }

    @Override
    public synchronized List<ContainerInfo> containers() {
        List<ContainerInfo> all = new ArrayList<>(containers.values());
        all.sort(Comparator.comparing(ContainerInfo::function).thenComparing(ContainerInfo::id));
        return all;
    }

    @Override
    public synchronized void subscribe(RoutingListener listener) {
        apps.values().forEach(listener::appDeployed);
        containers.values().forEach(listener::containerUpdated);
        listeners.add(listener);
    }
}
