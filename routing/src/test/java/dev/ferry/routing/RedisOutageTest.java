package dev.ferry.routing;

import static dev.ferry.routing.Samples.container;
import static dev.ferry.routing.Samples.worker;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.request.protocol.FunctionId;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Redis store through Redis going away and coming back, with and without its data. Each
 * test has a redis-server of its own, since it kills it.
 */
class RedisOutageTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Duration GRACE = Duration.ofSeconds(2);
    private static final RedisRoutingStore.Options OPTIONS = RedisRoutingStore.Options.DEFAULTS
            .withCheckInterval(Duration.ofMillis(100))
            .withGracePeriod(GRACE);

    private RedisServer redis;

    @BeforeEach
    void startRedis() {
        redis = RedisServer.start();
    }

    @AfterEach
    void stopRedis() {
        redis.close();
    }

    private RoutingStore open() {
        return RedisRoutingStore.open(redis.uri(), "default", OPTIONS);
    }

    @Test
    void whileRedisIsDownReadsAnswerAndWritesFailFastThenItAllComesBack() {
        try (RoutingStore store = open();
                RoutingStore other = open()) {
            RecordingListener heard = new RecordingListener();
            store.subscribe(heard);
            store.putRoute("api.example.com", FunctionId.parse("shop--cart"));
            AccessTokens.Issued caller = AccessTokens.issue(
                    "web", java.util.EnumSet.of(AccessToken.Scope.CALL), java.util.List.of(), Samples.T0);
            store.putToken(caller.token());
            Await.until(WAIT, () -> other.route("api.example.com").isPresent(), "the route at the other store");
            Await.until(WAIT, () -> other.token(caller.token().id()).isPresent(), "the token at the other store");

            redis.save();
            redis.kill();

            assertThat(store.route("api.example.com")).contains(FunctionId.parse("shop--cart"));
            // A gateway goes on checking tokens from its copy: endpoints that require one keep serving.
            assertThat(AccessTokens.verify(other, caller.secret())).contains(caller.token());
            assertThat(other.routes()).containsOnlyKeys("api.example.com");
            String named = "Redis at redis://127.0.0.1:" + redis.port();
            long started = System.nanoTime();
            assertThatThrownBy(() -> store.putRoute("new.example.com", FunctionId.parse("shop--cart")))
                    .isInstanceOf(StoreUnavailableException.class)
                    .hasMessageStartingWith(named + "/0 is unreachable: ");
            assertThatThrownBy(() -> store.jar("ab".repeat(32)))
                    .isInstanceOf(StoreUnavailableException.class)
                    .hasMessageContaining(named);
            assertThatThrownBy(() -> store.putJar("ab".repeat(32), new byte[1]))
                    .isInstanceOf(StoreUnavailableException.class);
            assertThatThrownBy(() -> store.acquireLeadership("a", Duration.ofSeconds(5)))
                    .isInstanceOf(StoreUnavailableException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(9));

            redis.restart(); // loads the snapshot: the same data, the same epoch

            Await.until(
                    WAIT,
                    () -> writes(() -> other.putRoute("back.example.com", FunctionId.parse("shop--cart"))),
                    "a write once Redis is back");
            Await.until(WAIT, () -> store.route("back.example.com").isPresent(), "the other store's write, here");
            assertThat(store.routes()).containsOnlyKeys("api.example.com", "back.example.com");
            assertThat(heard.events()).doesNotContain("resynced true");
            Await.until(
                    WAIT,
                    () -> writes(() -> store.putRoute("new.example.com", FunctionId.parse("shop--cart"))),
                    "this store's write once Redis is back");
            Await.until(WAIT, () -> other.route("new.example.com").isPresent(), "this store's write, there");
        }
    }

    @Test
    void whenRedisComesBackEmptyRecordsWaitForTheirOwnersThenGo() {
        try (RoutingStore store = open()) {
            Map<String, Long> heardAt = new ConcurrentHashMap<>();
            RecordingListener heard = new RecordingListener() {
                @Override
                public void resynced(boolean dataLost) {
                    heardAt.putIfAbsent("resynced " + dataLost, System.nanoTime());
                    super.resynced(dataLost);
                }

                @Override
                public void routeRemoved(String host) {
                    heardAt.putIfAbsent("-route " + host, System.nanoTime());
                    super.routeRemoved(host);
                }
            };
            store.putRoute("kept.example.com", FunctionId.parse("shop--cart"));
            store.putRoute("lost.example.com", FunctionId.parse("shop--cart"));
            store.putWorker(worker("w1"));
            store.putContainer(container("c1", "shop--cart", ContainerState.READY));
            Await.until(
                    WAIT, () -> store.routes().size() == 2 && store.containers().size() == 1, "the records");
            store.subscribe(heard);

            redis.restartEmpty();

            heard.awaitHeard("resynced true", WAIT);
            // Still there: their owners get the grace period to write them again.
            assertThat(store.routes()).containsOnlyKeys("kept.example.com", "lost.example.com");
            assertThat(store.containers()).hasSize(1);
            assertThat(store.workers()).hasSize(1);
            store.putRoute("kept.example.com", FunctionId.parse("shop--cart"));
            store.putWorker(worker("w1"));

            heard.awaitHeard("-route lost.example.com", GRACE.plus(WAIT));
            heard.awaitHeard("-container c1", WAIT);
            assertThat(Duration.ofNanos(heardAt.get("-route lost.example.com") - heardAt.get("resynced true")))
                    .isGreaterThan(GRACE.minusMillis(500));
            assertThat(store.routes()).containsOnlyKeys("kept.example.com");
            assertThat(store.workers()).containsExactly(worker("w1"));
            assertThat(store.containers()).isEmpty();
            assertThat(heard.events()).doesNotContain("-route kept.example.com", "-worker w1");
            assertThat(redis.redisCli("HKEYS", "ferry:default:routes")).isEqualTo("kept.example.com");
        }
    }

    private static boolean writes(Runnable write) {
        try {
            write.run();
            return true;
        } catch (StoreUnavailableException e) {
            return false;
        }
    }
}
