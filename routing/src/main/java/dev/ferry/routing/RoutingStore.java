package dev.ferry.routing;

import java.util.List;
import java.util.Optional;

/**
 * What the cluster shares: deployed apps with their functions, and containers.
 *
 * <p>Implementations are thread-safe. Reads never block on I/O, so the request path can
 * call {@link #lookup} on every request. {@link #inMemory()} is the single-machine store;
 * a Redis-backed store with the same contract arrives with the cluster work.
 */
public interface RoutingStore {

    /** A store that lives in this process. */
    static RoutingStore inMemory() {
        return new InMemoryRoutingStore();
    }

    /** Makes {@code deployment} the current version of its app, replacing any earlier one. */
    void deploy(AppDeployment deployment);

    /** The current version of {@code app}. */
    Optional<AppDeployment> app(String app);

    /** The current version of every app, sorted by name. */
    List<AppDeployment> apps();

    /** Finds function {@code function} of app {@code app} in the app's current version. */
    FunctionLookup lookup(String app, String function);

    /** Adds {@code container} or replaces the entry with its id. */
    void putContainer(ContainerInfo container);

    /** Removes the container with {@code id}; nothing happens if there is none. */
    void removeContainer(String id);

    /** Every container, sorted by function then id. */
    List<ContainerInfo> containers();

    /** Adds {@code listener}; it first hears the current apps and containers, then every change. */
    void subscribe(RoutingListener listener);
}
