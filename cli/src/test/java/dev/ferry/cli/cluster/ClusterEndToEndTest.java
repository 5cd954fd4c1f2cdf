package dev.ferry.cli.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.cli.cluster.ClusterProcesses.ContainerView;
import dev.ferry.cli.cluster.ClusterProcesses.Controller;
import dev.ferry.cli.cluster.ClusterProcesses.Gateway;
import dev.ferry.cli.cluster.ClusterProcesses.Run;
import dev.ferry.cli.cluster.ClusterProcesses.Worker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A Ferry cluster as a user runs it: one Redis; two gateways, a controller (later two) and
 * a worker, each its own JVM with its own home, started with {@code ferry gateway},
 * {@code ferry controller} and {@code ferry worker}; apps deployed and routes set with the
 * {@code ferry} client commands; requests sent to the gateways with the functions' Host
 * headers. One cluster serves the whole class; the tests run in order, since later ones
 * break things on purpose (Redis outages, a dead leader).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterEndToEndTest {

    private static final String HELLO = "cluster--hello";
    private static final Predicate<String> HELLO_BODY = ClusterHello.BODY::equals;
    private static final Duration COLD_START = Duration.ofSeconds(60);
    private static final Duration PROPAGATION = Duration.ofSeconds(15);

    /** The jar of each app's current version, as deployed by these tests. */
    private final Map<String, Path> deployedJars = new ConcurrentHashMap<>();

    private ClusterProcesses cluster;
    private Controller leader;
    private Controller controllerA;
    private Worker worker;
    private Gateway gatewayA;
    private Gateway gatewayB;

    @BeforeAll
    void startTheCluster() throws IOException {
        long start = System.nanoTime();
        cluster = ClusterProcesses.start();
        var ctl = cluster.launchController("ctl-a");
        var wrk = cluster.launchWorker("wrk-1");
        var gwA = cluster.launchGateway("gw-a");
        var gwB = cluster.launchGateway("gw-b");
        controllerA = cluster.controller(ctl);
        worker = cluster.worker(wrk);
        gatewayA = cluster.gateway(gwA);
        gatewayB = cluster.gateway(gwB);
        cluster.awaitLeader(controllerA, Duration.ofSeconds(20));
        leader = controllerA;
        System.out.println("[test] the cluster started in " + (System.nanoTime() - start) / 1_000_000 + " ms");
    }

    @AfterAll
    void stopTheCluster() {
        if (cluster == null) {
            return;
        }
        cluster.close();
        assertThat(cluster.leftovers)
                .as("processes that outlived the cluster's shutdown")
                .isEmpty();
        assertThat(cluster.leakReports())
                .as("Netty leak reports in the processes' output")
                .isEmpty();
    }

    // ---- the tests ----

    @Test
    @Order(1)
    void aDeployedAppAnswersThroughEveryGatewayAfterAColdStartOnTheWorker() throws Exception {
        Path jar = cluster.jar("cluster.jar", "cluster", ClusterHello.class);

        Run deploy = deploy("cluster", jar, leader);

        assertThat(deploy.out())
                .as(deploy.toString())
                .contains("app cluster v1:")
                .contains("hello");
        long start = System.nanoTime();
        RawHttp.Response cold =
                awaitBody(gatewayA, functionHost(HELLO, gatewayA), ClusterHello.BODY::equals, COLD_START);
        System.out.println(
                "[test] cold start through " + gatewayA.id() + ": " + (System.nanoTime() - start) / 1_000_000 + " ms");
        assertThat(cold.headers()).containsKey("content-type");
        RawHttp.Response warm = RawHttp.get(gatewayB.httpPort(), functionHost(HELLO, gatewayB), "/");
        assertThat(warm.status()).as(warm.toString()).isEqualTo(200);
        assertThat(warm.body()).isEqualTo(ClusterHello.BODY);
        List<ContainerView> containers = cluster.containers(leader.adminUrl(), HELLO);
        assertThat(containers)
                .as("one container for both gateways")
                .singleElement()
                .satisfies(c -> assertThat(c.state()).isEqualTo("READY"));
    }

    @Test
    @Order(2)
    void aWorkerFetchesTheJarFromRedisWhenTheControllersCopyIsNotOnItsDisk() throws Exception {
        Path jar = cluster.jar("fetched.jar", "fetched", ClusterHello.class);
        String digest = sha256(jar);

        deploy("fetched", jar, leader);
        // As on another machine: the controller's copy is not there for the worker to read.
        Path controllersCopy = leader.home().resolve("apps/fetched/v1.jar");
        assertThat(controllersCopy).exists();
        Files.delete(controllersCopy);

        awaitBody(gatewayB, functionHost("fetched--hello", gatewayB), ClusterHello.BODY::equals, COLD_START);

        assertThat(worker.home().resolve("jars").resolve(digest + ".jar"))
                .as("the jar the worker fetched from Redis")
                .exists();
    }

    @Test
    @Order(3)
    void aCustomRouteReachesItsFunctionThroughEveryGatewayUntilItIsRemoved() throws Exception {
        ensureHelloIsWarm();
        String host = "api.example.test";
        for (Gateway g : gateways()) {
            assertThat(RawHttp.get(g.httpPort(), host, "/").status())
                    .as("before the route, through " + g.id())
                    .isEqualTo(404);
        }

        Run add = cluster.ferry("route", "add", host, HELLO, "--controller", leader.adminUrl());

        assertThat(add.exitCode()).as(add.toString()).isZero();
        assertThat(add.out()).contains("routed " + host + " to " + HELLO);
        for (Gateway g : gateways()) {
            awaitBody(g, host, ClusterHello.BODY::equals, PROPAGATION);
        }

        Run rm = cluster.ferry("route", "rm", host, "--controller", leader.adminUrl());

        assertThat(rm.exitCode()).as(rm.toString()).isZero();
        for (Gateway g : gateways()) {
            ClusterProcesses.awaitValue(
                    host + " to answer 404 through " + g.id() + " once its route is removed",
                    PROPAGATION,
                    () -> RawHttp.get(g.httpPort(), host, "/"),
                    r -> r.status() == 404);
        }
    }

    @Test
    @Order(4)
    void aRedeployUnderLoadAnswersEveryRequestWithTheOldOrTheNewVersionAndDrainsTheOld() throws Exception {
        String function = "atomic--version";
        Path one = cluster.jar("atomic-1.jar", "atomic", VersionOne.class);
        Path two = cluster.jar("atomic-2.jar", "atomic", VersionTwo.class);
        deploy("atomic", one, leader);
        for (Gateway g : gateways()) {
            awaitBody(g, functionHost(function, g), VersionOne.BODY::equals, COLD_START);
        }
        ContainerView old = single(cluster.containers(leader.adminUrl(), function));
        assertThat(old.version()).isEqualTo("v1");

        List<String> oldStates = new CopyOnWriteArrayList<>();
        Load load = Load.start(targets(function, "/"), Duration.ofSeconds(60), 20_000);
        Thread watcher = null;
        try {
            ClusterProcesses.await(
                    "the load to get going", Duration.ofSeconds(20), () -> load.count(o -> o.status() == 200) >= 40);
            // Watch the old container through the redeploy: its states, until it is gone.
            watcher = Thread.ofPlatform()
                    .daemon()
                    .name("watch-" + old.id())
                    .start(() -> watch(old.id(), function, oldStates));

            Run second = deploy("atomic", two, leader);

            assertThat(second.out()).contains("app atomic v2:");
            ClusterProcesses.await("every load thread to get version two 20 times", COLD_START, () -> {
                for (int t = 0; t < load.threads(); t++) {
                    if (load.outcomes(t).stream()
                                    .filter(o -> VersionTwo.BODY.equals(o.body()))
                                    .count()
                            < 20) {
                        return false;
                    }
                }
                return true;
            });
        } finally {
            load.stop();
        }

        Predicate<String> oneOrTwo = b -> b.equals(VersionOne.BODY) || b.equals(VersionTwo.BODY);
        assertThat(load.unexpected(oneOrTwo)).as(load.summary(oneOrTwo)).isEmpty();
        for (int t = 0; t < load.threads(); t++) {
            List<Load.Outcome> outcomes = load.outcomes(t);
            int firstTwo = -1;
            for (int i = 0; i < outcomes.size(); i++) {
                if (outcomes.get(i).body().equals(VersionTwo.BODY)) {
                    firstTwo = i;
                    break;
                }
            }
            assertThat(firstTwo).as("thread %d got version two", t).isNotNegative();
            assertThat(outcomes.subList(firstTwo, outcomes.size()))
                    .as("thread %d: once its gateway answers with version two, " + "never version one again", t)
                    .allSatisfy(o -> assertThat(o.body()).isEqualTo(VersionTwo.BODY));
        }
        System.out.println("[test] redeploy under load: " + load.all().size() + " requests, all 200");
        watcher.join(Duration.ofSeconds(35));
        System.out.println("[test] states of the old container " + old.id() + ": " + oldStates);
        assertThat(oldStates)
                .as("the old container, polled through the redeploy")
                .endsWith("gone");
        assertThat(oldStates)
                .as("the old container drains (STOPPING) before it goes")
                .contains("STOPPING");
        ContainerView current = single(cluster.containers(leader.adminUrl(), function));
        assertThat(current.version()).isEqualTo("v2");
        assertThat(current.state()).isEqualTo("READY");
    }

    /** Polls the admin API for container {@code id}'s state, recording each change, until it is gone (at most 30 s). */
    private void watch(String id, String function, List<String> states) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            String state;
            try {
                state = cluster.containers(leader.adminUrl(), function).stream()
                        .filter(c -> c.id().equals(id))
                        .map(ContainerView::state)
                        .findFirst()
                        .orElse("gone");
            } catch (IOException e) {
                state = "admin API error: " + e;
            }
            if (states.isEmpty() || !states.getLast().equals(state)) {
                states.add(state);
            }
            if (state.equals("gone")) {
                return;
            }
            ClusterProcesses.pause(Duration.ofMillis(20));
        }
    }

    @Test
    @Order(5)
    void aRollingRedeployUnderSteadyTrafficWithLongCallsLosesNoCall() throws Exception {
        String function = "rollover--work";
        Path one = cluster.jar("rollover-1.jar", "rollover", RolloverOne.class);
        Path two = cluster.jar("rollover-2.jar", "rollover", RolloverTwo.class);
        deploy("rollover", one, leader);
        for (Gateway g : gateways()) {
            awaitBody(g, functionHost(function, g), RolloverOne.BODY::equals, COLD_START);
        }
        ClusterProcesses.awaitValue(
                "version one's 4 containers (its minContainers) to be ready",
                COLD_START,
                () -> cluster.containers(leader.adminUrl(), function),
                containers -> containers.stream()
                                .filter(c -> c.state().equals("READY"))
                                .count()
                        == 4);
        // Per gateway two threads of 2 s calls and one of short ones: more calls than one
        // container's 2 inputs, so they spread over the containers of both gateways, and 2 s
        // calls are in flight whenever the redeploy moves the traffic, as in the chaos bench's
        // redeploys that lost them.
        List<Load.Target> targets = new ArrayList<>();
        for (Gateway g : gateways()) {
            targets.add(new Load.Target(g.httpPort(), functionHost(function, g), "/?ms=2000"));
            targets.add(new Load.Target(g.httpPort(), functionHost(function, g), "/?ms=2000"));
            targets.add(new Load.Target(g.httpPort(), functionHost(function, g), "/"));
        }
        Load load = Load.start(targets, Duration.ofSeconds(150), 20_000);
        long deployedAt = 0;
        try {
            ClusterProcesses.await(
                    "every load thread to get version one 3 times",
                    COLD_START,
                    () -> everyThreadGot(load, RolloverOne.BODY, 3));

            deployedAt = System.nanoTime();
            Run second = deploy("rollover", two, leader);

            assertThat(second.out()).contains("app rollover v2:");
            ClusterProcesses.await(
                    "every load thread to get version two 3 times",
                    COLD_START,
                    () -> everyThreadGot(load, RolloverTwo.BODY, 3));
        } finally {
            load.stop();
        }

        Predicate<String> oneOrTwo = b -> b.equals(RolloverOne.BODY) || b.equals(RolloverTwo.BODY);
        System.out.println("[test] rolling redeploy: " + load.summary(oneOrTwo));
        long deployed = deployedAt;
        assertThat(load.unexpected(oneOrTwo))
                .as("every call through the redeploy (sent at seconds from the deploy): "
                        + load.unexpected(oneOrTwo).stream()
                                .map(o -> String.format(
                                        java.util.Locale.ROOT, "%+.1f s %s", (o.startNanos() - deployed) / 1e9, o))
                                .toList())
                .isEmpty();
        ClusterProcesses.awaitValue(
                "version one's containers to drain and go",
                Duration.ofSeconds(60),
                () -> cluster.containers(leader.adminUrl(), function),
                containers -> containers.stream().allMatch(c -> c.version().equals("v2")));
    }

    /** Whether every thread of {@code load} got {@code body} at least {@code times} times. */
    private static boolean everyThreadGot(Load load, String body, int times) {
        for (int t = 0; t < load.threads(); t++) {
            if (load.outcomes(t).stream().filter(o -> body.equals(o.body())).count() < times) {
                return false;
            }
        }
        return true;
    }

    @Test
    @Order(6)
    void requestsKeepSucceedingWhileRedisIsDownAndTheClusterResyncsWhenItIsBack() throws Exception {
        ensureHelloIsWarm();
        Path late = cluster.jar("late.jar", "late", VersionOne.class);
        // Deployed but never called: no container, so during the outage none can be started for it.
        Path coldJar = cluster.jar("cold.jar", "cold", VersionTwo.class);
        Run coldDeploy = cluster.ferry("deploy", coldJar.toString(), "--controller", leader.adminUrl());
        assertThat(coldDeploy.exitCode()).as(coldDeploy.toString()).isZero();
        deployedJars.put("cold", coldJar);
        String redisName = "Redis at redis://127.0.0.1:" + cluster.redis.port();
        Load load = Load.start(targets(HELLO, "/"), Duration.ofSeconds(60), 20_000);
        try {
            ClusterProcesses.await(
                    "the load to get going", Duration.ofSeconds(20), () -> load.count(o -> o.status() == 200) >= 40);

            cluster.redis.save();
            cluster.redis.kill();
            long down = System.nanoTime();
            long okAtOutage = load.count(o -> o.status() == 200);

            // Both at once, so the outage stays short on a slow machine.
            CompletableFuture<Run> routing = CompletableFuture.supplyAsync(
                    () -> ferry("route", "add", "down.example.test", HELLO, "--controller", leader.adminUrl()));
            Run deploy = cluster.ferry("deploy", late.toString(), "--controller", leader.adminUrl());
            Run route = routing.get(90, TimeUnit.SECONDS);
            assertThat(deploy.exitCode()).as(deploy.toString()).isEqualTo(1);
            assertThat(deploy.err())
                    .as(deploy.toString())
                    .contains("cannot deploy")
                    .contains(redisName);
            assertThat(route.exitCode()).as(route.toString()).isEqualTo(1);
            assertThat(route.err()).as(route.toString()).contains(redisName);
            // A cold start cannot happen without Redis: the request is told so at once, not after the queue timeout.
            RawHttp.Response cold = RawHttp.get(gatewayA.httpPort(), functionHost("cold--version", gatewayA), "/");
            assertThat(cold.status()).as(cold.toString()).isEqualTo(503);
            assertThat(cold.body())
                    .as(cold.toString())
                    .contains("no container of cold--version is ready and none can be started")
                    .contains(redisName);
            ClusterProcesses.await(
                    "requests to succeed while Redis is down",
                    Duration.ofSeconds(10),
                    () -> load.count(o -> o.status() == 200) >= okAtOutage + 40);
            ClusterProcesses.pause(
                    Duration.ofNanos(Math.max(0, down + Duration.ofSeconds(6).toNanos() - System.nanoTime())));

            cluster.redis.restart();
            long okAtReturn = load.count(o -> o.status() == 200);
            System.out.println("[test] Redis was down for " + (System.nanoTime() - down) / 1_000_000 + " ms; "
                    + (okAtReturn - okAtOutage) + " requests succeeded meanwhile");
            ClusterProcesses.await(
                    "requests to succeed after Redis is back",
                    Duration.ofSeconds(20),
                    () -> load.count(o -> o.status() == 200) >= okAtReturn + 40);
        } finally {
            load.stop();
        }
        assertThat(load.unexpected(HELLO_BODY)).as(load.summary(HELLO_BODY)).isEmpty();

        // Everyone resynced, nothing restarted: a new route and a new app reach both gateways.
        Run route = retry(
                "ferry route add after Redis came back",
                () -> cluster.ferry(
                        "route", "add", "after-outage.example.test", HELLO, "--controller", leader.adminUrl()));
        assertThat(route.out()).contains("routed after-outage.example.test to " + HELLO);
        for (Gateway g : gateways()) {
            awaitBody(g, "after-outage.example.test", ClusterHello.BODY::equals, PROPAGATION);
        }
        Run deploy = retry(
                "ferry deploy after Redis came back",
                () -> cluster.ferry("deploy", late.toString(), "--controller", leader.adminUrl()));
        assertThat(deploy.out()).contains("app late v1:");
        deployedJars.put("late", late);
        for (Gateway g : gateways()) {
            awaitBody(g, functionHost("late--version", g), VersionOne.BODY::equals, COLD_START);
        }
    }

    /**
     * Redis holds the only copy of an app's jar that every machine can reach. After it lost
     * its data, the cluster must write every jar again, including that of app "fetched",
     * whose deploying controller's copy is not on the restoring controller's disk (as when
     * a standby on another machine restores what a dead leader deployed); the worker still
     * has its cached copy.
     */
    @Test
    @Order(7)
    void afterRedisLosesItsDataTheJarOfEveryAppIsInRedisAgain() throws Exception {
        ensureHelloIsWarm();
        Map<String, String> digests = new TreeMap<>();
        deployedJars.forEach((app, jar) -> digests.put(app, sha256(jar)));
        digests.forEach((app, digest) -> assertThat(cluster.redis.redisCli("EXISTS", "ferry:default:jar:" + digest))
                .as("the jar of app %s in Redis before it loses its data", app)
                .isEqualTo("1"));

        cluster.redis.restartEmpty();

        ClusterProcesses.awaitValue(
                "Redis to hold the apps " + digests.keySet() + " again",
                Duration.ofSeconds(30),
                () -> cluster.redisHashKeys("apps"),
                keys -> keys.containsAll(digests.keySet()));
        // A worker without a cached copy (a new machine, a wiped disk) can only get a jar from Redis.
        ClusterProcesses.awaitValue(
                "the jar of every app back in Redis",
                Duration.ofSeconds(15),
                () -> {
                    List<String> missing = new ArrayList<>();
                    digests.forEach((app, digest) -> {
                        if (!cluster.redis
                                .redisCli("EXISTS", "ferry:default:jar:" + digest)
                                .equals("1")) {
                            missing.add("the jar of app " + app + " (" + digest + ")");
                        }
                    });
                    return missing;
                },
                List::isEmpty);
    }

    @Test
    @Order(8)
    void afterRedisRestartsEmptyTheClusterWritesItsStateAgainWithoutAnOperator() throws Exception {
        ensureHelloIsWarm();
        JsonNode before = cluster.apps(leader.adminUrl());
        List<String> apps = new ArrayList<>();
        before.path("apps").forEach(a -> apps.add(a.path("name").asText()));
        List<String> routes = new ArrayList<>();
        before.path("routes").fieldNames().forEachRemaining(routes::add);
        ContainerView hello = single(ClusterProcesses.containers(before, HELLO));
        Load load = Load.start(targets(HELLO, "/"), Duration.ofSeconds(90), 40_000);
        long restarted;
        try {
            ClusterProcesses.await(
                    "the load to get going", Duration.ofSeconds(20), () -> load.count(o -> o.status() == 200) >= 40);

            cluster.redis.kill();
            cluster.redis.deleteData();
            cluster.redis.restart();
            restarted = System.nanoTime();

            ClusterProcesses.awaitValue(
                    "Redis to hold the apps " + apps + " again",
                    Duration.ofSeconds(30),
                    () -> cluster.redisHashKeys("apps"),
                    keys -> keys.containsAll(apps));
            ClusterProcesses.awaitValue(
                    "Redis to hold the routes " + routes + " again",
                    Duration.ofSeconds(30),
                    () -> cluster.redisHashKeys("routes"),
                    keys -> keys.containsAll(routes));
            ClusterProcesses.awaitValue(
                    "Redis to hold worker " + worker.id() + " again",
                    Duration.ofSeconds(30),
                    () -> cluster.redisHashKeys("workers"),
                    keys -> keys.contains(worker.id()));
            ClusterProcesses.awaitValue(
                    "Redis to hold container " + hello.id() + " again",
                    Duration.ofSeconds(30),
                    () -> cluster.redisHashKeys("containers"),
                    keys -> keys.contains(hello.id()));
            System.out.println("[test] the cluster wrote its state again " + (System.nanoTime() - restarted) / 1_000_000
                    + " ms after Redis restarted empty");
            // Past the grace period in which the processes keep records that Redis lost.
            ClusterProcesses.pause(Duration.ofNanos(
                    Math.max(0, restarted + Duration.ofSeconds(12).toNanos() - System.nanoTime())));
            long okNow = load.count(o -> o.status() == 200);
            ClusterProcesses.await(
                    "requests to succeed after the grace period",
                    Duration.ofSeconds(20),
                    () -> load.count(o -> o.status() == 200) >= okNow + 40);
        } finally {
            load.stop();
        }
        assertThat(load.unexpected(HELLO_BODY)).as(load.summary(HELLO_BODY)).isEmpty();

        Run ls = cluster.ferry("ls", "--json", "--controller", leader.adminUrl());
        assertThat(ls.exitCode()).as(ls.toString()).isZero();
        JsonNode after = ClusterProcesses.JSON.readTree(ls.out());
        for (String app : apps) {
            assertThat(ClusterProcesses.appVersion(after, app))
                    .as("app %s after Redis lost its data", app)
                    .isEqualTo(ClusterProcesses.appVersion(before, app));
        }
        assertThat(ClusterProcesses.containers(after, HELLO))
                .as("the same warm container, no new one")
                .singleElement()
                .isEqualTo(hello);
        // A gateway that starts now knows only what Redis holds: it serves the warm container.
        Gateway late = cluster.startGateway("gw-c");
        try {
            for (String route : routes) {
                awaitBody(late, route, b -> !b.isEmpty(), PROPAGATION);
            }
            awaitBody(late, functionHost(HELLO, late), ClusterHello.BODY::equals, PROPAGATION);
        } finally {
            late.process().terminate();
        }
        assertThat(late.process().waitFor(Duration.ofSeconds(15)))
                .as("gw-c stops on SIGTERM")
                .isTrue();
        late.process().awaitOut(Pattern.compile("^ferry: stopping gateway gw-c$"), Duration.ofSeconds(5));
        assertThat(cluster.containers(leader.adminUrl(), HELLO)).singleElement().isEqualTo(hello);
    }

    @Test
    @Order(9)
    void aStandbyTakesOverWhenTheLeaderDiesAndCarriesOnWithTheRunningContainers() throws Exception {
        ensureHelloIsWarm();
        ContainerView hello = single(cluster.containers(leader.adminUrl(), HELLO));
        Controller standby = cluster.startController("ctl-b");
        assertThat(cluster.containers(standby.adminUrl(), HELLO))
                .as("the standby's view")
                .singleElement()
                .isEqualTo(hello);
        assertThat(standby.saysLeader())
                .as("ctl-b while " + leader.id() + " leads")
                .isFalse();
        Path jar = cluster.jar("failover.jar", "failover", VersionTwo.class);

        Load load = Load.start(
                List.of(
                        new Load.Target(gatewayA.httpPort(), functionHost(HELLO, gatewayA), "/"),
                        new Load.Target(gatewayB.httpPort(), functionHost(HELLO, gatewayB), "/")),
                Duration.ofSeconds(90),
                20_000);
        try {
            ClusterProcesses.await(
                    "the load to get going", Duration.ofSeconds(20), () -> load.count(o -> o.status() == 200) >= 20);

            leader.process().kill();
            long killed = System.nanoTime();
            cluster.awaitLeader(standby, Duration.ofSeconds(10));
            System.out.println(
                    "[test] ctl-b took over " + (System.nanoTime() - killed) / 1_000_000 + " ms after the leader died");
            leader = standby;
            // The new leader stops idle containers only after a settling delay (5 s): nothing shows
            // that it has passed, so this is a window for a wrong stop to happen in, not a wait.
            ClusterProcesses.pause(Duration.ofSeconds(6));
            assertThat(cluster.containers(leader.adminUrl(), HELLO))
                    .as("the running container, kept by the new leader")
                    .singleElement()
                    .isEqualTo(hello);

            // The new leader scales a new function from zero.
            deploy("failover", jar, standby);
            for (Gateway g : gateways()) {
                awaitBody(g, functionHost("failover--version", g), VersionTwo.BODY::equals, COLD_START);
            }
        } finally {
            load.stop();
        }
        assertThat(load.unexpected(HELLO_BODY)).as(load.summary(HELLO_BODY)).isEmpty();
        ContainerView failover = single(cluster.containers(leader.adminUrl(), "failover--version"));

        // The dead controller, restarted, stands by; when ctl-b stops, it leads with the same containers.
        Controller restarted = cluster.controller(cluster.launchController("ctl-a", "ctl-a-restarted"));
        assertThat(restarted.saysLeader())
                .as("the restarted ctl-a while ctl-b leads")
                .isFalse();
        Instant beforeTheStop = Instant.now();
        long stopping = System.nanoTime();
        standby.process().terminate();
        assertThat(standby.process().waitFor(Duration.ofSeconds(15)))
                .as("ctl-b stops on SIGTERM")
                .isTrue();
        // ctl-b gives its lease up as it stops: no 5 s wait for it to lapse.
        cluster.awaitLeader(restarted, Duration.ofSeconds(3));
        System.out.println("[test] the restarted ctl-a took over within " + (System.nanoTime() - stopping) / 1_000_000
                + " ms of ctl-b's SIGTERM");
        leader = restarted;
        // The marker that the new leader has weighed both functions and their containers: the
        // scale decisions it publishes for them on its first tick as the leader (a new process, it
        // has published none), dated after ctl-b was told to stop. Any container it started in
        // that tick was written before them.
        ClusterProcesses.awaitValue(
                "the first decisions of " + leader.id() + " on " + HELLO + " and failover--version",
                PROPAGATION,
                () -> cluster.apps(leader.adminUrl()),
                apps -> decidedSince(apps, HELLO, beforeTheStop)
                        && decidedSince(apps, "failover--version", beforeTheStop));
        assertThat(cluster.containers(leader.adminUrl(), HELLO)).singleElement().isEqualTo(hello);
        assertThat(cluster.containers(leader.adminUrl(), "failover--version"))
                .singleElement()
                .isEqualTo(failover);
        for (Gateway g : gateways()) {
            RawHttp.Response r = RawHttp.get(g.httpPort(), functionHost(HELLO, g), "/");
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
        }
    }

    // ---- helpers ----

    /** {@code ferry deploy JAR --controller URL}, which must succeed; remembers the jar as {@code app}'s current one. */
    private Run deploy(String app, Path jar, Controller via) throws IOException {
        Run run = cluster.ferry("deploy", jar.toString(), "--controller", via.adminUrl());
        assertThat(run.exitCode()).as(run.toString()).isZero();
        deployedJars.put(app, jar);
        return run;
    }

    /** Whether {@code ferry ls} shows a scale decision on {@code functionId} made at {@code since} or later. */
    private static boolean decidedSince(JsonNode apps, String functionId, Instant since) {
        for (JsonNode app : apps.path("apps")) {
            for (JsonNode f : app.path("functions")) {
                JsonNode at = f.path("scaling").path("decision").path("at");
                if (f.path("id").asText().equals(functionId) && at.isTextual()) {
                    return !Instant.parse(at.asText()).isBefore(since);
                }
            }
        }
        return false;
    }

    /** {@link ClusterProcesses#ferry}, for lambdas. */
    private Run ferry(String... args) {
        try {
            return cluster.ferry(args);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String sha256(Path file) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    private List<Gateway> gateways() {
        return List.of(gatewayA, gatewayB);
    }

    /** The Host header of {@code functionId} on {@code gateway}, as a browser sends it. */
    private static String functionHost(String functionId, Gateway gateway) {
        return functionId + ".localhost:" + gateway.httpPort();
    }

    /** Four load threads on {@code functionId}, two per gateway. */
    private List<Load.Target> targets(String functionId, String path) {
        List<Load.Target> targets = new ArrayList<>();
        for (Gateway g : gateways()) {
            targets.add(new Load.Target(g.httpPort(), functionHost(functionId, g), path));
            targets.add(new Load.Target(g.httpPort(), functionHost(functionId, g), path));
        }
        return targets;
    }

    /** GETs {@code /} with {@code host} through {@code gateway} until a 200 whose body passes {@code body}. */
    private static RawHttp.Response awaitBody(Gateway gateway, String host, Predicate<String> body, Duration timeout) {
        return ClusterProcesses.awaitValue(
                "a 200 from " + host + " through " + gateway.id(),
                timeout,
                () -> RawHttp.get(gateway.httpPort(), host, "/"),
                r -> r.status() == 200 && body.test(r.body()));
    }

    /** Runs a client command until it succeeds (Redis just came back: clients may need a moment), at most 20 s. */
    private static Run retry(String what, ClusterProcesses.Probe<Run> command) {
        return ClusterProcesses.awaitValue(
                what + " to succeed", Duration.ofSeconds(20), command, r -> r.exitCode() == 0);
    }

    private static ContainerView single(List<ContainerView> containers) {
        assertThat(containers).hasSize(1);
        return containers.getFirst();
    }

    /** Deploys the hello app unless an earlier test did, and waits until both gateways answer from it. */
    private void ensureHelloIsWarm() throws IOException {
        if (ClusterProcesses.appVersion(cluster.apps(leader.adminUrl()), "cluster") == null) {
            deploy("cluster", cluster.jar("cluster.jar", "cluster", ClusterHello.class), leader);
        }
        for (Gateway g : gateways()) {
            awaitBody(g, functionHost(HELLO, g), ClusterHello.BODY::equals, COLD_START);
        }
    }
}
