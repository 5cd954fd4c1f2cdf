package dev.ferry.perf.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ferry bench soak}: one controller, one worker and one gateway as separate processes on
 * a redis-server of the bench's own, under the chaos bench's steady mixed traffic
 * ({@link ChaosTraffic}: hello, 2 s slow calls, SSE streams, WebSockets) for a long time, with
 * a rolling redeploy of the example app (every function of the traffic) at a fixed interval.
 * Meanwhile {@link SoakSampler} samples the resident set, open descriptors and threads of every
 * process; {@link SoakAnalysis} reports each role's slope per hour after the warm-up, every
 * failed call by kind and cause, and latency per interval.
 *
 * <p>One of each role, not the chaos bench's two: the soak looks for growth over time in
 * each process, not for failover, and on a small machine three JVMs fewer leave the CPUs to
 * the traffic and the containers; one gateway also sees all of the traffic.
 *
 * <p>The run's clock starts once every kind of call has succeeded once (the functions' first
 * containers started): calls before that are reported apart, as priming.
 */
@Command(
        name = "soak",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = "Runs steady mixed traffic (hello, slow, SSE, WebSocket) through a cluster of one controller,"
                + " one worker and one gateway on Redis for a long time, redeploying the functions at a fixed"
                + " interval, and reports failed calls and the slope over time of each process's resident set,"
                + " open file descriptors and threads (gateway, worker, controller, containers).")
public final class SoakBench implements Callable<Integer> {

    private static final String WORKER = "worker";
    private static final String CONTROLLER = "controller";
    private static final Duration PRIMING_LIMIT = Duration.ofSeconds(90);

    @Option(
            names = "--quick",
            description = "A short run (under a minute on 2 quiet cores): 36 s, a redeploy every 12 s, a sample every"
                    + " 1 s, lower rates.")
    boolean quick;

    @Option(
            names = "--duration",
            paramLabel = "TIME",
            converter = DurationText.class,
            description = "How long the traffic runs, such as 30m, 45s, 1h (default: 30m; quick: 36s).")
    Duration duration;

    @Option(
            names = "--redeploy-every",
            paramLabel = "TIME",
            converter = DurationText.class,
            description = "A rolling redeploy of the example app this often (default: 5m; quick: 12s).")
    Duration redeployEvery;

    @Option(
            names = "--sample-every",
            paramLabel = "TIME",
            converter = DurationText.class,
            description = "Sample every process this often (default: 5s; quick: 1s).")
    Duration sampleEvery;

    @Option(
            names = "--warmup",
            paramLabel = "TIME",
            converter = DurationText.class,
            description = "Samples left out of the slopes, from the start (default: the first redeploy interval, at"
                    + " most half the run).")
    Duration warmup;

    @Option(
            names = "--hello-rate",
            paramLabel = "PER_SECOND",
            description = "hello calls per second (default: 20; quick: 10).")
    Double helloRate;

    @Option(
            names = "--stream-rate",
            paramLabel = "PER_SECOND",
            description = "slow calls, SSE streams and WebSockets per second, each (default: 1; quick: 0.5).")
    Double streamRate;

    @Option(
            names = "--threads",
            defaultValue = "2",
            description = "Load generator threads (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(
            names = "--out",
            paramLabel = "DIR",
            description = "Where to write the report (default: perf/results/<timestamp>-soak).")
    Path out;

    /** What to run and how long, after defaults and checks. */
    record Plan(
            Duration duration,
            Duration redeployEvery,
            Duration sampleEvery,
            Duration warmup,
            double helloRate,
            double streamRate,
            int threads) {

        Map<String, Object> settings() {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("duration_s", duration.toMillis() / 1000.0);
            s.put("redeploy_every_s", redeployEvery.toMillis() / 1000.0);
            s.put("sample_every_s", sampleEvery.toMillis() / 1000.0);
            s.put("warmup_s", warmup.toMillis() / 1000.0);
            s.put("hello_per_s", helloRate);
            s.put("slow_sse_ws_per_s_each", streamRate);
            s.put("load_threads", threads);
            s.put("growing_if_fit_grows_by_more_than_share_of_mean", SoakAnalysis.GROWING_SHARE);
            return s;
        }
    }

