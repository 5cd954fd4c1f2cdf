package dev.ferry.routing;

import static dev.ferry.routing.Samples.T0;
import static dev.ferry.routing.Samples.app;
import static dev.ferry.routing.Samples.container;
import static dev.ferry.routing.Samples.demand;
import static dev.ferry.routing.Samples.worker;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.request.protocol.FunctionId;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Redis store meets the contract, and does what only a shared store must: instances
 * see each other's writes, clusters sharing a Redis do not, stale messages lose, lost ones
 * are noticed, the leader lease is exclusive, and bad data is skipped. One redis-server for
 * the class; each test works in a namespace of its own.
 */
class RedisRoutingStoreTest extends RoutingStoreContract {

    static final RedisRoutingStore.Options FAST =
            RedisRoutingStore.Options.DEFAULTS.withCheckInterval(Duration.ofMillis(100));
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
    protected RoutingStore newStore() {
        // A namespace per test: tests share the server, never each other's records.
        cluster = "test-" + CLUSTERS.incrementAndGet();
        return open(cluster);
    }

    static RedisRoutingStore open(String cluster) {
        return RedisRoutingStore.open(redis.uri(), cluster, FAST);
    }

    private String key(String name) {
        return "ferry:" + cluster + ":" + name;
    }

    @Test
    void describeIsTheAddressOfRedis() {
        assertThat(store.describe()).isEqualTo("Redis at redis://127.0.0.1:" + redis.port() + "/0");
    }

    @Test
    void prunedSamplesAreGoneFromRedisNotOnlyFromTheCopy() {
        store.recordDemand(demand("g-dead", "shop--cart", 3, T0));
        store.recordDemand(demand("g1", "shop--cart", 1, T0.plusSeconds(60)));
        await(() -> store.demand().size() == 2, "two samples");

        store.pruneDemand(T0.plusSeconds(30));

        try (RoutingStore fresh = open(cluster)) {
            assertThat(fresh.demand())
                    .as("a store that read Redis afresh")
                    .extracting(DemandSample::gateway)
                    .containsExactly("g1");
        }
    }

    @Test
    void storesOnOneClusterSeeEachOthersWritesExactly() {
        RecordingListener heard = new RecordingListener();
        store.subscribe(heard);
        try (RoutingStore other = open(cluster)) {
            AppDeployment shop = app("shop", "v1", "cart", "checkout");
            ContainerInfo c1 = container("c1", "shop--cart", ContainerState.READY);
            DemandSample sample = demand("g1", "shop--cart", 3, T0);
            other.deploy(shop);
            other.putRoute("api.example.com", FunctionId.parse("shop--cart"));
            other.putWorker(worker("w1"));
            other.putContainer(c1);
            other.recordDemand(sample);
            await(
                    () -> !store.demand().isEmpty()
                            && !store.containers().isEmpty()
                            && !store.workers().isEmpty()
                            && store.app("shop").isPresent()
                            && store.route("api.example.com").isPresent(),
                    "other's writes");

            // Decoded from Redis, every field survives: nanoseconds, durations, paths, labels.
            assertThat(store.app("shop")).contains(shop);
            assertThat(store.containers()).containsExactly(c1);
            assertThat(store.workers()).containsExactly(worker("w1"));
            assertThat(store.demand()).containsExactly(sample);

            other.removeContainer("c1");
            other.removeRoute("api.example.com");
            await(() -> store.containers().isEmpty() && store.routes().isEmpty(), "other's removals");
            // Reads show a change as it is applied; listeners hear it just after, on the feed thread.
            await(() -> heard.changes().contains("-route api.example.com"), "the listener to hear the removals");
            assertThat(heard.changes())
                    .containsExactly(
                            "app shop@v1",
                            "route api.example.com=shop--cart",
                            "worker w1 " + worker("w1").heartbeat(),
                            "container c1 READY",
                            "demand g1|shop--cart@v1 3",
                            "-container c1",
                            "-route api.example.com");
            assertThat(heard.threads()).allMatch(t -> t.equals("ferry-routing-feed-" + cluster));
        }
    }

