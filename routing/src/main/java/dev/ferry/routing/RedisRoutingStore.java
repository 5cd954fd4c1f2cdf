package dev.ferry.routing;

import dev.ferry.request.protocol.FunctionId;
import dev.ferry.request.protocol.VersionKey;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The {@link RoutingStore} of a cluster: the shared state lives in Redis (one namespace per
 * cluster, see README.md for the keys), and every process keeps an in-process copy that a
 * change feed keeps current ({@link RedisChangeFeed}, {@link RoutingCopy}).
 *
 * <p>Reads answer from the copy, never from Redis, so they keep working while Redis is down.
 * Writes run one Lua script each ({@link RedisScripts}) and fail fast with
 * {@link StoreUnavailableException} when Redis is unreachable: Lettuce rejects commands
 * while disconnected instead of queueing them, and reconnects by itself. A write also goes
 * straight into this process's copy once Redis has it, so the writer reads its own write.
 */
final class RedisRoutingStore implements RoutingStore {

    /**
     * Tunables; tests shorten them.
     *
     * @param commandTimeout how long a command or a connect may take before it fails
     * @param jarTimeout how long storing or fetching a jar may take: jars are large, and their
     *     transfer counts against the timeout
     * @param gracePeriod how long records that Redis lost stay in the copy for their owners to write again
     * @param checkInterval how often the feed compares Redis's version with the copy's and expires lost records
     */
    record Options(Duration commandTimeout, Duration jarTimeout, Duration gracePeriod, Duration checkInterval) {
        static final Options DEFAULTS = new Options(
                Duration.ofSeconds(2), Duration.ofSeconds(60), Duration.ofSeconds(10), Duration.ofSeconds(1));

        Options withCommandTimeout(Duration timeout) {
            return new Options(timeout, jarTimeout, gracePeriod, checkInterval);
        }

        Options withJarTimeout(Duration timeout) {
            return new Options(commandTimeout, timeout, gracePeriod, checkInterval);
        }

        Options withGracePeriod(Duration grace) {
            return new Options(commandTimeout, jarTimeout, grace, checkInterval);
        }

        Options withCheckInterval(Duration interval) {
            return new Options(commandTimeout, jarTimeout, gracePeriod, interval);
        }
    }

    private final RedisClients.Client redis;
    private final RedisKeys keys;
    private final StatefulRedisConnection<String, String> commands;
    private final StatefulRedisConnection<String, byte[]> jars;
    private final StatefulRedisPubSubConnection<String, String> pubsub;
    private final RedisScripts scripts;
    private final FeedThread feedThread;
    private final RoutingCopy copy;
    private volatile boolean closed;

    private RedisRoutingStore(RedisClients.Client redis, RedisKeys keys, Options options) {
        this.redis = redis;
        this.keys = keys;
        RedisClient client = redis.client();
        this.feedThread = new FeedThread("ferry-routing-feed-" + keys.cluster(), options.checkInterval());
        this.copy = new RoutingCopy(feedThread);
        this.commands = client.connect(StringCodec.UTF8);
        this.jars = client.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
        jars.setTimeout(options.jarTimeout());
        this.pubsub = client.connectPubSub(StringCodec.UTF8);
        this.scripts = new RedisScripts(commands.sync(), keys);
        RedisChangeFeed feed = new RedisChangeFeed(
                redis.describe(),
                keys,
                scripts,
                commands,
                pubsub,
                copy,
                feedThread,
                options.gracePeriod().toNanos(),
                Complaints.PROCESS);
        feed.start();
    }

    /**
     * Connects to {@code uri} and loads the copy of cluster {@code cluster}.
     *
     * @throws IllegalArgumentException if {@code uri} or {@code cluster} is malformed
     * @throws StoreUnavailableException if Redis cannot be reached or read
     */
    static RedisRoutingStore open(String uri, String cluster, Options options) {
        return open(RedisEndpoint.of(uri), cluster, options);
    }

    /** As {@link #open(String, String, Options)}, trusting TLS certificates as {@code endpoint} says. */
    static RedisRoutingStore open(RedisEndpoint endpoint, String cluster, Options options) {
        RedisKeys keys = new RedisKeys(cluster);
        return RedisClients.connect(
                endpoint, options.commandTimeout(), redis -> new RedisRoutingStore(redis, keys, options));
    }

    @Override
    public String describe() {
        return redis.describe();
    }

    // ---- apps ----

    @Override
    public void deploy(AppDeployment deployment) {
        Objects.requireNonNull(deployment, "deployment");
        write(RoutingCopy.Kind.APP, deployment.app(), RecordCodec.app(deployment), deployment);
    }

    @Override
    public Optional<AppDeployment> app(String app) {
        return copy.app(app);
    }

    @Override
    public List<AppDeployment> apps() {
        return copy.apps();
    }

