package dev.ferry.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Redis container logs meet the contract, and keep each app's lines in a stream of the
 * cluster's namespace, skip entries that are not lines, and ride out Redis going away. One
 * redis-server for the class; each test works in a namespace of its own.
 */
class RedisContainerLogsTest extends ContainerLogsContract {

    private static final AtomicInteger CLUSTERS = new AtomicInteger();

    static RedisServer redis;
    private String cluster;

    @BeforeAll
    static void startRedis() {
        redis = RedisServer.start();
    }

    @AfterAll
    static void stopRedis() {
        if (redis != null) {
            redis.close();
        }
    }

    @Override
    protected ContainerLogs newLogs(int capacity, Duration idle) {
        cluster = "logs-" + CLUSTERS.incrementAndGet();
        return open(redis, cluster, capacity, idle);
    }

    static RedisContainerLogs open(RedisServer server, String cluster, int capacity, Duration idle) {
        return RedisContainerLogs.open(
                server.uri(),
                cluster,
                new RedisContainerLogs.Options(RedisContainerLogs.Options.DEFAULTS.commandTimeout(), capacity, idle));
    }

    @Test
    void eachAppsLinesAreAStreamUnderTheClustersPrefix() {
        logs.append(List.of(line(app, "cart", "one"), line(app, "cart", "two")));

        String key = "ferry:" + cluster + ":logs:" + app;
        assertThat(redis.redisCli("TYPE", key)).isEqualTo("stream");
        assertThat(redis.redisCli("XLEN", key)).isEqualTo("2");
        assertThat(redis.redisCli("XREVRANGE", key, "+", "-", "COUNT", "1"))
                .contains(
                        "at",
                        "2025-03-04T05:06:07.123456789Z",
                        "function",
                        "cart",
                        "container",
                        "ct-cart0001",
                        "worker",
                        "worker-1",
                        "stream",
                        "stdout",
                        "text",
                        "two");
        assertThat(logs.describe()).isEqualTo("Redis at redis://127.0.0.1:" + redis.port() + "/0");
    }

    @Test
    void tailReadsBackThroughSeveralBatchesForARareFunction() {
        try (ContainerLogs big = open(redis, cluster, 5000, IDLE)) {
            big.append(List.of(line(app, "rare", "rare 1")));
            List<LogLine> busy = new java.util.ArrayList<>();
            for (int i = 0; i < 2500; i++) {
                busy.add(line(app, "busy", "busy " + i));
            }
            big.append(busy);

            assertThat(texts(big.tail(app, Optional.of("rare"), 5))).containsExactly("rare 1");
            assertThat(big.tail(app, Optional.of("busy"), 2200))
                    .hasSize(2200)
                    .last()
                    .extracting(LogLine::text)
                    .isEqualTo("busy 2499");
        }
    }

    @Test
    void entriesThatAreNotLinesAreSkipped() {
        String key = "ferry:" + cluster + ":logs:" + app;
        List<LogLine> heard = new CopyOnWriteArrayList<>();
        try (ContainerLogs.Subscription ignored = logs.follow(app, Optional.empty(), ContainerLogs.START, heard::add)) {
            logs.append(List.of(line(app, "cart", "before")));
            redis.redisCli("XADD", key, "*", "garbage", "yes");
            redis.redisCli(
                    "XADD",
                    key,
                    "*",
                    "at",
                    "yesterday",
                    "function",
                    "cart",
                    "container",
                    "c",
                    "worker",
                    "w",
                    "stream",
                    "stdout",
                    "text",
                    "bad time");
            logs.append(List.of(line(app, "cart", "after")));

            Await.until(WAIT, () -> heard.size() == 2, () -> "the two real lines, heard " + texts(heard));
            assertThat(texts(heard)).containsExactly("before", "after");
            assertThat(texts(logs.tail(app, Optional.empty(), 10))).containsExactly("before", "after");
        }
    }

    @Test
    void whileRedisIsDownAppendAndTailFailNamingItAndFollowersResumeAfterward() {
        try (RedisServer own = RedisServer.start();
                ContainerLogs store = open(own, "default", CAPACITY, IDLE)) {
            List<LogLine> heard = new CopyOnWriteArrayList<>();
            ContainerLogs.Subscription subscription =
                    store.follow(app, Optional.empty(), ContainerLogs.START, heard::add);
            store.append(List.of(line(app, "cart", "before")));
            Await.until(WAIT, () -> heard.size() == 1, "the line before the outage");

            own.stop();

            String named = "Redis at redis://127.0.0.1:" + own.port() + "/0 is unreachable: ";
            assertThatThrownBy(() -> store.append(List.of(line(app, "cart", "lost"))))
                    .isInstanceOf(StoreUnavailableException.class)
                    .hasMessageStartingWith(named);
            assertThatThrownBy(() -> store.tail(app, Optional.empty(), 10))
                    .isInstanceOf(StoreUnavailableException.class)
                    .hasMessageStartingWith(named);

            own.restart(); // empty: nothing was saved
            Await.until(WAIT, () -> appends(store, line(app, "cart", "after")), "an append once Redis is back");

            Await.until(WAIT, () -> heard.size() == 2, () -> "the line after the outage, heard " + texts(heard));
            assertThat(texts(heard)).containsExactly("before", "after");
            subscription.close();
            assertThat(followerThreadAlive(app)).isFalse();
        }
    }

    @Test
    void anUnreachableRedisIsNamedAtOpen() {
        RedisServer gone = RedisServer.start();
        gone.close();

        assertThatThrownBy(() -> open(gone, "default", CAPACITY, IDLE))
                .isInstanceOf(StoreUnavailableException.class)
                .hasMessageStartingWith("Redis at redis://127.0.0.1:" + gone.port() + "/0 is unreachable: ");
    }

    private static boolean appends(ContainerLogs store, LogLine line) {
        try {
            store.append(List.of(line));
            return true;
        } catch (StoreUnavailableException e) {
            return false;
        }
    }
}