    @Test
    void secretsAtRestHoldNoValueAndReachOtherStoresSealed() {
        SecretCipher cipher = SecretCipher.random();
        FunctionSecret db =
                FunctionSecret.seal("db", Map.of("PASSWORD", "plaintext-hunter2", "USER", "shop-owner"), cipher, T0);
        try (RoutingStore other = open(cluster)) {
            other.putSecret(db);
            await(() -> store.secret("db").isPresent(), "the secret from the other store");

            assertThat(store.secret("db")).contains(db);
            assertThat(store.secret("db").orElseThrow().open(cipher))
                    .containsEntry("PASSWORD", "plaintext-hunter2")
                    .containsEntry("USER", "shop-owner");
            String raw = redis.redisCli("HGET", key("secrets"), "db");
            assertThat(raw).contains("\"PASSWORD\"", "\"USER\"", "v1:" + cipher.keyId() + ":");
            assertThat(raw).doesNotContain("plaintext-hunter2", "shop-owner");

            other.removeSecret("db");
            await(() -> store.secrets().isEmpty(), "the removal");
            assertThat(redis.redisCli("HEXISTS", key("secrets"), "db")).isEqualTo("0");
        }
    }

    @Test
    void clustersSharingOneRedisDoNotSeeEachOther() {
        String otherCluster = cluster + "-other";
        try (RoutingStore other = open(otherCluster)) {
            store.putRoute("api.example.com", FunctionId.parse("shop--cart"));
            store.deploy(app("shop", "v1", "cart"));
            other.putRoute("marker.example.com", FunctionId.parse("blog--render"));
            await(
                    () -> other.route("marker.example.com").isPresent()
                            && store.route("api.example.com").isPresent(),
                    "both writes");

            assertThat(other.routes()).containsOnlyKeys("marker.example.com");
            assertThat(other.apps()).isEmpty();
            assertThat(store.routes()).containsOnlyKeys("api.example.com");
            assertThat(redis.redisCli("KEYS", "ferry:" + cluster + ":*").lines())
                    .allMatch(k -> k.startsWith("ferry:" + cluster + ":"))
                    .contains(key("routes"), key("apps"), key("seq"), key("epoch"));
        }
    }

    @Test
    void aClusterOfTheSameNameInAnotherDatabaseIsNeitherSeenNorCauseForResyncs() {
        RecordingListener heard = new RecordingListener();
        store.subscribe(heard);
        // Pub/sub channels are shared by all databases: database 1's changes reach database 0's store.
        String database1 = redis.uri().replace("/0", "/1");
        try (RoutingStore elsewhere = RedisRoutingStore.open(database1, cluster, FAST);
                RoutingStore same = open(cluster)) {
            elsewhere.putRoute("elsewhere.example.com", FunctionId.parse("shop--cart"));
            elsewhere.putRoute("elsewhere2.example.com", FunctionId.parse("shop--cart"));
            same.putRoute("marker.example.com", FunctionId.parse("shop--cart"));
            heard.awaitHeard("route marker.example.com=shop--cart", WAIT);

            assertThat(store.routes()).containsOnlyKeys("marker.example.com");
            assertThat(elsewhere.routes()).containsOnlyKeys("elsewhere.example.com", "elsewhere2.example.com");
            assertThat(heard.events()).containsExactly("route marker.example.com=shop--cart");
        }
    }

    @Test
    void aStaleChangeNeverWins() {
        RecordingListener heard = new RecordingListener();
        store.subscribe(heard);
        store.putRoute("api.example.com", FunctionId.parse("shop--one"));
        store.putRoute("api.example.com", FunctionId.parse("shop--two"));
        await(
                () -> store.route("api.example.com").equals(Optional.of(FunctionId.parse("shop--two"))),
                "the second route");
        String epoch = redis.redisCli("GET", key("epoch"));
        long seq = Long.parseLong(redis.redisCli("GET", key("seq")));

        // Older than the entry, then as old as it: both replayed or forged, both must lose.
        publishChange(epoch, seq - 1, "api.example.com", "shop--old");
        publishChange(epoch, seq, "api.example.com", "shop--older");
        try (RoutingStore other = open(cluster)) {
            // Published after the forged messages, so heard after them.
            other.putRoute("marker.example.com", FunctionId.parse("shop--cart"));
            heard.awaitHeard("route marker.example.com=shop--cart", WAIT);
        }

        assertThat(store.route("api.example.com")).contains(FunctionId.parse("shop--two"));
        assertThat(heard.changes())
                .doesNotContain("route api.example.com=shop--old", "route api.example.com=shop--older");
    }

