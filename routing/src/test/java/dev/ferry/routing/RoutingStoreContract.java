package dev.ferry.routing;

import static dev.ferry.routing.Samples.T0;
import static dev.ferry.routing.Samples.app;
import static dev.ferry.routing.Samples.container;
import static dev.ferry.routing.Samples.demand;
import static dev.ferry.routing.Samples.worker;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.request.protocol.FunctionId;
import dev.ferry.request.protocol.VersionKey;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link RoutingStore} does, whatever keeps its data. A write shows in reads and
 * reaches listeners shortly after it returns (at once in memory), so assertions about
 * what follows a write wait for it with a deadline.
 */
abstract class RoutingStoreContract {

    static final Duration WAIT = Duration.ofSeconds(5);

    protected RoutingStore store;

    /** A new, empty store. */
    protected abstract RoutingStore newStore();

    @BeforeEach
    void openStore() {
        store = newStore();
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    static void await(BooleanSupplier condition, String what) {
        Await.until(WAIT, condition, what);
    }

    // ---- apps ----

    @Test
    void lookupFindsDeployedFunctionsAndSaysWhatIsMissing() {
        AppDeployment shop = app("shop", "v1", "cart", "checkout");
        store.deploy(shop);
        await(() -> store.app("shop").isPresent(), "the deployment of shop");

        assertThat(store.app("shop")).contains(shop);
        assertThat(store.lookup("shop", "cart"))
                .isEqualTo(new FunctionLookup.Found(shop.function("cart").orElseThrow()));
        assertThat(store.lookup("shop", "refund")).isEqualTo(new FunctionLookup.FunctionNotFound("shop", "refund"));
        assertThat(store.lookup("blog", "cart")).isEqualTo(new FunctionLookup.AppNotFound("blog"));
        assertThat(store.app("blog")).isEmpty();
    }

    @Test
    void redeployReplacesTheWholeVersion() {
        store.deploy(app("shop", "v1", "cart", "checkout"));
        AppDeployment v2 = app("shop", "v2", "basket");
        store.deploy(v2);
        await(() -> store.app("shop").map(a -> a.version().equals("v2")).orElse(false), "shop v2");

        assertThat(store.app("shop")).contains(v2);
        assertThat(store.apps()).containsExactly(v2);
        assertThat(store.lookup("shop", "cart")).isEqualTo(new FunctionLookup.FunctionNotFound("shop", "cart"));
        assertThat(store.lookup("shop", "basket"))
                .isEqualTo(new FunctionLookup.Found(v2.functions().get(0)));
    }

    @Test
    void readersSeeTheOldVersionOrTheNewNeverAMixOrNothing() throws Exception {
        store.deploy(versioned(0));
        await(() -> store.app("shop").isPresent(), "shop v0");
        AtomicBoolean writing = new AtomicBoolean(true);
        List<String> problems = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> {
            while (writing.get()) {
                Optional<AppDeployment> seen = store.app("shop");
                if (seen.isEmpty()) {
                    problems.add("no app");
                    continue;
                }
                AppDeployment app = seen.get();
                String n = app.version().substring(1);
                List<String> names =
                        app.functions().stream().map(f -> f.settings().name()).toList();
                if (!names.equals(List.of("a" + n, "b" + n))) {
                    problems.add(app.version() + " has " + names);
                }
                if (!(store.lookup("shop", "a" + n) instanceof FunctionLookup.Found)
                        && store.app("shop").orElseThrow().version().equals(app.version())) {
                    problems.add("lookup of a" + n + " failed in " + app.version());
                }
            }
        });
        reader.start();
        for (int i = 1; i <= 40; i++) {
            store.deploy(versioned(i));
        }
        await(() -> store.app("shop").orElseThrow().version().equals("v40"), "shop v40");
        writing.set(false);
        reader.join(WAIT.toMillis());
        assertThat(problems).isEmpty();
    }

    private static AppDeployment versioned(int n) {
        return app("shop", "v" + n, "a" + n, "b" + n);
    }

    @Test
    void appsAreSortedByName() {
        store.deploy(app("zoo", "v1", "f"));
        store.deploy(app("alpha", "v1", "f"));
        store.deploy(app("mid", "v1", "f"));
        await(() -> store.apps().size() == 3, "three apps");

        assertThat(store.apps()).extracting(AppDeployment::app).containsExactly("alpha", "mid", "zoo");
    }

