package dev.ferry.perf.bench;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ferry bench cluster}: Ferry as a cluster of processes sharing one Redis (a
 * redis-server of the bench's own, on a free loopback port), measured three ways:
 * <ol>
 *   <li>route propagation: how long after a route is written through the controller both
 *       gateways serve it ({@link RoutePropagation});</li>
 *   <li>the Redis store's cost on the request path: hello's closed-loop throughput through
 *       {@code ferry dev} on the in-memory store and on Redis, in alternating rounds;</li>
 *   <li>a Redis outage under load: redis-server killed (SIGKILL, after a SAVE) and started
 *       again with its data, while keep-alive connections keep calling hello through both
 *       gateways; every failed request is counted ({@link PhasedLoad});</li>
 *   <li>token revocation: how long after a call token is revoked through the controller both
 *       gateways refuse it ({@link RevocationPropagation}).</li>
 * </ol>
 * Writes {@code summary.md}, {@code cluster.json} and the propagation histograms under
 * {@code perf/results/<timestamp>-cluster/}, with every process's log in {@code logs/}, and
 * stops every process it started.
 */
@Command(
        name = "cluster",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = "Measures Ferry as a cluster on one Redis: route propagation to two gateways, hello's throughput "
                + "on the Redis store against the in-memory one, failed requests during a Redis outage, and how long a"
                + " token's revocation takes to reach both gateways.")
public final class ClusterBench implements Callable<Integer> {

    static final String PROPAGATION = "propagation";
    static final String THROUGHPUT = "throughput";
    static final String OUTAGE = "outage";
    static final String REVOCATION = "revocation";
    private static final String HELLO = FerryTarget.APP + "--hello";
    private static final Duration ONE_SHOT_TIMEOUT = Duration.ofSeconds(120);

    @Option(
            names = "--quick",
            description = "A short run (under a minute or so on 2 cores): few trials, short loads, a 4 s outage.")
    boolean quick;

    @Option(
            names = "--parts",
            split = ",",
            defaultValue = "propagation,throughput,outage,revocation",
            description = "What to measure (default: ${DEFAULT-VALUE}).")
    List<String> parts;

    @Option(names = "--trials", paramLabel = "N", description = "Route-propagation trials (default: 200; quick: 20).")
    Integer trials;

    @Option(
            names = "--propagation-limit",
            paramLabel = "SECONDS",
            description = "Stop the trials after this long (default: 60; quick: 15).")
    Double propagationLimit;

    @Option(names = "--revocations", paramLabel = "N", description = "Token-revocation trials (default: 20; quick: 5).")
    Integer revocations;

    @Option(
            names = "--trial-timeout",
            paramLabel = "SECONDS",
            defaultValue = "5",
            description =
                    "How long a gateway may take to serve a new route, or to refuse a revoked token, before the trial"
                            + " counts it missed (default: ${DEFAULT-VALUE}).")
    double trialTimeout;

    @Option(
            names = "--poll-interval-us",
            paramLabel = "MICROS",
            defaultValue = "100",
            description = "Pause between a poller's requests (default: ${DEFAULT-VALUE}; 0: none).")
    long pollIntervalMicros;

    @Option(
            names = "--gateways",
            defaultValue = "2",
            description = "Gateways in the cluster (default: ${DEFAULT-VALUE}).")
    int gatewayCount;

    @Option(
            names = "--connections",
            paramLabel = "N",
            defaultValue = "16",
            description = "HTTP/1.1 connections of the throughput runs (default: ${DEFAULT-VALUE}).")
    int connections;

    @Option(
            names = "--duration",
            paramLabel = "SECONDS",
            description = "Length of each throughput run (default: 4; quick: 1).")
    Double duration;

    @Option(
            names = "--warmup",
            paramLabel = "SECONDS",
            description =
                    "Closed-loop warm-up of each store before its runs; the container's JIT needs about half a minute (default: 30; quick: 1).")
    Double warmup;

    @Option(
            names = "--rounds",
            description = "Throughput rounds, the stores taking turns first (default: 4; quick: 1).")
    Integer rounds;

    @Option(
            names = "--outage-connections",
            paramLabel = "N",
            defaultValue = "8",
            description =
                    "Keep-alive connections of the outage load, shared among the gateways (default: ${DEFAULT-VALUE}).")
    int outageConnections;

    @Option(
            names = "--before",
            paramLabel = "SECONDS",
            description = "Load before Redis is killed (default: 5; quick: 2).")
    Double before;

    @Option(
            names = "--outage",
            paramLabel = "SECONDS",
            description = "How long Redis stays down (default: 10; quick: 4).")
    Double outage;

    @Option(
            names = "--after",
            paramLabel = "SECONDS",
            description = "Load after Redis is back (default: 10; quick: 3).")
    Double after;

    @Option(
            names = "--request-timeout",
            paramLabel = "SECONDS",
            defaultValue = "5",
            description = "An outage-load request unanswered this long counts as failed (default: ${DEFAULT-VALUE}).")
    double requestTimeout;

    @Option(
            names = "--threads",
            defaultValue = "2",
            description = "Load generator threads (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(
            names = "--out",
            paramLabel = "DIR",
            description = "Where to write the report (default: perf/results/<timestamp>-cluster).")
    Path out;

    /** What to measure and how long, after defaults and checks. */
    record Plan(
            List<String> parts,
            int trials,
            int warmupTrials,
            Duration propagationLimit,
            Duration trialTimeout,
            Duration pollInterval,
            int gateways,
            int connections,
            Duration duration,
            Duration warmup,
            int rounds,
            int outageConnections,
            Duration outageWarmup,
            Duration before,
            Duration outage,
            Duration after,
            Duration requestTimeout,
            int threads,
            int revocations,
            int revocationWarmups) {

        boolean has(String part) {
            return parts.contains(part);
        }

        Map<String, Object> settings() {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("parts", parts);
            s.put("propagation_trials", trials);
            s.put("propagation_limit_s", propagationLimit.toMillis() / 1000.0);
            s.put("trial_timeout_s", trialTimeout.toMillis() / 1000.0);
            s.put("poll_interval_us", pollInterval.toNanos() / 1000);
            s.put("gateways", gateways);
            s.put("throughput_connections", connections);
            s.put("throughput_duration_s", duration.toMillis() / 1000.0);
            s.put("throughput_warmup_s", warmup.toMillis() / 1000.0);
            s.put("throughput_rounds", rounds);
            s.put("outage_connections", outageConnections);
            s.put("outage_warmup_s", outageWarmup.toMillis() / 1000.0);
            s.put("outage_before_s", before.toMillis() / 1000.0);
            s.put("outage_down_s", outage.toMillis() / 1000.0);
            s.put("outage_after_s", after.toMillis() / 1000.0);
            s.put("outage_request_timeout_s", requestTimeout.toMillis() / 1000.0);
            s.put("load_threads", threads);
            s.put("revocation_trials", revocations);
            return s;
        }
    }

    Plan plan() {
        List<String> known = List.of(PROPAGATION, THROUGHPUT, OUTAGE, REVOCATION);
        for (String part : parts) {
            if (!known.contains(part)) {
                throw new CommandLine.ParameterException(
                        new CommandLine(this),
                        "--parts: " + part + " (expected: some of " + String.join(", ", known) + ")");
            }
        }
        if (pollIntervalMicros < 0 || pollIntervalMicros > 1000) {
            throw new CommandLine.ParameterException(
                    new CommandLine(this), "--poll-interval-us: " + pollIntervalMicros + " (expected: 0 to 1000)");
        }
        return new Plan(
                known.stream().filter(parts::contains).toList(),
                positive("--trials", trials, quick ? 20 : 200),
                quick ? 2 : 50,
                seconds("--propagation-limit", propagationLimit, quick ? 15 : 60),
                seconds("--trial-timeout", trialTimeout, 0),
                Duration.ofNanos(pollIntervalMicros * 1000),
                positive("--gateways", gatewayCount, 0),
                positive("--connections", connections, 0),
                seconds("--duration", duration, quick ? 1 : 4),
                seconds("--warmup", warmup, quick ? 1 : 30),
                positive("--rounds", rounds, quick ? 1 : 4),
                positive("--outage-connections", outageConnections, 0),
                Duration.ofSeconds(quick ? 1 : 6),
                seconds("--before", before, quick ? 2 : 5),
                seconds("--outage", outage, quick ? 4 : 10),
                seconds("--after", after, quick ? 3 : 10),
                seconds("--request-timeout", requestTimeout, 0),
                positive("--threads", threads, 0),
                positive("--revocations", revocations, quick ? 5 : 20),
                quick ? 1 : 3);
    }

    private Duration seconds(String option, Double value, double fallback) {
        return OptionChecks.seconds(this, option, value, fallback);
    }

    private int positive(String option, Integer value, int fallback) {
        return OptionChecks.positive(this, option, value, fallback);
    }

    @Override
    public Integer call() throws Exception {
        Plan plan = plan();
        try {
            RedisProcess.executable();
        } catch (java.io.IOException e) {
            System.err.println("ferry bench cluster: " + e.getMessage());
            return 1;
        }
        Path root = BenchMain.root();
        Path dir = BenchMain.resultsDir(out, "cluster");
        Path logs = dir.resolve("logs");
        Files.createDirectories(logs);
        long began = System.nanoTime();
        ClusterReport report = new ClusterReport(
                List.of(PROPAGATION, THROUGHPUT, OUTAGE, REVOCATION), Machine.describe(), plan.settings());
        report.line("# ferry bench cluster");
        report.line("");
        report.line(Machine.clusterLine("Ferry"));
        String loadBefore = loadAverage();
        EventLoopGroup group = ClientTransport.group(plan.threads());
        List<EventLoop> loops = loops(group);
        try (RedisProcess redis = RedisProcess.start(dir.resolve("redis"), logs.resolve("redis.log"))) {
            System.err.println("bench: " + redis);
            if (plan.has(PROPAGATION) || plan.has(OUTAGE) || plan.has(REVOCATION)) {
                clusterParts(plan, root, logs, redis, loops, report);
            }
            if (plan.has(THROUGHPUT)) {
                throughput(plan, root, logs, redis, loops, report);
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
        }
        double seconds = (System.nanoTime() - began) / 1e9;
        report.put("run_seconds", Math.round(seconds * 10) / 10.0);
        String loadAfter = loadAverage();
        report.put("load_average_before", loadBefore);
        report.put("load_average_after", loadAfter);
        report.footer("Load average (1, 5, 15 min) before the run: " + loadBefore + "; after it: " + loadAfter
                + " (its own included)."
                + (busy(loadBefore)
                        ? " A load above the CPU count before the run may mean other work competed with it (or only a"
                                + " virtual machine's reckoning of load): check with top before trusting small differences."
                        : ""));
        report.footer("");
        report.footer(String.format(java.util.Locale.ROOT, "Whole run: %.0f s.", seconds));
        report.write(dir);
        System.out.println(report.markdown());
        report.goals().forEach(System.out::println);
        System.out.println();
        System.out.println("summary: " + dir.resolve("summary.md"));
        System.out.println("json:    " + dir.resolve("cluster.json"));
        return 0;
    }

    /** Whether a 1-minute load average is above half the CPUs: something else is running. */
    static boolean busy(String loadAverage) {
        try {
            return Double.parseDouble(loadAverage.split(" ")[0])
                    > Runtime.getRuntime().availableProcessors() / 2.0;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** The first three fields of /proc/loadavg; "unknown" elsewhere. */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).strip().split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (java.io.IOException | RuntimeException e) {
            return "unknown";
        }
    }

    // ---- parts 1 and 3: the cluster ----

    private static void clusterParts(
            Plan plan, Path root, Path logs, RedisProcess redis, List<EventLoop> loops, ClusterReport report)
            throws Exception {
        System.err.println("bench: starting the cluster: controller, worker, " + plan.gateways() + " gateways");
        long t = System.nanoTime();
        try (ClusterNodes nodes = ClusterNodes.start(root, logs, redis.url(), plan.gateways())) {
            nodes.deployExamples();
            for (ClusterNodes.Gateway g : nodes.gateways()) {
                long nanos = OneShot.time(
                        loops.get(0), g.httpPort(), hello(g.httpPort()), OneShot.Until.RESPONSE_END, ONE_SHOT_TIMEOUT);
                System.err.printf("bench: first hello through %s: %.0f ms%n", g.id(), nanos / 1e6);
            }
            System.err.printf(
                    "bench: cluster up, examples deployed and warm in %.1f s: %s%n",
                    (System.nanoTime() - t) / 1e9, nodes);
            if (plan.has(REVOCATION)) { // before the outage, on a cluster that has not lost its store
                revocation(plan, nodes, report);
            }
            try (RoutePropagation propagation =
                    new RoutePropagation(nodes.gateways(), plan.pollInterval(), plan.trialTimeout())) {
                if (plan.has(PROPAGATION)) {
                    propagation(plan, nodes, propagation, report);
                }
                if (plan.has(OUTAGE)) {
                    outage(plan, nodes, redis, propagation, loops, report);
                }
            }
            System.err.println("bench: stopping the cluster");
        }
    }

    private static Target.Route hello(int port) {
        return new Target.Route(HELLO + ".localhost:" + port, "/");
    }

    private static void propagation(Plan plan, ClusterNodes nodes, RoutePropagation propagation, ClusterReport report)
            throws Exception {
        System.err.printf(
                "bench: route propagation: up to %d trials or %d s%n",
                plan.trials(), plan.propagationLimit().toSeconds());
        // Unrecorded trials first: the admin API, the store and the gateways' 404 and 200 paths
        // run interpreted at first, and those trials would measure the JIT, not the feed.
        for (int i = 0; i < plan.warmupTrials(); i++) {
            propagation.trial(nodes, "warmup" + i + ".bench.test", HELLO);
        }
        RoutePropagation.Results r = propagation.run(nodes, HELLO, "r", plan.trials(), plan.propagationLimit());

        Map<String, Object> json = new LinkedHashMap<>();
        json.put("trials", r.trials);
        json.put("trials_planned", plan.trials());
        json.put("seconds", Math.round(r.seconds * 10) / 10.0);
        json.put("failed_puts", r.failedPuts);
        json.put("put_round_trip", ClusterReport.percentiles(r.put));
        json.put("all_gateways_from_put", ClusterReport.percentiles(r.allGateways));
        json.put("any_gateway_from_put", ClusterReport.percentiles(r.anyGateway));
        Map<String, Object> perGateway = new LinkedHashMap<>();
        for (String id : r.fromPut.keySet()) {
            Map<String, Object> g = new LinkedHashMap<>();
            g.put("from_put", ClusterReport.percentiles(r.fromPut.get(id)));
            g.put("from_put_answer", ClusterReport.percentiles(r.fromAnswer.get(id)));
            g.put("served_before_put_answered", r.beforeAnswer.get(id));
            g.put("missed", r.missed.get(id));
            g.put("polls", r.polls.get(id));
            g.put(
                    "mean_poll_interval_us",
                    r.polls.get(id) == 0 ? null : Math.round(r.pollingNanos.get(id) / 1000.0 / r.polls.get(id)));
            g.put("other_statuses", r.otherStatuses.get(id));
            g.put("io_errors", r.ioErrors.get(id));
            perGateway.put(id, g);
            report.histogram("propagation-" + id, r.fromPut.get(id));
        }
        json.put("per_gateway", perGateway);
        json.put("problems", r.problems);
        report.put(PROPAGATION, json);
        report.histogram("propagation-all-gateways", r.allGateways);

        report.line(PROPAGATION, "");
        report.line(PROPAGATION, "## 1. Route propagation to " + r.fromPut.size() + " gateways");
        report.line(PROPAGATION, "");
        report.line(
                PROPAGATION,
                String.format(
                        java.util.Locale.ROOT,
                        "%d trials in %.1f s (of %d planned): PUT /v1/routes/r<i>.bench.test → %s on the controller, while one poller per "
                                + "gateway GETs that host on a keep-alive connection (≤ %d µs between requests) until it answers 200; the "
                                + "gateway was reached when the request that got the 200 was sent. Delays in ms, from just before the PUT was sent; \"from answer\" counts from the PUT's answer (0 when the "
                                + "gateway served the route first).",
                        r.trials,
                        r.seconds,
                        plan.trials(),
                        HELLO,
                        plan.pollInterval().toNanos() / 1000));
        report.line(PROPAGATION, "");
        report.line(
                PROPAGATION,
                "| delay (ms) | p50 | p90 | p99 | max | trials | missed (> "
                        + plan.trialTimeout().toSeconds() + " s) |");
        report.line(PROPAGATION, "|---|---|---|---|---|---|---|");
        for (String id : r.fromPut.keySet()) {
            row(report, id + ", from PUT", r.fromPut.get(id));
            row(report, id + ", from answer", r.fromAnswer.get(id));
        }
        row(report, "any gateway (pooled)", r.anyGateway);
        row(report, "all gateways (slowest per trial)", r.allGateways);
        row(report, "PUT round trip", r.put);
        List<String> intervals = new ArrayList<>();
        for (String id : r.fromPut.keySet()) {
            long polls = r.polls.get(id);
            intervals.add(id + " "
                    + (polls == 0 ? "–" : ClusterReport.fmt(r.pollingNanos.get(id) / 1000.0 / polls, 0) + " µs"));
        }
        report.line(PROPAGATION, "");
        report.line(
                PROPAGATION,
                "Mean time between a poller's requests (the measure's resolution): " + String.join(", ", intervals)
                        + ".");
        if (r.failedPuts > 0 || !r.problems.isEmpty()) {
            report.line(PROPAGATION, "");
            report.line(PROPAGATION, "Problems (" + r.failedPuts + " PUTs refused): " + String.join("; ", r.problems));
        }
        double p99 = r.allGateways.count() == 0 ? Double.NaN : r.allGateways.percentileMicros(99);
        long missed = r.allGateways.errors();
        report.goal(
                "route change reaches every gateway, p99 < 100 ms",
                missed == 0 && r.failedPuts == 0 && p99 < 100_000,
                "p99 " + ClusterReport.fmtMs(p99) + " ms over " + r.trials + " trials, " + missed + " missed, "
                        + r.failedPuts + " PUTs refused");
        System.err.printf(
                "bench: route propagation: %d trials, all gateways p50 %s ms, p99 %s ms, max %s ms, %d missed%n",
                r.trials,
                ClusterReport.fmtMs(r.allGateways.percentileMicros(50)),
                ClusterReport.fmtMs(p99),
                ClusterReport.fmtMs(r.allGateways.maxMicros()),
                missed);
    }

    private static void revocation(Plan plan, ClusterNodes nodes, ClusterReport report) throws Exception {
        System.err.printf(
                "bench: token revocation: whoami through each gateway, then up to %d trials or %d s%n",
                plan.revocations(), plan.propagationLimit().toSeconds());
        RevocationPropagation.prime(nodes, ONE_SHOT_TIMEOUT);
        RevocationPropagation.Results r;
        try (RevocationPropagation revocation =
                new RevocationPropagation(nodes.gateways(), plan.pollInterval(), plan.trialTimeout())) {
            // Unrecorded trials first, as for the routes: the paths run interpreted at first.
            revocation.run(nodes, "bench-revoke-warmup-", plan.revocationWarmups(), plan.propagationLimit());
            r = revocation.run(nodes, "bench-revoke-", plan.revocations(), plan.propagationLimit());
        }

        Map<String, Object> json = new LinkedHashMap<>();
        json.put("trials", r.trials);
        json.put("trials_planned", plan.revocations());
        json.put("seconds", Math.round(r.seconds * 10) / 10.0);
        json.put("not_ready", r.notReady);
        json.put("failed_deletes", r.failedDeletes);
        json.put("delete_round_trip", ClusterReport.percentiles(r.delete));
        json.put("all_gateways_from_delete", ClusterReport.percentiles(r.allGateways));
        Map<String, Object> perGateway = new LinkedHashMap<>();
        for (String id : r.fromDelete.keySet()) {
            Map<String, Object> g = new LinkedHashMap<>();
            g.put("from_delete", ClusterReport.percentiles(r.fromDelete.get(id)));
            g.put("from_delete_answer", ClusterReport.percentiles(r.fromAnswer.get(id)));
            g.put("refused_before_delete_answered", r.beforeAnswer.get(id));
            g.put("missed", r.missed.get(id));
            g.put("polls", r.polls.get(id));
            g.put(
                    "mean_poll_interval_us",
                    r.polls.get(id) == 0 ? null : Math.round(r.pollingNanos.get(id) / 1000.0 / r.polls.get(id)));
            g.put("other_statuses", r.otherStatuses.get(id));
            g.put("io_errors", r.ioErrors.get(id));
            perGateway.put(id, g);
            report.histogram("revocation-" + id, r.fromDelete.get(id));
        }
        json.put("per_gateway", perGateway);
        json.put("problems", r.problems);
        report.put(REVOCATION, json);
        report.histogram("revocation-all-gateways", r.allGateways);

        report.line(REVOCATION, "");
        report.line(REVOCATION, "## 4. Token revocation to " + r.fromDelete.size() + " gateways");
        report.line(REVOCATION, "");
        report.line(
                REVOCATION,
                String.format(
                        java.util.Locale.ROOT,
                        "%d trials in %.1f s (of %d planned): a token of scope call is made (POST /v1/tokens) and"
                                + " every gateway answers %s 200 with it; then DELETE /v1/tokens/ID on the controller,"
                                + " while one poller per gateway calls %s with the token on a keep-alive connection"
                                + " (≤ %d µs between requests) until it answers 401; the gateway was reached when the"
                                + " request that got the 401 was sent. Delays in ms, from just before the DELETE was"
                                + " sent; \"from answer\" counts from the DELETE's answer (0 when the gateway refused"
                                + " the token first).",
                        r.trials,
                        r.seconds,
                        plan.revocations(),
                        RevocationPropagation.WHOAMI,
                        RevocationPropagation.WHOAMI,
                        plan.pollInterval().toNanos() / 1000));
        report.line(REVOCATION, "");
        report.line(
                REVOCATION,
                "| delay (ms) | p50 | p90 | p99 | max | trials | missed (> "
                        + plan.trialTimeout().toSeconds() + " s) |");
        report.line(REVOCATION, "|---|---|---|---|---|---|---|");
        for (String id : r.fromDelete.keySet()) {
            row(report, REVOCATION, id + ", from DELETE", r.fromDelete.get(id));
            row(report, REVOCATION, id + ", from answer", r.fromAnswer.get(id));
        }
        row(report, REVOCATION, "all gateways (slowest per trial)", r.allGateways);
        row(report, REVOCATION, "DELETE round trip", r.delete);
        List<String> intervals = new ArrayList<>();
        for (String id : r.fromDelete.keySet()) {
            long polls = r.polls.get(id);
            intervals.add(id + " "
                    + (polls == 0 ? "–" : ClusterReport.fmt(r.pollingNanos.get(id) / 1000.0 / polls, 0) + " µs"));
        }
        report.line(REVOCATION, "");
        report.line(
                REVOCATION,
                "Mean time between a poller's requests (the measure's resolution): " + String.join(", ", intervals)
                        + ".");
        if (r.notReady > 0 || r.failedDeletes > 0 || !r.problems.isEmpty()) {
            report.line(REVOCATION, "");
            report.line(
                    REVOCATION,
                    "Problems (" + r.notReady + " tokens not taken by every gateway, " + r.failedDeletes
                            + " DELETEs refused): " + String.join("; ", r.problems));
        }
        List<String> perGatewayP99 = new ArrayList<>();
        for (String id : r.fromDelete.keySet()) {
            Latencies l = r.fromDelete.get(id);
            perGatewayP99.add(id + " p50 " + ClusterReport.fmtMs(l.count() == 0 ? Double.NaN : l.percentileMicros(50))
                    + " ms, p99 " + ClusterReport.fmtMs(l.count() == 0 ? Double.NaN : l.percentileMicros(99))
                    + " ms, max " + ClusterReport.fmtMs(l.count() == 0 ? Double.NaN : l.maxMicros()) + " ms");
        }
        System.err.printf(
                "bench: token revocation: %d trials, %s; %d missed, %d not ready%n",
                r.trials, String.join("; ", perGatewayP99), r.allGateways.errors(), r.notReady);
    }

    private static void row(ClusterReport report, String label, Latencies l) {
        row(report, PROPAGATION, label, l);
    }

    private static void row(ClusterReport report, String part, String label, Latencies l) {
        boolean any = l.count() > 0;
        report.line(
                part,
                "| " + label + " | " + (any ? ClusterReport.fmtMs(l.percentileMicros(50)) : "–") + " | "
                        + (any ? ClusterReport.fmtMs(l.percentileMicros(90)) : "–") + " | "
                        + (any ? ClusterReport.fmtMs(l.percentileMicros(99)) : "–") + " | "
                        + (any ? ClusterReport.fmtMs(l.maxMicros()) : "–") + " | " + (l.count() + l.errors()) + " | "
                        + l.errors() + " |");
    }

    private static void outage(
            Plan plan,
            ClusterNodes nodes,
            RedisProcess redis,
            RoutePropagation propagation,
            List<EventLoop> loops,
            ClusterReport report)
            throws Exception {
        // A route written before the outage, to check afterwards that it survived.
        nodes.expect200(nodes.route("before-outage.bench.test", HELLO), "PUT /v1/routes/before-outage.bench.test");
        List<PhasedLoad.Endpoint> endpoints = nodes.gateways().stream()
                .map(g -> new PhasedLoad.Endpoint(g.httpPort(), HELLO + ".localhost:" + g.httpPort(), "/"))
                .toList();
        PhasedLoad load = new PhasedLoad(loops, endpoints, plan.outageConnections(), plan.requestTimeout());
        Duration warm = plan.outageWarmup();
        System.err.printf(
                "bench: Redis outage: %d connections through %d gateways, %.0f s warm-up, then %.0f s, Redis down %.0f s, %.0f s%n",
                plan.outageConnections(),
                endpoints.size(),
                seconds(warm),
                seconds(plan.before()),
                seconds(plan.outage()),
                seconds(plan.after()));
        load.start();
        sleepNanos(warm.toNanos());
        load.phase(PhasedLoad.Phase.BEFORE);
        long start = System.nanoTime();
        sleepUntil(start + plan.before().toNanos());
        java.util.SortedMap<String, Long> keysBefore = redis.keys();
        long saveStarted = System.nanoTime();
        load.phase(PhasedLoad.Phase.OUTAGE);
        long killed;
        try {
            redis.saveAndKill();
        } finally {
            killed = System.nanoTime();
        }
        System.err.printf(
                "bench: Redis killed at %.1f s (SAVE and SIGKILL took %.0f ms)%n",
                (killed - start) / 1e9, (killed - saveStarted) / 1e6);
        sleepUntil(saveStarted + plan.outage().toNanos());
        long restarting = System.nanoTime();
        redis.restart();
        long back = System.nanoTime();
        load.phase(PhasedLoad.Phase.AFTER);
        java.util.SortedMap<String, Long> keysAfter = redis.keys();
        System.err.printf(
                "bench: Redis back at %.1f s (restart took %.0f ms, %d keys, %d before)%n",
                (back - start) / 1e9, (back - restarting) / 1e6, keysAfter.size(), keysBefore.size());
        // Keys with a time to live (a leader's lease) may expire while Redis is down; any other lost key is lost data.
        Map<String, Long> lost = new LinkedHashMap<>(keysBefore);
        lost.keySet().removeAll(keysAfter.keySet());
        sleepUntil(back + plan.after().toNanos());
        PhasedLoad.Results r = load.stop();
        long end = System.nanoTime();

        // The control plane afterwards: a new route reaches every gateway, the old one still routes.
        RoutePropagation.Trial check = propagation.trial(nodes, "after-outage.bench.test", HELLO);
        Map<String, String> old = statuses(nodes, "before-outage.bench.test");

        Map<PhasedLoad.Phase, Double> phaseSeconds = new LinkedHashMap<>();
        phaseSeconds.put(PhasedLoad.Phase.BEFORE, (saveStarted - start) / 1e9);
        phaseSeconds.put(PhasedLoad.Phase.OUTAGE, (back - saveStarted) / 1e9);
        phaseSeconds.put(PhasedLoad.Phase.AFTER, (end - back) / 1e9);

        Map<String, Object> json = new LinkedHashMap<>();
        json.put("connections", plan.outageConnections());
        json.put(
                "gateways",
                nodes.gateways().stream().map(ClusterNodes.Gateway::id).toList());
        json.put("redis_down_s", Math.round((back - killed) / 1e6) / 1000.0);
        json.put("redis_restart_ms", Math.round((back - restarting) / 1e5) / 10.0);
        json.put("keys_before_kill", keysBefore.size());
        json.put("keys_after_restart", keysAfter.size());
        json.put("keys_lost_with_ttl_ms_before_kill", lost);
        json.put("requests", r.total());
        json.put("failed", r.failedTotal());
        Map<String, Object> phases = new LinkedHashMap<>();
        for (var e : phaseSeconds.entrySet()) {
            Latencies l = r.latencies.get(e.getKey());
            Map<String, Object> p = new LinkedHashMap<>(ClusterReport.percentiles(l));
            p.put("failed", r.failed.get(e.getKey()));
            p.put("seconds", Math.round(e.getValue() * 1000) / 1000.0);
            p.put("ok_per_second", Math.round(l.count() / e.getValue()));
            phases.put(e.getKey().name().toLowerCase(), p);
        }
        json.put("phases", phases);
        json.put("failures", r.failures);
        json.put("failure_samples", r.samples);
        List<Map<String, Object>> timeline = new ArrayList<>();
        for (int s = 0; s < r.timeline.size(); s++) {
            Map<String, Object> point = new LinkedHashMap<>();
            point.put("second", s);
            point.put("ok", r.timeline.get(s)[0]);
            point.put("failed", r.timeline.get(s)[1]);
            timeline.add(point);
        }
        json.put("timeline", timeline);
        json.put("after_outage_new_route", trialJson(nodes, check));
        json.put("after_outage_route_from_before", old);
        report.put(OUTAGE, json);

        report.line(OUTAGE, "");
        report.line(OUTAGE, "## 3. Redis outage under load");
        report.line(OUTAGE, "");
        report.line(
                OUTAGE,
                String.format(
                        java.util.Locale.ROOT,
                        "%d keep-alive connections call %s through %d gateways in a closed loop. Redis is killed (SAVE, then SIGKILL) "
                                + "after %.1f s and started again on the same port with its data (%d keys before, %d after%s) %.1f s later; "
                                + "the load goes on %.1f s more. A request fails on a status other than 200, a broken connection or no answer in %.0f s.",
                        plan.outageConnections(),
                        HELLO,
                        endpoints.size(),
                        phaseSeconds.get(PhasedLoad.Phase.BEFORE),
                        keysBefore.size(),
                        keysAfter.size(),
                        lost.isEmpty() ? "" : "; gone: " + describeLost(lost),
                        (back - killed) / 1e9,
                        phaseSeconds.get(PhasedLoad.Phase.AFTER),
                        seconds(plan.requestTimeout())));
        report.line(OUTAGE, "");
        report.line(OUTAGE, "| phase | seconds | ok | failed | ok req/s | p50 ms | p99 ms | max ms |");
        report.line(OUTAGE, "|---|---|---|---|---|---|---|---|");
        for (var e : phaseSeconds.entrySet()) {
            Latencies l = r.latencies.get(e.getKey());
            report.line(
                    OUTAGE,
                    "| " + e.getKey().name().toLowerCase() + " | " + ClusterReport.fmt(e.getValue(), 1) + " | "
                            + l.count() + " | "
                            + r.failed.get(e.getKey()) + " | " + ClusterReport.fmt(l.count() / e.getValue(), 0) + " | "
                            + (l.count() > 0 ? ClusterReport.fmtMs(l.percentileMicros(50)) : "–") + " | "
                            + (l.count() > 0 ? ClusterReport.fmtMs(l.percentileMicros(99)) : "–") + " | "
                            + (l.count() > 0 ? ClusterReport.fmtMs(l.maxMicros()) : "–") + " |");
        }
        report.line(OUTAGE, "");
        report.line(
                OUTAGE,
                "Failed: " + r.failedTotal() + " of " + r.total() + " requests"
                        + (r.failures.isEmpty()
                                ? "."
                                : ": " + r.failures + "; first: " + String.join("; ", r.samples)));
        report.line(
                OUTAGE,
                "After the outage: a new route reached " + describeTrial(nodes, check)
                        + "; a route written before it answers " + old + ".");
        report.goal(
                "no failed request while Redis is down for " + ClusterReport.fmt((back - killed) / 1e9, 1) + " s",
                r.failedTotal() == 0 && r.total() > 0,
                r.failedTotal() + " failed of " + r.total());
        System.err.printf(
                "bench: Redis outage: %d failed of %d requests%s%n",
                r.failedTotal(), r.total(), r.failures.isEmpty() ? "" : " " + r.failures);
    }

    private static String describeLost(Map<String, Long> lost) {
        List<String> keys = new ArrayList<>();
        lost.forEach((key, ttl) ->
                keys.add(key + (ttl >= 0 ? " (" + ttl + " ms to live at the kill: expired)" : " (no TTL: LOST DATA)")));
        return String.join(", ", keys);
    }

    /** What each gateway answers a GET for {@code host} now: a status, or the I/O error. */
    private static Map<String, String> statuses(ClusterNodes nodes, String host) {
        Map<String, String> statuses = new LinkedHashMap<>();
        byte[] request = BlockingHttp.get(host, "/");
        for (ClusterNodes.Gateway g : nodes.gateways()) {
            try (BlockingHttp http = new BlockingHttp(g.httpPort())) {
                statuses.put(g.id(), Integer.toString(http.send(request)));
            } catch (java.io.IOException e) {
                statuses.put(g.id(), e.toString());
            }
        }
        return statuses;
    }

    private static Map<String, Object> trialJson(ClusterNodes nodes, RoutePropagation.Trial trial) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("host", trial.host());
        m.put("put_status", trial.putStatus());
        for (int i = 0; i < trial.seen().size(); i++) {
            GatewayPoller.Seen seen = trial.seen().get(i);
            m.put(
                    nodes.gateways().get(i).id() + "_ms",
                    seen.ok() ? ClusterReport.ms((seen.okNanos() - trial.putSent()) / 1000.0) : null);
        }
        return m;
    }

    private static String describeTrial(ClusterNodes nodes, RoutePropagation.Trial trial) {
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < trial.seen().size(); i++) {
            GatewayPoller.Seen seen = trial.seen().get(i);
            parts.add(nodes.gateways().get(i).id() + " "
                    + (seen.ok()
                            ? "in " + ClusterReport.fmtMs((seen.okNanos() - trial.putSent()) / 1000.0) + " ms"
                            : "NEVER (" + seen.lastProblem() + ")"));
        }
        return (trial.putStatus() == 200 ? "" : "PUT " + trial.putStatus() + " " + trial.putBody() + ", ")
                + String.join(", ", parts);
    }

    // ---- part 2: the store's cost on the request path ----

    private static void throughput(
            Plan plan, Path root, Path logs, RedisProcess redis, List<EventLoop> loops, ClusterReport report)
            throws Exception {
        System.err.println("bench: throughput: starting ferry dev on the in-memory store, then on Redis");
        Map<String, FerryTarget> targets = new LinkedHashMap<>();
        try {
            targets.put("memory", FerryTarget.start(root, logs.resolve("dev-memory")));
            targets.put(
                    "redis",
                    FerryTarget.start(
                            root,
                            logs.resolve("dev-redis"),
                            List.of("--redis", redis.url(), "--cluster", "bench-dev")));
            for (var e : targets.entrySet()) {
                Target.Route route = e.getValue().route(Target.Endpoint.HELLO).orElseThrow();
                OneShot.time(
                        loops.get(0),
                        e.getValue().port(Target.Protocol.HTTP_1_1),
                        route,
                        OneShot.Until.RESPONSE_END,
                        ONE_SHOT_TIMEOUT);
                LoadDriver.Result r = closed(plan, e.getValue(), loops, plan.warmup());
                System.err.printf(
                        "bench: throughput warm-up %s: %s req/s%n",
                        e.getKey(), ClusterReport.fmt(r.requestsPerSecond(), 0));
            }
            Map<String, List<Double>> rates = new LinkedHashMap<>();
            Map<String, Latencies> latencies = new LinkedHashMap<>();
            Map<String, Long> errors = new LinkedHashMap<>();
            List<Map<String, Object>> runs = new ArrayList<>();
            List<String> names = new ArrayList<>(targets.keySet());
            for (int round = 1; round <= plan.rounds(); round++) {
                List<String> order = round % 2 == 1 ? names : names.reversed();
                for (String name : order) {
                    LoadDriver.Result r = closed(plan, targets.get(name), loops, plan.duration());
                    rates.computeIfAbsent(name, k -> new ArrayList<>()).add(r.requestsPerSecond());
                    latencies.computeIfAbsent(name, k -> new Latencies()).add(r.latencies());
                    errors.merge(name, r.latencies().errors(), Long::sum);
                    Map<String, Object> run = new LinkedHashMap<>();
                    run.put("round", round);
                    run.put("store", name);
                    run.put("requests_per_second", Math.round(r.requestsPerSecond()));
                    run.put("p50_ms", ClusterReport.ms(r.latencies().percentileMicros(50)));
                    run.put("p99_ms", ClusterReport.ms(r.latencies().percentileMicros(99)));
                    run.put("failed", r.latencies().errors());
                    runs.add(run);
                    System.err.printf(
                            "bench: throughput %s round %d: %s req/s, p50 %s ms, p99 %s ms%s%n",
                            name,
                            round,
                            ClusterReport.fmt(r.requestsPerSecond(), 0),
                            ClusterReport.fmtMs(r.latencies().percentileMicros(50)),
                            ClusterReport.fmtMs(r.latencies().percentileMicros(99)),
                            r.latencies().errors() > 0 ? ", " + r.latencies().errors() + " failed" : "");
                }
            }
            double memory = Ratios.median(rates.get("memory"));
            double onRedis = Ratios.median(rates.get("redis"));
            double ratio = onRedis / memory;
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("connections", plan.connections());
            json.put("runs", runs);
            for (String name : names) {
                Map<String, Object> s = new LinkedHashMap<>(ClusterReport.percentiles(latencies.get(name)));
                s.put("median_requests_per_second", Math.round(Ratios.median(rates.get(name))));
                s.put("failed", errors.get(name));
                json.put(name, s);
            }
            json.put("ratio_redis_to_memory", Double.isFinite(ratio) ? Math.round(ratio * 1000) / 1000.0 : null);
            report.put(THROUGHPUT, json);

            report.line(THROUGHPUT, "");
            report.line(THROUGHPUT, "## 2. hello throughput: Redis store against in-memory store");
            report.line(THROUGHPUT, "");
            report.line(
                    THROUGHPUT,
                    String.format(
                            java.util.Locale.ROOT,
                            "`ferry dev` (gateway, controller and worker in one process, hello in a container process) on each store, "
                                    + "closed loop over %d HTTP/1.1 keep-alive connections, %d round(s) of %.1f s taking turns, after %.1f s of "
                                    + "warm-up each. Medians of rounds; latencies pooled over rounds.",
                            plan.connections(),
                            plan.rounds(),
                            seconds(plan.duration()),
                            seconds(plan.warmup())));
            report.line(THROUGHPUT, "");
            report.line(THROUGHPUT, "| store | req/s | p50 ms | p99 ms | failed |");
            report.line(THROUGHPUT, "|---|---|---|---|---|");
            for (String name : names) {
                Latencies l = latencies.get(name);
                report.line(
                        THROUGHPUT,
                        "| " + name + " | " + ClusterReport.fmt(Ratios.median(rates.get(name)), 0) + " | "
                                + ClusterReport.fmtMs(l.percentileMicros(50)) + " | "
                                + ClusterReport.fmtMs(l.percentileMicros(99)) + " | "
                                + errors.get(name) + " |");
            }
            report.line(THROUGHPUT, "");
            report.line(THROUGHPUT, "Redis / in-memory: " + ClusterReport.fmt(ratio, 3) + ".");
            report.goal(
                    "hello's throughput on Redis ≈ in-memory (ratio within 0.9–1.1)",
                    ratio >= 0.9 && ratio <= 1.1,
                    "ratio " + ClusterReport.fmt(ratio, 3) + ": " + ClusterReport.fmt(onRedis, 0) + " against "
                            + ClusterReport.fmt(memory, 0) + " req/s");
        } finally {
            try {
                Processes.stopAll(List.copyOf(targets.values()));
            } catch (RuntimeException e) {
                // The figures are taken: report them, and say what could not be stopped.
                System.err.println("bench: stopping ferry dev: " + e.getMessage());
            }
        }
    }

    private static LoadDriver.Result closed(Plan plan, FerryTarget target, List<EventLoop> loops, Duration duration)
            throws Exception {
        Target.Route route = target.route(Target.Endpoint.HELLO).orElseThrow();
        int port = target.port(Target.Protocol.HTTP_1_1);
        List<LoadClient> clients = new ArrayList<>();
        try {
            int lanes = Math.min(loops.size(), plan.connections());
            for (int i = 0; i < lanes; i++) {
                int share = plan.connections() / lanes + (i < plan.connections() % lanes ? 1 : 0);
                clients.add(new Http1LoadClient(loops.get(i), port, route, share));
            }
            return LoadDriver.closedLoop(clients, loops.subList(0, clients.size()), duration);
        } finally {
            clients.forEach(LoadClient::close);
        }
    }

    // ---- helpers ----

    private static List<EventLoop> loops(EventLoopGroup group) {
        List<EventLoop> loops = new ArrayList<>();
        for (EventExecutor executor : group) {
            loops.add((EventLoop) executor);
        }
        return loops;
    }

    private static double seconds(Duration d) {
        return d.toNanos() / 1e9;
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        sleepNanos(nanoTime - System.nanoTime());
    }

    private static void sleepNanos(long nanos) throws InterruptedException {
        if (nanos > 0) {
            TimeUnit.NANOSECONDS.sleep(nanos);
        }
    }
}