    @Test
    void aChangeFromTheFutureBringsAResyncThatRestoresTheTruth() {
        RecordingListener heard = new RecordingListener();
        store.subscribe(heard);
        store.putRoute("api.example.com", FunctionId.parse("shop--two"));
        await(() -> store.route("api.example.com").isPresent(), "the route");
        String epoch = redis.redisCli("GET", key("epoch"));

        publishChange(epoch, 1000, "api.example.com", "shop--forged");

        heard.awaitHeard("resynced false", WAIT);
        await(
                () -> store.route("api.example.com").equals(Optional.of(FunctionId.parse("shop--two"))),
                "the route Redis holds");
        store.putRoute("after.example.com", FunctionId.parse("shop--cart"));
        try (RoutingStore other = open(cluster)) {
            await(() -> other.route("after.example.com").isPresent(), "a write after the resync");
        }
    }

    @Test
    void lostMessagesAreNoticedByThePeriodicCheck() {
        RecordingListener heard = new RecordingListener();
        store.subscribe(heard);
        // A versioned write whose message never went out, as if the subscription had dropped it.
        redis.redisCli("EVAL", """
                local seq = redis.call('INCR', KEYS[1])
                redis.call('HSET', KEYS[2], ARGV[1], '{"v":' .. seq .. ',"r":{"function":"shop--cart"}}')
                return seq
                """, "2", key("seq"), key("routes"), "quiet.example.com");

        heard.awaitHeard("resynced false", WAIT);
        assertThat(store.route("quiet.example.com")).contains(FunctionId.parse("shop--cart"));
        assertThat(heard.events()).containsSubsequence("route quiet.example.com=shop--cart", "resynced false");
    }

    @Test
    void theLeaderLeaseIsExclusiveUntilItExpiresOrIsReleased() {
        try (RoutingStore other = open(cluster)) {
            Duration shortLease = Duration.ofMillis(300);
            assertThat(store.acquireLeadership("a", shortLease)).isTrue();
            assertThat(other.acquireLeadership("b", shortLease)).isFalse();
            assertThat(store.acquireLeadership("a", shortLease)).isTrue();

            Await.until(
                    WAIT,
                    () -> other.acquireLeadership("b", Duration.ofSeconds(10)),
                    "b to take over the lapsed lease");
            assertThat(store.acquireLeadership("a", shortLease)).isFalse();
            store.releaseLeadership("a"); // not the holder: changes nothing
            assertThat(redis.redisCli("GET", key("leader"))).isEqualTo("b");

            other.releaseLeadership("b");
            assertThat(store.acquireLeadership("a", Duration.ofSeconds(10))).isTrue();
        }
    }