    @Override
    public FunctionLookup lookup(String app, String function) {
        return copy.lookup(app, function);
    }

    // ---- routes ----

    @Override
    public void putRoute(String host, FunctionId function) {
        Routes.checkHost(host);
        Objects.requireNonNull(function, "function");
        write(RoutingCopy.Kind.ROUTE, host, RecordCodec.route(function), function);
    }

    @Override
    public void removeRoute(String host) {
        Objects.requireNonNull(host, "host");
        write(RoutingCopy.Kind.ROUTE, host, null, null);
    }

    @Override
    public Optional<FunctionId> route(String host) {
        return copy.route(host);
    }

    @Override
    public Map<String, FunctionId> routes() {
        return copy.routes();
    }

    // ---- containers ----

    @Override
    public void putContainer(ContainerInfo container) {
        Objects.requireNonNull(container, "container");
        write(RoutingCopy.Kind.CONTAINER, container.id(), RecordCodec.container(container), container);
    }

    @Override
    public void removeContainer(String id) {
        Objects.requireNonNull(id, "id");
        write(RoutingCopy.Kind.CONTAINER, id, null, null);
    }

    @Override
    public List<ContainerInfo> containers() {
        return copy.containers();
    }

    // ---- workers ----

    @Override
    public void putWorker(WorkerInfo worker) {
        Objects.requireNonNull(worker, "worker");
        write(RoutingCopy.Kind.WORKER, worker.id(), RecordCodec.worker(worker), worker);
    }

    @Override
    public void removeWorker(String id) {
        Objects.requireNonNull(id, "id");
        write(RoutingCopy.Kind.WORKER, id, null, null);
    }

    @Override
    public List<WorkerInfo> workers() {
        return copy.workers();
    }

    // ---- scaling ----

    @Override
    public void putToken(AccessToken token) {
        Objects.requireNonNull(token, "token");
        write(RoutingCopy.Kind.TOKEN, token.id(), RecordCodec.token(token), token);
    }

    @Override
    public void removeToken(String id) {
        write(RoutingCopy.Kind.TOKEN, id, null, null);
    }

    @Override
    public Optional<AccessToken> token(String id) {
        return copy.token(id);
    }

    @Override
    public List<AccessToken> tokens() {
        return copy.tokens();
    }

    @Override
    public void putScaleOverride(ScaleOverride override) {
        Objects.requireNonNull(override, "override");
        write(
                RoutingCopy.Kind.SCALE_OVERRIDE,
                override.key().toString(),
                RecordCodec.scaleOverride(override),
                override);
    }

    @Override
    public void removeScaleOverride(VersionKey key) {
        write(RoutingCopy.Kind.SCALE_OVERRIDE, key.toString(), null, null);
    }

    @Override
    public Optional<ScaleOverride> scaleOverride(VersionKey key) {
        return copy.scaleOverride(key);
    }

    @Override
    public List<ScaleOverride> scaleOverrides() {
        return copy.scaleOverrides();
    }

    // ---- secrets ----

    @Override
    public void putSecret(FunctionSecret secret) {
        Objects.requireNonNull(secret, "secret");
        write(RoutingCopy.Kind.SECRET, secret.name(), RecordCodec.secret(secret), secret);
    }

    @Override
    public void removeSecret(String name) {
        write(RoutingCopy.Kind.SECRET, name, null, null);
    }

    @Override
    public Optional<FunctionSecret> secret(String name) {
        return copy.secret(name);
    }

    @Override
    public List<FunctionSecret> secrets() {
        return copy.secrets();
    }

    @Override
    public void putScaleStatus(ScaleStatus status) {
        Objects.requireNonNull(status, "status");
        write(RoutingCopy.Kind.SCALE_STATUS, status.key().toString(), RecordCodec.scaleStatus(status), status);
    }

    @Override
    public void removeScaleStatus(VersionKey key) {
        write(RoutingCopy.Kind.SCALE_STATUS, key.toString(), null, null);
    }

    @Override
    public List<ScaleStatus> scaleStatuses() {
        return copy.scaleStatuses();
    }

    // ---- demand ----

    @Override
    public void recordDemand(DemandSample sample) {
        Objects.requireNonNull(sample, "sample");
        String json = RecordCodec.demand(sample);
        if (call(() -> scripts.recordDemand(sample, json))) {
            copy.applyDemand(sample);
        }
    }

    @Override
    public List<DemandSample> demand() {
        return copy.demand();
    }

    @Override
    public void pruneDemand(Instant before) {
        Objects.requireNonNull(before, "before");
        call(() -> scripts.pruneDemand(before));
        // By age, not by the fields Redis deleted: the copy may hold a sample Redis no longer has.
        copy.pruneDemand(before);
    }

    // ---- jars ----