    Plan plan() {
        Duration d = duration != null ? duration : quick ? Duration.ofSeconds(36) : Duration.ofMinutes(30);
        Duration every = redeployEvery != null ? redeployEvery : quick ? Duration.ofSeconds(12) : Duration.ofMinutes(5);
        Duration sample = sampleEvery != null ? sampleEvery : Duration.ofSeconds(quick ? 1 : 5);
        if (sample.compareTo(d) >= 0) {
            throw new CommandLine.ParameterException(
                    new CommandLine(this),
                    "--sample-every: " + DurationText.format(sample) + " (expected: shorter than --duration, "
                            + DurationText.format(d) + ")");
        }
        Duration w = warmup != null ? warmup : min(every, d.dividedBy(2));
        if (w.compareTo(d) >= 0) {
            throw new CommandLine.ParameterException(
                    new CommandLine(this),
                    "--warmup: " + DurationText.format(w) + " (expected: shorter than --duration, "
                            + DurationText.format(d) + ")");
        }
        return new Plan(
                d,
                every,
                sample,
                w,
                OptionChecks.seconds(this, "--hello-rate", helloRate, quick ? 10 : 20)
                                .toMillis()
                        / 1000.0,
                OptionChecks.seconds(this, "--stream-rate", streamRate, quick ? 0.5 : 1)
                                .toMillis()
                        / 1000.0,
                OptionChecks.positive(this, "--threads", threads, 2));
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    @Override
    public Integer call() throws Exception {
        Plan plan = plan();
        try {
            RedisProcess.executable();
        } catch (IOException e) {
            System.err.println("ferry bench soak: " + e.getMessage());
            return 1;
        }
        Path root = BenchMain.root();
        Path dir = BenchMain.resultsDir(out, "soak");
        Path logs = dir.resolve("logs");
        Files.createDirectories(logs);
        long began = System.nanoTime();
        String loadBefore = ClusterBench.loadAverage();
        List<SoakAnalysis.Redeploy> redeploys = new ArrayList<>();
        List<ChaosTraffic.Outcome> outcomes;
        List<SoakSampler.Row> rows;
        List<SoakSampler.Round> rounds;
        String samplerFailures;
        int unfinished;
        long clusterUp;
        long trafficStart;
        long t0;
        long end;
        EventLoopGroup group = ClientTransport.group(plan.threads());
        try (RedisProcess redis = RedisProcess.start(dir.resolve("redis"), logs.resolve("redis.log"))) {
            System.err.println("bench: " + redis);
            System.err.println("bench: starting the cluster: 1 controller, 1 worker, 1 gateway");
            try (ClusterNodes nodes = ClusterNodes.start(root, logs, redis.url(), 1, List.of(WORKER), 1)) {
                nodes.deployExamples();
                System.err.println("bench: cluster up, examples deployed: " + nodes);
                clusterUp = System.nanoTime();
                ChaosTraffic traffic = new ChaosTraffic(group, nodes.gateways());
                SoakSampler sampler = SoakSampler.start(nodes, WORKER, CONTROLLER, plan.sampleEvery());
                try {
                    trafficStart = System.nanoTime();
                    traffic.start(plan.helloRate(), plan.streamRate(), plan.streamRate(), plan.streamRate());
                    t0 = primed(traffic);
                    end = t0 + plan.duration().toNanos();
                    System.err.printf(
                            Locale.ROOT,
                            "bench: every kind of call answered; soaking for %s, a redeploy every %s%n",
                            DurationText.format(plan.duration()),
                            DurationText.format(plan.redeployEvery()));
                    for (long next = t0 + plan.redeployEvery().toNanos();
                            next < end;
                            next += plan.redeployEvery().toNanos()) {
                        sleepUntil(next);
                        redeploys.add(redeploy(nodes, redeploys.size() + 1, t0));
                    }
                    sleepUntil(end);
                } finally {
                    traffic.stop(Duration.ofSeconds(12));
                    sampler.close();
                }
                outcomes = traffic.outcomes();
                unfinished = traffic.inFlight();
                rows = sampler.rows();
                rounds = sampler.rounds();
                samplerFailures = sampler.failures();
                System.err.println("bench: stopping the cluster");
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
        }
        double runSeconds = (System.nanoTime() - began) / 1e9;
        String loadAfter = ClusterBench.loadAverage();

        SoakAnalysis analysis = new SoakAnalysis(
                rows,
                rounds,
                outcomes,
                redeploys,
                t0,
                end,
                t0 + plan.warmup().toNanos(),
                plan.redeployEvery().toNanos());
        List<Map<String, Object>> slopes = analysis.slopes();
        List<String> goals = analysis.goals(slopes);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("machine", Machine.describe());
        json.put("redis", RedisProcess.version());
        json.put("settings", plan.settings());
        json.put("load_average_before", loadBefore);
        json.put("load_average_after", loadAfter);
        json.put("run_seconds", SoakAnalysis.round1(runSeconds));
        // Where a run's time went, for the quick run's budget: start, priming, the soak, the stop.
        Map<String, Object> phases = new LinkedHashMap<>();
        phases.put("redis_and_cluster_start_and_deploy", SoakAnalysis.round1((clusterUp - began) / 1e9));
        phases.put("priming", SoakAnalysis.round1((t0 - trafficStart) / 1e9));
        phases.put("traffic", SoakAnalysis.round1((end - t0) / 1e9));
        phases.put("drain_and_stop", SoakAnalysis.round1(runSeconds - (end - began) / 1e9));
        json.put("phases_s", phases);
        json.put("priming", analysis.priming());
        json.put("calls", analysis.callsByKind());
        json.put("failed", analysis.failedCalls());
        json.put("failures", analysis.failures());
        json.put("calls_unfinished_12_s_after_the_end", unfinished);
        json.put("redeploys", analysis.redeployRows());
        json.put("intervals", analysis.intervals());
        json.put("slopes", slopes);
        json.put("generations", analysis.generations());
        json.put("sample_rounds", rounds.size());
        json.put("sampler_failures", samplerFailures);
        json.put("goals", goals);

        Path csv = dir.resolve("samples.csv");
        writeCsv(csv, rows, analysis);
        String markdown = SoakSummary.markdown(json, plan, loadBefore, loadAfter, runSeconds);
        Files.writeString(dir.resolve("summary.md"), markdown);
        new ObjectMapper()
                .enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(dir.resolve("soak.json").toFile(), json);
        System.out.println(markdown);
        System.out.println("summary: " + dir.resolve("summary.md"));
        System.out.println("json:    " + dir.resolve("soak.json"));
        System.out.println("samples: " + csv);
        return 0;
    }

    /**
     * Waits until every kind of call has succeeded once (each function's first container has
     * started), at most {@link #PRIMING_LIMIT}; returns when (nanoTime), the soak's start.
     */
    private static long primed(ChaosTraffic traffic) throws InterruptedException {
        long deadline = System.nanoTime() + PRIMING_LIMIT.toNanos();
        while (System.nanoTime() < deadline) {
            java.util.Set<ChaosTraffic.Kind> ok = java.util.EnumSet.noneOf(ChaosTraffic.Kind.class);
            traffic.outcomes().stream().filter(ChaosTraffic.Outcome::ok).forEach(o -> ok.add(o.kind()));
            if (ok.size() == ChaosTraffic.Kind.values().length) {
                return System.nanoTime();
            }
            Thread.sleep(100);
        }
        System.err.printf(
                Locale.ROOT,
                "bench: not every kind of call succeeded within %d s; soaking anyway%n",
                PRIMING_LIMIT.toSeconds());
        return System.nanoTime();
    }

    /** A rolling redeploy: the example app's jar POSTed again (a new version of every function), as chaos does. */
    private static SoakAnalysis.Redeploy redeploy(ClusterNodes nodes, int n, long t0) throws InterruptedException {
        long start = System.nanoTime();
        try {
            nodes.deployExamples();
            long done = System.nanoTime();
            String version = appVersion(nodes.view());
            System.err.printf(
                    Locale.ROOT,
                    "bench: redeploy %d at %.0f s: version %s (POST took %.1f s)%n",
                    n,
                    (start - t0) / 1e9,
                    version,
                    (done - start) / 1e9);
            return new SoakAnalysis.Redeploy(start, done, version, null);
        } catch (IOException e) {
            String why = e.getMessage().lines().findFirst().orElse("");
            System.err.println("bench: redeploy " + n + " failed: " + why);
            return new SoakAnalysis.Redeploy(start, System.nanoTime(), "", why);
        }
    }

    private static String appVersion(JsonNode view) {
        for (JsonNode app : view.path("apps")) {
            if (app.path("name").asText().equals(FerryTarget.APP)) {
                return app.path("version").asText();
            }
        }
        return "";
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long left = nanoTime - System.nanoTime();
        if (left > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
    }

    private static void writeCsv(Path csv, List<SoakSampler.Row> rows, SoakAnalysis analysis) throws IOException {
        try (Writer w = Files.newBufferedWriter(csv)) {
            w.write("t_s,role,pid,container,function,version,state,rss_kib,threads,fds,heap_after_gc_kib\n");
            for (SoakSampler.Row r : rows) {
                w.write(String.format(
                        Locale.ROOT,
                        "%.1f,%s,%d,%s,%s,%s,%s,%d,%d,%d,%d%n",
                        analysis.seconds(r.atNanos()),
                        r.role(),
                        r.pid(),
                        r.container(),
                        r.function(),
                        r.version(),
                        r.state(),
                        r.rssKib(),
                        r.threads(),
                        r.fds(),
                        r.heapAfterGcKib()));
            }
        }
    }
}