    @Test
    void malformedDataIsLoggedOnceAndSkipped() {
        store.deploy(app("good", "v1", "f"));
        await(() -> store.app("good").isPresent(), "the good app");
        redis.redisCli("HSET", key("apps"), "garbage", "not json {");
        redis.redisCli("HSET", key("apps"), "shape", "{\"v\":3,\"r\":{\"app\":42}}");
        redis.redisCli("HSET", key("apps"), "array", "[1,2]");
        redis.redisCli("HSET", key("routes"), "Bad Host!", "{\"v\":1,\"r\":{\"function\":\"shop--cart\"}}");
        redis.redisCli("HSET", key("demand"), "g|f@v", "{}");
        redis.redisCli("SET", key("workers"), "not a hash");
        redis.redisCli("PUBLISH", key("changes"), "garbage");
        redis.redisCli("PUBLISH", key("changes"), "{\"epoch\":\"x\",\"seq\":\"nine\"}");
        redis.redisCli("PUBLISH", key("demand"), "[\"garbage\"]");

        List<String> logged = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                logged.add(record.getMessage());
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        Logger logger = Logger.getLogger(RedisRoutingStore.class.getName());
        logger.addHandler(capture);
        try (RoutingStore other = open(cluster)) {
            assertThat(other.apps()).extracting(AppDeployment::app).containsExactly("good");
            assertThat(other.workers()).isEmpty();
            assertThat(other.routes()).isEmpty();
            assertThat(other.demand()).isEmpty();

            // The first store's feed got through the garbage messages and still applies changes.
            other.deploy(app("fine", "v1", "f"));
            await(() -> store.app("fine").isPresent(), "a change after the garbage");

            // A resync meets the same bad data and says nothing more about it.
            RecordingListener heard = new RecordingListener();
            other.subscribe(heard);
            publishChange(redis.redisCli("GET", key("epoch")), 1000, "x.example.com", "shop--forged");
            heard.awaitHeard("resynced false", WAIT);
            assertThat(logged.stream().filter(m -> m.contains("\"garbage\" of " + key("apps"))))
                    .hasSize(1);
            assertThat(logged)
                    .anyMatch(m -> m.contains("\"shape\""))
                    .anyMatch(m -> m.contains("\"array\""))
                    .anyMatch(m -> m.contains("Bad Host!"))
                    .anyMatch(m -> m.contains(key("workers") + " holds a string"));

            // A write to the key of the wrong type fails, naming it; once it is gone, writes work.
            assertThatThrownBy(() -> store.putWorker(worker("w1")))
                    .isInstanceOf(StoreUnavailableException.class)
                    .hasMessageContaining(store.describe())
                    .hasMessageContaining(key("workers"));
            redis.redisCli("DEL", key("workers"));
            store.putWorker(worker("w1"));
            await(() -> other.workers().size() == 1, "the worker");
        } finally {
            logger.removeHandler(capture);
        }
    }

    @Test
    void aHungRedisFailsWritesAfterTheCommandTimeoutButGivesJarsLonger() throws Exception {
        RedisRoutingStore.Options options =
                FAST.withCommandTimeout(Duration.ofMillis(300)).withJarTimeout(Duration.ofSeconds(30));
        String digest = "cd".repeat(32);
        byte[] content = {1, 2, 3};
        try (RoutingStore s = RedisRoutingStore.open(redis.uri(), cluster, options)) {
            // Redis holds every write until the test lets it go: far longer than either timeout
            // could matter here, so what fails and what waits shows in their order, not on a clock.
            redis.redisCli("CLIENT", "PAUSE", "60000", "WRITE");
            try {
                CompletableFuture<Void> jarWrite = CompletableFuture.runAsync(() -> s.putJar(digest, content));
                await(() -> heldCommands().contains("set"), "Redis to hold the jar's SET");

                assertThatThrownBy(() -> s.putRoute("api.example.com", FunctionId.parse("shop--cart")))
                        .isInstanceOf(StoreUnavailableException.class)
                        .hasMessageStartingWith(s.describe() + " is unreachable: ")
                        .hasMessageContaining("timed out after 300 millisecond");
                // The route's write went out after the jar's and gave up: the jar's still waits.
                assertThat(jarWrite).isNotDone();

                redis.redisCli("CLIENT", "UNPAUSE");
                jarWrite.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } finally {
                redis.redisCli("CLIENT", "UNPAUSE"); // the server is the class's: no pause may outlive this test
            }
            assertThat(s.jar(digest))
                    .hasValueSatisfying(read -> assertThat(read).isEqualTo(content));
        }
    }

    /** The commands of the clients Redis holds now (CLIENT LIST's "b" flag: blocked, as a pause blocks them). */
    private static List<String> heldCommands() {
        return redis.redisCli("CLIENT", "LIST")
                .lines()
                .map(line -> List.of(line.split(" ")))
                .filter(fields -> fields.stream().anyMatch(f -> f.startsWith("flags=") && f.contains("b")))
                .flatMap(fields ->
                        fields.stream().filter(f -> f.startsWith("cmd=")).map(f -> f.substring(4)))
                .toList();
    }

