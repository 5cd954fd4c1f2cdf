package dev.ferry.routing;

import dev.ferry.request.protocol.FunctionId;
import dev.ferry.request.protocol.VersionKey;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the cluster shares: deployed apps with their functions, routes of custom hosts,
 * containers, workers, demand samples, app jars and the controller's leader lease.
 *
 * <p>Implementations are thread-safe. <b>Reads never do I/O</b> (except {@link #jar}): they
 * answer from an in-process copy that a change feed keeps current, so the request path can
 * call {@link #lookup} on every request and keeps working while a shared store is down.
 * <b>Writes</b> go to the shared store and return once it has them; they throw
 * {@link StoreUnavailableException}, naming the store, when it cannot be reached. A write
 * shows in this process's reads and reaches listeners by the change feed, shortly after
 * it returns (at once for the in-memory store).
 *
 * <p>Every record carries the store's version of it, and the copy never lets an older
 * version replace a newer one, so a stale or reordered update never wins.
 */
public interface RoutingStore extends AutoCloseable {

    /** A store that lives in this process: the single-machine mode of {@code ferry dev}. */
    static RoutingStore inMemory() {
        return new InMemoryRoutingStore();
    }

    /**
     * A store shared through Redis, for a cluster of machines. It connects, loads its copy of
     * cluster {@code cluster}'s records and returns; from then on Lettuce reconnects by itself
     * and the copy resynchronises whenever Redis comes back. Several clusters can share one
     * Redis: every key starts with {@code ferry:<cluster>:} (the keys are described in the
     * routing module's README.md).
     *
     * @param uri {@code redis://[[user]:password@]host:port[/db]}, or {@code rediss://...} for TLS
     * @param cluster the cluster's namespace: 1-40 lower-case letters, digits and hyphens
     *     ({@code "default"} unless several clusters share the Redis)
     * @throws IllegalArgumentException if {@code uri} or {@code cluster} is malformed
     * @throws StoreUnavailableException if Redis cannot be reached or read, refuses the
     *     credentials, or fails the TLS handshake; the message names it, without the password
     */
    static RoutingStore redis(String uri, String cluster) {
        return RedisRoutingStore.open(uri, cluster, RedisRoutingStore.Options.DEFAULTS);
    }

    /**
     * As {@link #redis(String, String)}, for a Redis that needs more than a URI: one whose TLS
     * certificate a private CA signed.
     *
     * @throws IllegalArgumentException also if the endpoint's CA certificates cannot be read, or
     *     are given for a {@code redis://} URI
     * @throws StoreUnavailableException also if Redis refuses the credentials or the TLS handshake fails
     */
    static RoutingStore redis(RedisEndpoint endpoint, String cluster) {
        return RedisRoutingStore.open(endpoint, cluster, RedisRoutingStore.Options.DEFAULTS);
    }

    /** What this store is, for messages: "in-memory store" or "Redis at redis://host:port/0". */
    String describe();

    // ---- apps ----

    /**
     * Makes {@code deployment} the current version of its app in one step: each reader sees
     * the old version or the new one, never a mix or nothing.
     */
    void deploy(AppDeployment deployment);

    /** The current version of {@code app}. */
    Optional<AppDeployment> app(String app);

    /** The current version of every app, sorted by name. */
    List<AppDeployment> apps();

    /** Finds function {@code function} of app {@code app} in the app's current version. */
    FunctionLookup lookup(String app, String function);

    /** Function version {@code key} if its version is its app's current one: what may run now. */
    default Optional<DeployedFunction> currentFunction(VersionKey key) {
        return app(key.function().app().value())
                .filter(app -> app.version().equals(key.version()))
                .flatMap(app -> app.function(key.function().name()));
    }

    // ---- routes of custom hosts ----

    /**
     * Routes requests for {@code host} (a custom domain, lowercase, no port) to function
     * {@code function}, replacing any earlier route of that host.
     */
    void putRoute(String host, FunctionId function);

    /** Removes the route of {@code host}; nothing happens if there is none. */
    void removeRoute(String host);

    /** The function {@code host} routes to, if it has a route of its own. */
    Optional<FunctionId> route(String host);

    /** Every custom route, host to function, sorted by host. */
    Map<String, FunctionId> routes();

    // ---- containers ----

    /** Adds {@code container} or replaces the entry with its id. */
    void putContainer(ContainerInfo container);

    /** Removes the container with {@code id}; nothing happens if there is none. */
    void removeContainer(String id);

    /** Every container, sorted by function then id. */
    List<ContainerInfo> containers();

    // ---- workers ----

    /** Registers {@code worker} or replaces the entry with its id (a heartbeat). */
    void putWorker(WorkerInfo worker);

    /** Removes the worker with {@code id}; nothing happens if there is none. */
    void removeWorker(String id);

    /** Every worker, sorted by id. */
    List<WorkerInfo> workers();

    // ---- demand ----

    /** Records {@code sample}, replacing the previous sample with its {@link DemandSample#key()}. */
    void recordDemand(DemandSample sample);

    /** The latest sample of each gateway for each function version, sorted by key. */
    List<DemandSample> demand();

    /**
     * Removes the samples taken before {@code before}: a gateway that died (or stopped serving a
     * function) reports no more, and its last samples would otherwise stay forever. The
     * controller's leader calls this with a time well past the samples' freshness, so only
     * samples that no longer count go. A sample written again meanwhile stays.
     */
    void pruneDemand(Instant before);

    // ---- scaling ----

    /**
     * Records an operator's change to how a function version scales, replacing the one stored
     * for its {@link ScaleOverride#key()} (merging is the caller's, see {@link ScaleOverride#with}).
     */
    void putScaleOverride(ScaleOverride override);

    /** Removes the override of function version {@code key}; nothing happens if there is none. */
    void removeScaleOverride(VersionKey key);

    /** The override of function version {@code key}, if an operator made one. */
    Optional<ScaleOverride> scaleOverride(VersionKey key);

    /** Every override, sorted by key. */
    List<ScaleOverride> scaleOverrides();

    /** Records the autoscaler's latest decision for a function version, replacing the previous one. */
    void putScaleStatus(ScaleStatus status);

    /** Removes the decision kept for function version {@code key}; nothing happens if there is none. */
    void removeScaleStatus(VersionKey key);

    /** The latest decision for every function version, sorted by key. */
    List<ScaleStatus> scaleStatuses();

    // ---- access tokens ----

    /** Adds {@code token} or replaces the one with its id. */
    void putToken(AccessToken token);

    /** Removes (revokes) the token with {@code id}; nothing happens if there is none. */
    void removeToken(String id);

    /** The token with {@code id}, if it exists. */
    Optional<AccessToken> token(String id);

    /** Every token, sorted by id. */
    List<AccessToken> tokens();

    // ---- secrets ----

    /** Stores {@code secret}, replacing the one of its name. */
    void putSecret(FunctionSecret secret);

    /** Removes the secret {@code name}; nothing happens if there is none. */
    void removeSecret(String name);

    /** The secret {@code name}, if one is set. */
    Optional<FunctionSecret> secret(String name);

    /** Every secret, sorted by name. */
    List<FunctionSecret> secrets();

    // ---- jars ----

    /** Stores the bytes of an app jar under their SHA-256 {@code digest} (lowercase hex). */
    void putJar(String digest, byte[] content);

    /** The jar stored under {@code digest}. This one read may do I/O: never call it on the request path. */
    Optional<byte[]> jar(String digest);

    // ---- leader lease ----

    /**
     * Takes or renews the controller's leader lease for {@code candidate}: true when
     * {@code candidate} holds it for {@code lease} from now, false when another holds it.
     * The in-memory store has one controller, which always holds it.
     */
    boolean acquireLeadership(String candidate, Duration lease);

    /** Gives up the lease if {@code candidate} holds it, so a standby takes over at once. */
    void releaseLeadership(String candidate);

    // ---- change feed ----

    /**
     * Adds {@code listener}; it first hears the current records, then every change. Records
     * it hears are never older than the ones it heard before.
     */
    void subscribe(RoutingListener listener);

    /** Removes {@code listener}. */
    void unsubscribe(RoutingListener listener);

    /** Closes connections; reads keep answering from the last copy. */
    @Override
    void close();
}
