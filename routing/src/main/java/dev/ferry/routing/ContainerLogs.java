package dev.ferry.routing;

import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * What containers wrote on standard output and standard error, kept per app for
 * {@code ferry logs}: workers {@link #append} the lines of their containers, the controller's
 * admin API reads the latest ({@link #tail}) and streams new ones ({@link #follow}).
 *
 * <p>Each app keeps its latest {@link #CAPACITY} lines or so (Redis trims approximately, so a
 * few more may stay); older ones are dropped, so memory stays bounded whatever containers
 * print. Lines are not routing state: they are not versioned, not in the change feed, and a
 * Redis that loses its data loses them.
 *
 * <p>Implementations are thread-safe. {@link #append} and {@link #tail} do I/O on a shared
 * store (unlike {@link RoutingStore}'s reads) and throw {@link StoreUnavailableException},
 * naming the store, when it cannot be reached. {@link #follow} delivers on a thread of its own
 * and rides out outages.
 */
public interface ContainerLogs extends AutoCloseable {

    /** How many lines each app keeps, at least once it has written as many. */
    int CAPACITY = 10_000;

    /** The id before every line: {@link #follow} from here delivers every line kept, then new ones. */
    String START = "0-0";

    /** Lines kept in this process, {@link #CAPACITY} per app: {@code ferry dev}'s. */
    static ContainerLogs inMemory() {
        return new InMemoryContainerLogs(CAPACITY, InMemoryContainerLogs.IDLE_WAIT);
    }

    /**
     * Lines kept in Redis, one stream per app ({@code ferry:<cluster>:logs:<app>}, see the
     * routing module's README.md), so that the controller reads what every worker wrote.
     * Connects and returns; Lettuce reconnects by itself after an outage.
     *
     * @param uri {@code redis://[[user]:password@]host:port[/db]}, or {@code rediss://...} for TLS
     * @param cluster the cluster's namespace, as for {@link RoutingStore#redis}
     * @throws IllegalArgumentException if {@code uri} or {@code cluster} is malformed
     * @throws StoreUnavailableException if Redis cannot be reached
     */
    static ContainerLogs redis(String uri, String cluster) {
        return RedisContainerLogs.open(uri, cluster, RedisContainerLogs.Options.DEFAULTS);
    }

    /** As {@link #redis(String, String)}, for a Redis that needs more than a URI (see {@link RedisEndpoint}). */
    static ContainerLogs redis(RedisEndpoint endpoint, String cluster) {
        return RedisContainerLogs.open(endpoint, cluster, RedisContainerLogs.Options.DEFAULTS);
    }

    /** What keeps the lines, for messages: "in-memory store" or "Redis at redis://host:port/0". */
    String describe();

    /**
     * Stores {@code lines} (their ids are ignored: the store assigns them), in order, each in
     * its app's log. Blocks until the store has them.
     *
     * @throws IllegalArgumentException if a line's app or function is not a valid name
     * @throws StoreUnavailableException if the store cannot be reached; some lines may be stored
     */
    void append(List<LogLine> lines);

    /**
     * The latest {@code max} lines of {@code app}, of function {@code function} only when
     * present, oldest first. Empty for an app that wrote nothing.
     *
     * @throws IllegalArgumentException if {@code app} or {@code function} is not a valid name, or {@code max < 0}
     * @throws StoreUnavailableException if the store cannot be reached
     */
    List<LogLine> tail(String app, Optional<String> function, int max);

    /**
     * Delivers to {@code each}, in order and on a thread of its own, every line of {@code app}
     * (of {@code function} only, when present) stored after the line with id {@code afterId},
     * until the subscription is closed: pass the id of the last line of a {@link #tail} to go on
     * from it without a gap or a repeat, or {@link #START} for every line kept. Lines dropped by
     * the bound before delivery (a follower more than {@link #CAPACITY} lines behind) are
     * skipped. While the store is unreachable the subscription waits and then resumes after the
     * last line it delivered. {@code each} may block, which holds back only this subscription;
     * if it throws, the subscription ends.
     *
     * @throws IllegalArgumentException if {@code app} or {@code function} is not a valid name, or
     *     {@code afterId} is not an id
     */
    Subscription follow(String app, Optional<String> function, String afterId, Consumer<LogLine> each);

    /** Closes every subscription and the connections. */
    @Override
    void close();

    /** Lines being delivered by {@link #follow}. */
    interface Subscription extends AutoCloseable {

        /**
         * Stops delivering, interrupting {@code each} if it blocks, and waits (a few seconds at
         * most) for the delivering thread to end, unless called from {@code each}. Idempotent.
         */
        @Override
        void close();
    }
}
