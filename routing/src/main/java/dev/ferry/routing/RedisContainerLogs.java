package dev.ferry.routing;

import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * {@link ContainerLogs} in Redis: one stream per app, {@code ferry:<cluster>:logs:<app>}, whose
 * entries hold one line each (README.md describes the fields).
 *
 * <ul>
 *   <li>{@link #append}: one {@code XADD ... MAXLEN ~ <capacity>} per line, pipelined on a
 *       connection of its own that sends a batch's commands in one write ({@code flushCommands});
 *       the approximate trim lets Redis drop whole nodes of the stream, which is cheap, and keeps
 *       at least the capacity.</li>
 *   <li>{@link #tail}: {@code XREVRANGE} from the newest entry back, in batches, until enough
 *       lines of the function are found or the stream ends.</li>
 *   <li>{@link #follow}: a connection and a thread per follower, looping on
 *       {@code XREAD BLOCK <idle> STREAMS <key> <cursor>}; a blocked read must not hold up the
 *       shared connection's commands. After a failure it connects or reads again from its
 *       cursor; Lettuce reconnects a dropped connection by itself.</li>
 * </ul>
 *
 * <p>Commands fail fast while Redis is unreachable ({@code REJECT_COMMANDS}) and are never
 * replayed after a reconnect, as in {@link RedisRoutingStore}.
 */
final class RedisContainerLogs implements ContainerLogs {

    /**
     * Tunables; tests shorten them.
     *
     * @param commandTimeout how long a command or a connect may take before it fails
     * @param capacity how many lines each app's stream keeps, at least ({@code MAXLEN ~})
     * @param idleWait how long a follower's {@code XREAD} blocks before it asks again
     */
    record Options(Duration commandTimeout, int capacity, Duration idleWait) {
        static final Options DEFAULTS = new Options(Duration.ofSeconds(2), CAPACITY, Duration.ofSeconds(1));

        Options {
            if (capacity <= 0) {
                throw new IllegalArgumentException("capacity: " + capacity + " (expected: > 0)");
            }
        }
    }

    /** The most entries one {@code XREVRANGE} or {@code XREAD} returns. */
    private static final int BATCH = 1000;
    /** The most {@code XADD}s sent together. */
    private static final int APPEND_PIECE = 250;

    private final RedisClients.Client redis;
    private final String prefix;
    private final Options options;
    private final StatefulRedisConnection<String, String> commands;
    /** Appends only, one batch at a time: its commands go out together, on {@code flushCommands}. */
    private final StatefulRedisConnection<String, String> appends;

    private final Set<LogFollower> followers = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private RedisContainerLogs(RedisClients.Client redis, RedisKeys keys, Options options) {
        this.redis = redis;
        this.prefix = keys.prefix() + "logs:";
        this.options = options;
        this.commands = redis.client().connect(StringCodec.UTF8);
        this.appends = redis.client().connect(StringCodec.UTF8);
        appends.setAutoFlushCommands(false);
    }

    /**
     * Connects to {@code uri}.
     *
     * @throws IllegalArgumentException if {@code uri} or {@code cluster} is malformed
     * @throws StoreUnavailableException if Redis cannot be reached
     */
    static RedisContainerLogs open(String uri, String cluster, Options options) {
        return open(RedisEndpoint.of(uri), cluster, options);
    }

    /** As {@link #open(String, String, Options)}, trusting TLS certificates as {@code endpoint} says. */
    static RedisContainerLogs open(RedisEndpoint endpoint, String cluster, Options options) {
        RedisKeys keys = new RedisKeys(cluster);
        return RedisClients.connect(
                endpoint, options.commandTimeout(), redis -> new RedisContainerLogs(redis, keys, options));
    }

    @Override
    public String describe() {
        return redis.describe();
    }

    /** The stream of {@code app}'s lines. */
    String key(String app) {
        return prefix + app;
    }

    @Override
    public void append(List<LogLine> lines) {
        for (LogLine line : lines) {
            InMemoryContainerLogs.checkNames(line.app(), Optional.of(line.function()));
        }
        if (lines.isEmpty()) {
            return;
        }
        // In pieces: every command's timeout runs from when it is queued, so a piece must go
        // out and come back within it even on a slow link or a busy Redis.
        for (int from = 0; from < lines.size(); from += APPEND_PIECE) {
            List<LogLine> piece = lines.subList(from, Math.min(lines.size(), from + APPEND_PIECE));
            call(() -> {
                appendPiece(piece);
                return null;
            });
        }
    }

    private void appendPiece(List<LogLine> lines) {
        RedisAsyncCommands<String, String> async = appends.async();
        List<RedisFuture<String>> added = new ArrayList<>(lines.size());
        try {
            for (LogLine line : lines) {
                Map<String, String> fields = new LinkedHashMap<>();
                fields.put("at", RecordCodec.instant(line.at()));
                fields.put("function", line.function());
                fields.put("container", line.container());
                fields.put("worker", line.worker());
                fields.put("stream", line.stream());
                fields.put("text", line.text());
                added.add(async.xadd(
                        key(line.app()),
                        XAddArgs.Builder.maxlen(options.capacity()).approximateTrimming(),
                        fields));
            }
        } finally {
            appends.flushCommands(); // what was queued goes out, even after a failure: append says some lines may be
            // stored
        }
        for (RedisFuture<String> future : added) {
            await(future);
        }
    }

    @Override
    public List<LogLine> tail(String app, Optional<String> function, int max) {
        InMemoryContainerLogs.checkNames(app, function);
        if (max < 0) {
            throw new IllegalArgumentException("max: " + max + " (expected: >= 0)");
        }
        List<LogLine> latest = new ArrayList<>();
        String key = key(app);
        Range.Boundary<String> upper = Range.Boundary.unbounded();
        // Unfiltered, the newest max entries are the answer; filtered, the scan may go back
        // through the whole stream, which the bound keeps to about its capacity.
        long scanLimit = options.capacity() * 2L + BATCH;
        long scanned = 0;
        while (latest.size() < max && scanned < scanLimit) {
            int count = function.isEmpty() ? Math.min(BATCH, max - latest.size()) : BATCH;
            Range<String> range = Range.from(Range.Boundary.unbounded(), upper);
            List<StreamMessage<String, String>> entries =
                    call(() -> commands.sync().xrevrange(key, range, Limit.from(count)));
            for (StreamMessage<String, String> entry : entries) {
                LogLine line = decode(app, entry);
                if (line != null
                        && latest.size() < max
                        && (function.isEmpty() || function.get().equals(line.function()))) {
                    latest.add(line);
                }
            }
            if (entries.size() < count) {
                break;
            }
            scanned += entries.size();
            upper = Range.Boundary.excluding(entries.getLast().getId());
        }
        Collections.reverse(latest);
        return latest;
    }

    @Override
    public Subscription follow(String app, Optional<String> function, String afterId, Consumer<LogLine> each) {
        InMemoryContainerLogs.checkNames(app, function);
        Objects.requireNonNull(each, "each");
        if (closed) {
            throw new IllegalStateException(redis.describe() + ": these container logs are closed");
        }
        String key = key(app);
        Duration readTimeout = options.idleWait().plus(options.commandTimeout());
        XReadArgs read = XReadArgs.Builder.block(options.idleWait()).count(BATCH);
        LogFollower[] self = new LogFollower[1];
        LogFollower follower =
                new LogFollower(redis.describe(), app, function, afterId, each, () -> followers.remove(self[0])) {
                    /** Follow thread only. */
                    private StatefulRedisConnection<String, String> connection;

                    @Override
                    protected Batch next(String after) {
                        if (connection == null) {
                            connection = redis.client().connect(StringCodec.UTF8);
                            connection.setTimeout(readTimeout); // the read blocks for the idle wait on purpose
                        }
                        List<StreamMessage<String, String>> entries =
                                connection.sync().xread(read, XReadArgs.StreamOffset.from(key, after));
                        if (entries == null || entries.isEmpty()) {
                            return Batch.of(List.of(), after);
                        }
                        List<LogLine> lines = new ArrayList<>(entries.size());
                        for (StreamMessage<String, String> entry : entries) {
                            LogLine line = decode(app, entry);
                            if (line != null) {
                                lines.add(line);
                            }
                        }
                        return new Batch(lines, entries.getLast().getId());
                    }

                    @Override
                    protected void release() {
                        if (connection != null) {
                            connection.close();
                        }
                    }
                };
        self[0] = follower;
        followers.add(follower);
        follower.start();
        return follower;
    }

    /** The line in {@code entry}, or null (logged once) when it is not what Ferry writes. */
    private LogLine decode(String app, StreamMessage<String, String> entry) {
        Map<String, String> fields = entry.getBody();
        try {
            return new LogLine(
                    entry.getId(),
                    Instant.parse(field(fields, "at")),
                    app,
                    field(fields, "function"),
                    field(fields, "container"),
                    field(fields, "worker"),
                    field(fields, "stream"),
                    field(fields, "text"));
        } catch (RuntimeException e) {
            Complaints.PROCESS.once(
                    redis.describe() + '\0' + key(app) + '\0' + fields,
                    "Skipping an entry of " + key(app) + " in " + redis.describe() + " that is not a log line ("
                            + e.getMessage() + "): " + Complaints.quote(String.valueOf(fields)));
            return null;
        }
    }

    private static String field(Map<String, String> fields, String name) {
        String value = fields == null ? null : fields.get(name);
        if (value == null) {
            throw new IllegalArgumentException("no field \"" + name + "\"");
        }
        return value;
    }

    private static void await(RedisFuture<String> future) {
        try {
            future.get(); // the command times out by itself (TimeoutOptions)
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            future.cancel(true);
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
    }

    /** Runs {@code op} against Redis, turning any failure into a {@link StoreUnavailableException} naming the store. */
    private <T> T call(Supplier<T> op) {
        if (closed) {
            throw redis.unreachable("these container logs are closed");
        }
        return redis.call(op);
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        for (LogFollower follower : List.copyOf(followers)) {
            follower.close();
        }
        redis.shutdown();
    }
}