    @Override
    public void putJar(String digest, byte[] content) {
        Objects.requireNonNull(digest, "digest");
        Objects.requireNonNull(content, "content");
        call(() -> jars.sync().set(keys.jar(digest), content));
    }

    @Override
    public Optional<byte[]> jar(String digest) {
        Objects.requireNonNull(digest, "digest");
        return Optional.ofNullable(call(() -> jars.sync().get(keys.jar(digest))));
    }

    // ---- leader lease ----

    @Override
    public boolean acquireLeadership(String candidate, Duration lease) {
        Objects.requireNonNull(candidate, "candidate");
        long millis = lease.toMillis();
        if (candidate.isEmpty() || millis <= 0) {
            throw new IllegalArgumentException("leadership of \"" + candidate + "\" for " + lease
                    + " (expected: a non-empty candidate and a lease of at least 1 ms)");
        }
        return call(() -> scripts.acquireLeadership(candidate, millis));
    }

    @Override
    public void releaseLeadership(String candidate) {
        Objects.requireNonNull(candidate, "candidate");
        call(() -> {
            scripts.releaseLeadership(candidate);
            return null;
        });
    }

    // ---- change feed ----

    @Override
    public void subscribe(RoutingListener listener) {
        copy.subscribe(Objects.requireNonNull(listener, "listener"));
    }

    @Override
    public void unsubscribe(RoutingListener listener) {
        copy.unsubscribe(listener);
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        feedThread.close();
        copy.detach();
        redis.shutdown();
    }

    @Override
    public String toString() {
        return redis.describe();
    }

    // ---- writes ----

    private void write(RoutingCopy.Kind kind, String key, String json, Object record) {
        RedisScripts.Written written = call(() -> scripts.write(kind, key, json));
        if (written.seq() > 0) {
            copy.applyWrite(written.epoch(), written.seq(), kind, key, record);
        }
    }

    /** Runs {@code op} against Redis, turning any failure into a {@link StoreUnavailableException} naming the store. */
    private <T> T call(Supplier<T> op) {
        if (closed) {
            throw redis.unreachable("this store is closed");
        }
        return redis.call(op);
    }

    /** Keeps the password of a Redis URI out of everything this store says. */
    static final class Redactor {
        private final String redacted;
        private final String userInfo;
        private final String password;

        Redactor(String uri) {
            int scheme = uri.indexOf("://");
            int start = scheme < 0 ? 0 : scheme + 3;
            int slash = uri.indexOf('/', start);
            int at = uri.lastIndexOf('@', slash < 0 ? uri.length() : slash);
            if (at >= start) {
                String info = uri.substring(start, at);
                int colon = info.indexOf(':');
                // redis://:secret@host, redis://user:secret@host, or (for Lettuce) redis://secret@host
                this.userInfo = colon < 0 ? "***" : info.substring(0, colon) + ":***";
                this.password = colon < 0 ? info : info.substring(colon + 1);
                this.redacted = uri.substring(0, start) + userInfo + uri.substring(at);
            } else {
                this.userInfo = null;
                this.password = "";
                this.redacted = uri;
            }
        }

        /** Whether the URI has a password. */
        boolean hasPassword() {
            return !password.isEmpty();
        }

        /** Who logs in, for messages: "user ferry", or "user default" when the URI names none. */
        String user() {
            String name =
                    userInfo == null || !userInfo.contains(":") ? "" : userInfo.substring(0, userInfo.indexOf(':'));
            return "user " + (name.isEmpty() ? "default" : name);
        }

        /** The URI as given, its password replaced by ***. */
        String redactedUri() {
            return redacted;
        }

        /** The store's address for messages, {@code redis://host:port/db}, with *** for a password. */
        String describe(RedisURI parsed) {
            if (parsed.getHost() == null
                    || parsed.getSocket() != null
                    || !parsed.getSentinels().isEmpty()) {
                return redactedUri();
            }
            String host = parsed.getHost().contains(":") ? "[" + parsed.getHost() + "]" : parsed.getHost();
            return (parsed.isSsl() ? "rediss" : "redis") + "://" + (userInfo == null ? "" : userInfo + "@") + host + ":"
                    + parsed.getPort() + "/" + parsed.getDatabase();
        }

        /** {@code text} with the password, as given or URL-decoded, replaced by ***. */
        String scrub(String text) {
            if (text == null || password.isEmpty()) {
                return text;
            }
            String scrubbed = text.replace(password, "***");
            try {
                String decoded = URLDecoder.decode(password, StandardCharsets.UTF_8);
                if (!decoded.isEmpty()) {
                    scrubbed = scrubbed.replace(decoded, "***");
                }
            } catch (IllegalArgumentException e) {
                // not URL-encoded: nothing more to hide
            }
            return scrubbed;
        }
    }
}