    // ---- routes ----

    @Test
    void routesArePutReplacedAndRemoved() {
        store.putRoute("api.example.com", FunctionId.parse("shop--cart"));
        store.putRoute("blog.example.com", FunctionId.parse("blog--render"));
        store.putRoute("api.example.com", FunctionId.parse("shop--checkout"));
        await(
                () -> store.route("api.example.com").equals(Optional.of(FunctionId.parse("shop--checkout")))
                        && store.route("blog.example.com").isPresent(),
                "both routes, api replaced");

        assertThat(store.routes())
                .containsExactly(
                        Map.entry("api.example.com", FunctionId.parse("shop--checkout")),
                        Map.entry("blog.example.com", FunctionId.parse("blog--render")));

        store.removeRoute("api.example.com");
        store.removeRoute("never.example.com");
        await(() -> store.route("api.example.com").isEmpty(), "api's route removed");
        assertThat(store.routes()).containsOnlyKeys("blog.example.com");
        assertThat(store.route("never.example.com")).isEmpty();
    }

    @Test
    void invalidRoutesAreRejected() {
        assertThatThrownBy(() -> store.putRoute("API.example.com", FunctionId.parse("shop--cart")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("route host");
        assertThatThrownBy(() -> store.putRoute("api.example.com:443", FunctionId.parse("shop--cart")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("route host");
        assertThatThrownBy(() -> store.putRoute(null, FunctionId.parse("shop--cart")))
                .isInstanceOf(IllegalArgumentException.class);
        // A target that is no function id cannot be made: FunctionId.parse refuses it.
        assertThatThrownBy(() -> store.putRoute("api.example.com", null)).isInstanceOf(NullPointerException.class);

        store.putRoute("ok.example.com", FunctionId.parse("shop--cart"));
        await(() -> store.route("ok.example.com").isPresent(), "a valid route");
        assertThat(store.routes()).containsOnlyKeys("ok.example.com");
    }

    // ---- containers ----

    @Test
    void containersArePutReplacedRemovedAndSortedByFunctionThenId() {
        store.putContainer(container("c2", "shop--cart", ContainerState.PENDING));
        store.putContainer(container("c1", "shop--cart", ContainerState.READY));
        store.putContainer(container("c0", "shop--checkout", ContainerState.STARTING));
        store.putContainer(container("c9", "blog--render", ContainerState.READY));
        store.putContainer(container("c2", "shop--cart", ContainerState.STOPPING));
        await(
                () -> store.containers().size() == 4
                        && store.containers().stream().anyMatch(c -> c.state() == ContainerState.STOPPING),
                "four containers");

        assertThat(store.containers()).extracting(ContainerInfo::id).containsExactly("c9", "c1", "c2", "c0");
        assertThat(store.containers().get(2)).isEqualTo(container("c2", "shop--cart", ContainerState.STOPPING));

        store.removeContainer("c1");
        store.removeContainer("missing");
        await(() -> store.containers().size() == 3, "c1 removed");
        assertThat(store.containers()).extracting(ContainerInfo::id).containsExactly("c9", "c2", "c0");
    }

    // ---- workers ----

    @Test
    void workersArePutReplacedRemovedAndSortedById() {
        store.putWorker(worker("w2"));
        store.putWorker(worker("w1"));
        store.putWorker(worker("w3"));
        WorkerInfo beat = worker("w2").withHeartbeat(T0.plusSeconds(60));
        store.putWorker(beat);
        await(() -> store.workers().contains(beat) && store.workers().size() == 3, "three workers, w2 heartbeat");

        assertThat(store.workers()).containsExactly(worker("w1"), beat, worker("w3"));

        store.removeWorker("w1");
        store.removeWorker("missing");
        await(() -> store.workers().size() == 2, "w1 removed");
        assertThat(store.workers()).extracting(WorkerInfo::id).containsExactly("w2", "w3");
    }

    // ---- scaling ----

    @Test
    void scaleOverridesArePutMergedReadAndRemovedPerVersion() {
        ScaleOverride max = new ScaleOverride(FunctionId.parse("shop--cart"), "v1", null, 5, null, null, null, T0);
        ScaleOverride window = new ScaleOverride(
                FunctionId.parse("shop--cart"),
                "v1",
                null,
                null,
                null,
                null,
                java.time.Duration.ofSeconds(10),
                T0.plusSeconds(1));
        ScaleOverride merged = max.with(window);
        store.putScaleOverride(merged);
        store.putScaleOverride(new ScaleOverride(FunctionId.parse("blog--render"), "v3", 1, null, 2, 4, null, T0));
        await(() -> store.scaleOverrides().size() == 2, "two overrides");

        assertThat(store.scaleOverride(VersionKey.parse("shop--cart@v1"))).contains(merged);
        assertThat(merged.maxContainers()).isEqualTo(5);
        assertThat(merged.scaledownWindow()).hasSeconds(10);
        assertThat(store.scaleOverride(VersionKey.parse("shop--cart@v2")))
                .as("another version starts from its own settings")
                .isEmpty();
        assertThat(store.scaleOverrides())
                .extracting(o -> o.key().toString())
                .containsExactly("blog--render@v3", "shop--cart@v1");

        store.removeScaleOverride(VersionKey.parse("shop--cart@v1"));
        store.removeScaleOverride(VersionKey.parse("shop--cart@missing"));
        await(() -> store.scaleOverrides().size() == 1, "shop--cart@v1 removed");
        assertThat(store.scaleOverride(VersionKey.parse("shop--cart@v1"))).isEmpty();
    }

    @Test
    void scaleStatusesKeepTheLatestDecisionPerVersion() {
        store.putScaleStatus(new ScaleStatus(
                FunctionId.parse("shop--cart"),
                "v1",
                10,
                true,
                "burst: 40 in flight + queued, target 4 per container → 10",
                T0));
        ScaleStatus later = new ScaleStatus(
                FunctionId.parse("shop--cart"), "v1", 3, false, "low for 30 s: 10 → 3", T0.plusSeconds(40));
        store.putScaleStatus(later);
        store.putScaleStatus(
                new ScaleStatus(FunctionId.parse("blog--render"), "v3", 0, false, "idle for 60 s → 0", T0));
        await(
                () -> store.scaleStatuses().contains(later)
                        && store.scaleStatuses().size() == 2,
                "two statuses, the later kept");

        assertThat(store.scaleStatuses())
                .extracting(s -> s.key().toString())
                .containsExactly("blog--render@v3", "shop--cart@v1");
        store.removeScaleStatus(VersionKey.parse("blog--render@v3"));
        await(() -> store.scaleStatuses().size() == 1, "blog--render@v3 removed");
    }

    // ---- secrets ----

    @Test
    void secretsAreKeptByNameSortedAndReplacedWhole() {
        SecretCipher cipher = SecretCipher.random();
        FunctionSecret db = FunctionSecret.seal("db", Map.of("USER", "shop", "PASSWORD", "hunter2"), cipher, T0);
        FunctionSecret api = FunctionSecret.seal("api", Map.of("TOKEN", "t0ken"), cipher, T0);
        store.putSecret(db);
        store.putSecret(api);
        await(() -> store.secrets().size() == 2, "two secrets");

        assertThat(store.secrets()).extracting(FunctionSecret::name).containsExactly("api", "db");
        assertThat(store.secret("db")).contains(db);
        assertThat(store.secret("db").orElseThrow().open(cipher))
                .containsExactly(Map.entry("PASSWORD", "hunter2"), Map.entry("USER", "shop"));
        assertThat(store.secret("cache")).isEmpty();

        FunctionSecret replaced = FunctionSecret.seal("db", Map.of("URL", "postgres://x"), cipher, T0.plusSeconds(1));
        store.putSecret(replaced);
        await(() -> store.secret("db").equals(Optional.of(replaced)), "db replaced");
        assertThat(store.secret("db").orElseThrow().keys()).containsExactly("URL");

        store.removeSecret("api");
        store.removeSecret("missing");
        await(() -> store.secrets().size() == 1, "api removed");
        assertThat(store.secret("api")).isEmpty();
    }

    // ---- demand ----

    @Test
    void demandKeepsTheNewestSampleOfEachKeySortedByKey() {
        DemandSample newer = demand("g1", "shop--cart", 5, T0.plusSeconds(2));
        store.recordDemand(demand("g1", "shop--cart", 1, T0));
        store.recordDemand(newer);
        store.recordDemand(demand("g1", "shop--cart", 9, T0.plusSeconds(1))); // older: ignored
        store.recordDemand(demand("g0", "shop--cart", 2, T0));
        DemandSample other = demand("g2", "blog--render", 3, T0);
        store.recordDemand(other);
        await(() -> store.demand().size() == 3 && store.demand().contains(newer), "three samples, g1's newest");

        assertThat(store.demand()).containsExactly(demand("g0", "shop--cart", 2, T0), newer, other);
    }

    @Test
    void samplesTakenBeforeTheCutOffArePrunedAndNewerOnesStay() {
        DemandSample dead = demand("g-dead", "shop--cart", 3, T0);
        DemandSample live = demand("g1", "shop--cart", 1, T0.plusSeconds(60));
        DemandSample rewritten = demand("g2", "shop--cart", 2, T0.plusSeconds(61));
        store.recordDemand(dead);
        store.recordDemand(live);
        store.recordDemand(demand("g2", "shop--cart", 2, T0));
        store.recordDemand(rewritten); // g2 reported again: its old sample is gone already
        await(() -> store.demand().size() == 3 && store.demand().contains(rewritten), "three samples");

        store.pruneDemand(T0.plusSeconds(30));

        assertThat(store.demand()).containsExactly(live, rewritten);
        store.recordDemand(dead);
        assertThat(store.demand())
                .as("a dead gateway's sample comes back only if written")
                .contains(dead);
    }

    // ---- jars ----

    @Test
    void tokensArePutFoundByIdListedAndRevoked() {
        AccessTokens.Issued ci =
                AccessTokens.issue("ci", java.util.EnumSet.of(AccessToken.Scope.DEPLOY), List.of(), T0);
        AccessTokens.Issued caller =
                AccessTokens.issue("frontend", java.util.EnumSet.of(AccessToken.Scope.CALL), List.of("shop"), T0);
        store.putToken(ci.token());
        store.putToken(caller.token());
        await(() -> store.tokens().size() == 2, "both tokens");

        assertThat(store.token(ci.token().id())).contains(ci.token());
        assertThat(AccessTokens.verify(store, ci.secret())).contains(ci.token());
        assertThat(AccessTokens.verify(store, caller.secret()).orElseThrow().mayCall("shop"))
                .isTrue();
        assertThat(store.tokens()).extracting(AccessToken::id).isSorted();

        store.removeToken(ci.token().id());
        await(() -> store.token(ci.token().id()).isEmpty(), "the revoked token to go");
        assertThat(AccessTokens.verify(store, ci.secret())).isEmpty();
        assertThat(AccessTokens.verify(store, caller.secret())).contains(caller.token());
        store.removeToken("nosuchtoken1"); // nothing there: nothing happens
    }

    @Test
    void jarsRoundTripByDigest() throws Exception {
        byte[] content = new byte[100_000];
        for (int i = 0; i < content.length; i++) {
            content[i] = (byte) (i * 31);
        }
        String digest =
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        store.putJar(digest, content);

        byte[] read = store.jar(digest).orElseThrow();
        assertThat(read).isEqualTo(content);
        read[0]++;
        assertThat(store.jar(digest).orElseThrow()).isEqualTo(content);
        String absent = HexFormat.of()
                .formatHex(MessageDigest.getInstance("SHA-256").digest("nothing".getBytes(StandardCharsets.UTF_8)));
        assertThat(store.jar(absent)).isEmpty();
    }

    // ---- leader lease ----

    @Test
    void leadershipIsTakenRenewedAndReleased() {
        assertThat(store.acquireLeadership("controller-a", Duration.ofSeconds(10)))
                .isTrue();
        assertThat(store.acquireLeadership("controller-a", Duration.ofSeconds(10)))
                .isTrue();
        store.releaseLeadership("controller-a");
        assertThat(store.acquireLeadership("controller-b", Duration.ofSeconds(10)))
                .isTrue();
        store.releaseLeadership("controller-b");
    }

    // ---- listeners ----

    @Test
    void subscribeReplaysTheCurrentRecordsThenStreamsChangesInOrder() {
        store.deploy(app("shop", "v1", "cart"));
        store.putRoute("api.example.com", FunctionId.parse("shop--cart"));
        store.putWorker(worker("w1"));
        store.putContainer(container("c1", "shop--cart", ContainerState.READY));
        store.recordDemand(demand("g1", "shop--cart", 4, T0));
        await(() -> !store.demand().isEmpty() && !store.containers().isEmpty(), "the records");

        RecordingListener listener = new RecordingListener();
        store.subscribe(listener);
        List<String> replay = List.of(
                "app shop@v1",
                "route api.example.com=shop--cart",
                "worker w1 " + worker("w1").heartbeat(),
                "container c1 READY",
                "demand g1|shop--cart@v1 4");
        await(() -> listener.changes().size() >= replay.size(), "the replay");
        assertThat(listener.changes()).isEqualTo(replay);

        store.putContainer(container("c1", "shop--cart", ContainerState.STOPPING));
        store.removeContainer("c1");
        store.removeRoute("api.example.com");
        store.deploy(app("shop", "v2", "cart"));
        store.removeWorker("w1");
        store.recordDemand(demand("g1", "shop--cart", 0, T0.plusSeconds(1)));
        List<String> all = new java.util.ArrayList<>(replay);
        all.addAll(List.of(
                "container c1 STOPPING",
                "-container c1",
                "-route api.example.com",
                "app shop@v2",
                "-worker w1",
                "demand g1|shop--cart@v1 0"));
        await(() -> listener.changes().size() >= all.size(), "the changes");
        assertThat(listener.changes()).isEqualTo(all);
    }

    @Test
    void removingWhatIsNotThereTellsListenersNothing() {
        RecordingListener listener = new RecordingListener();
        store.subscribe(listener);
        store.removeRoute("none.example.com");
        store.removeContainer("none");
        store.removeWorker("none");
        store.putRoute("marker.example.com", FunctionId.parse("shop--cart"));
        listener.awaitHeard("route marker.example.com=shop--cart", WAIT);

        assertThat(listener.changes()).containsExactly("route marker.example.com=shop--cart");
    }

    @Test
    void unsubscribedListenersHearNoMore() {
        RecordingListener leaving = new RecordingListener();
        RecordingListener staying = new RecordingListener();
        store.subscribe(leaving);
        store.subscribe(staying);
        store.putRoute("one.example.com", FunctionId.parse("shop--cart"));
        leaving.awaitHeard("route one.example.com=shop--cart", WAIT);

        store.unsubscribe(leaving);
        store.putRoute("two.example.com", FunctionId.parse("shop--cart"));
        staying.awaitHeard("route two.example.com=shop--cart", WAIT);
        assertThat(leaving.changes()).containsExactly("route one.example.com=shop--cart");
    }

    @Test
    void aFailingListenerBreaksNeitherTheOthersNorTheStore() {
        store.subscribe(new RoutingListener() {
            @Override
            public void routeUpdated(String host, FunctionId function) {
                throw new IllegalStateException("listener bug (expected by the test)");
            }
        });
        RecordingListener listener = new RecordingListener();
        store.subscribe(listener);
        store.putRoute("one.example.com", FunctionId.parse("shop--cart"));
        store.putRoute("two.example.com", FunctionId.parse("shop--cart"));
        listener.awaitHeard("route two.example.com=shop--cart", WAIT);

        assertThat(listener.changes())
                .containsExactly("route one.example.com=shop--cart", "route two.example.com=shop--cart");
        assertThat(store.routes()).containsOnlyKeys("one.example.com", "two.example.com");
    }

    // ---- the store itself ----

    @Test
    void readsKeepAnsweringAfterClose() {
        store.putRoute("api.example.com", FunctionId.parse("shop--cart"));
        store.deploy(app("shop", "v1", "cart"));
        await(
                () -> store.route("api.example.com").isPresent()
                        && store.app("shop").isPresent(),
                "the records");

        store.close();

        assertThat(store.route("api.example.com")).contains(FunctionId.parse("shop--cart"));
        assertThat(store.lookup("shop", "cart")).isInstanceOf(FunctionLookup.Found.class);
    }

    @Test
    void describeNamesTheStore() {
        assertThat(store.describe()).isNotBlank();
    }
}