    @Test
    void aTokenRevokedThroughOneStoreIsRefusedByEveryOtherAndItsSecretIsNeverStored() {
        AccessTokens.Issued issued =
                AccessTokens.issue("ci", java.util.EnumSet.of(AccessToken.Scope.DEPLOY), List.of(), Samples.T0);
        try (RoutingStore gateway = open(cluster)) {
            store.putToken(issued.token());
            await(() -> AccessTokens.verify(gateway, issued.secret()).isPresent(), "the other copy to accept it");
            String secretPart = issued.secret().substring(19);
            String stored = redis.redisCli("HGETALL", "ferry:" + cluster + ":tokens");
            assertThat(stored).contains(issued.token().secretHash()).doesNotContain(secretPart);

            store.removeToken(issued.token().id());
            await(() -> AccessTokens.verify(gateway, issued.secret()).isEmpty(), "the other copy to refuse it");
        }
    }

    @Test
    void aPasswordIsUsedButNeverShown() {
        try (RedisServer secured = RedisServer.startWithPassword("s3cret-pw")) {
            String address = "redis://:***@127.0.0.1:" + secured.port() + "/0";
            try (RoutingStore s = RoutingStore.redis(secured.uri(), "default")) {
                assertThat(s.describe()).isEqualTo("Redis at " + address).doesNotContain("s3cret");
                s.putRoute("api.example.com", FunctionId.parse("shop--cart"));
                await(() -> s.route("api.example.com").isPresent(), "the route");
            }
            assertThatThrownBy(
                            () -> RoutingStore.redis("redis://:wrong-pw@127.0.0.1:" + secured.port() + "/0", "default"))
                    .isInstanceOf(StoreUnavailableException.class)
                    .hasMessageStartingWith(
                            "Redis at " + address + " refused the credentials (user default): WRONGPASS")
                    .hasMessageNotContaining("wrong-pw");
        }
    }

    @Test
    void theFactoryChecksItsArguments() {
        for (String bad : new String[] {"", "Default", "a:b", "a b", "x".repeat(41)}) {
            assertThatThrownBy(() -> RoutingStore.redis(redis.uri(), bad))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("cluster");
        }
        assertThatThrownBy(() -> RoutingStore.redis("http://:pw@127.0.0.1:1", "default"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Redis URI")
                .hasMessageNotContaining(":pw@");
    }

    @Test
    void anUnreachableRedisFailsTheFactoryNamingIt() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        int closed = port;
        assertThatThrownBy(() -> RoutingStore.redis("redis://127.0.0.1:" + closed, "default"))
                .isInstanceOf(StoreUnavailableException.class)
                .hasMessageStartingWith("Redis at redis://127.0.0.1:" + closed + "/0 is unreachable: ");
    }

    @Test
    void writesFailAfterCloseAndNoThreadOutlivesIt() {
        long lettuceThreads = threads("lettuce-");
        String other = cluster + "-closing";
        RoutingStore closing = open(other);
        assertThat(threads("ferry-routing-feed-" + other)).isEqualTo(1);

        closing.close();

        assertThatThrownBy(() -> closing.putRoute("api.example.com", FunctionId.parse("shop--cart")))
                .isInstanceOf(StoreUnavailableException.class)
                .hasMessageContaining("closed");
        Await.until(
                WAIT,
                () -> threads("ferry-routing-feed-" + other) == 0 && threads("lettuce-") <= lettuceThreads,
                () -> "the closed store's threads to end; running: "
                        + Thread.getAllStackTraces().keySet().stream()
                                .map(Thread::getName)
                                .filter(n -> n.startsWith("lettuce-") || n.startsWith("ferry-"))
                                .toList());
    }

    private static long threads(String prefix) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith(prefix))
                .count();
    }

    private void publishChange(String epoch, long seq, String host, String function) {
        redis.redisCli(
                "PUBLISH",
                key("changes"),
                "{\"epoch\":\"" + epoch + "\",\"seq\":" + seq
                        + ",\"kind\":\"route\",\"key\":\"" + host + "\",\"value\":{\"v\":" + seq
                        + ",\"r\":{\"function\":\"" + function + "\"}}}");
    }
}
