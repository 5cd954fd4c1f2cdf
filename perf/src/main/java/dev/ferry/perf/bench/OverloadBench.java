package dev.ferry.perf.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ferry bench overload}: one controller, one worker and one gateway as separate processes
 * on a redis-server of the bench's own, and the {@code slow} example held to a fixed number of
 * containers, each call sleeping a fixed time, so that the function's capacity is bounded (a few
 * hundred calls a second) and ten times it can be offered by a load generator that shares the
 * machine. Then, through the gateway:
 *
 * <ol>
 *   <li>saturation: a closed loop on more connections than the function has slots;</li>
 *   <li>open loop, back to back: half the saturation rate (the baseline), {@code factor} times
 *       it (the overload), half again (the recovery);</li>
 *   <li>slowloris: {@code N} connections that send a request head a byte at a time, while
 *       traffic at half the saturation rate goes on.</li>
 * </ol>
 *
 * <p>The gateway's RSS, heap, file descriptors and threads are sampled throughout
 * ({@link GatewayMemory}). The report gives, per spell, the rate achieved, the admitted calls'
 * latencies, the 503s (with and without Retry-After, and how soon they came), the other errors
 * by kind; the time after the overload until throughput, success and latency are back; and
 * what slowloris did to the normal traffic and the gateway.
 */
@Command(
        name = "overload",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = "Offers a capacity-bounded function 10x its saturation rate through one gateway (a cluster of"
                + " processes on Redis), then half of it, and holds slow-header connections while normal traffic"
                + " goes on; reports the gateway's memory, the 503s, the admitted calls' latencies and the"
                + " recovery.")
public final class OverloadBench implements Callable<Integer> {

    static final String FUNCTION = "slow";
    static final List<String> SPELLS = List.of("baseline", "overload", "recovery", "slowloris");

    /** The memory goal for the gateway, RSS and heap. */
    static final double MEMORY_GOAL_MIB = 1024;

    @Option(
            names = "--quick",
            description = "A short run (under a minute on 2 quiet cores): 10 s of overload, 1,000 slowloris"
                    + " connections.")
    boolean quick;

    @Option(
            names = "--containers",
            paramLabel = "N",
            description = "Containers of the slow function, fixed (min = max) (default: 2).")
    Integer containers;

    @Option(
            names = "--work-ms",
            paramLabel = "MS",
            description = "How long each call sleeps in its container (default: 50).")
    Integer workMs;

    @Option(
            names = "--factor",
            paramLabel = "X",
            description = "The overload, in times the saturation rate (default: 10).")
    Double factor;

    @Option(
            names = "--saturation",
            paramLabel = "SECONDS",
            description = "The closed-loop run that finds the saturation rate (default: 5; quick: 2).")
    Double saturation;

    @Option(
            names = "--baseline",
            paramLabel = "SECONDS",
            description = "Half the saturation rate before the overload (default: 10; quick: 2).")
    Double baseline;

    @Option(names = "--overload", paramLabel = "SECONDS", description = "The overload (default: 60; quick: 10).")
    Double overload;

    @Option(
            names = "--recovery",
            paramLabel = "SECONDS",
            description = "Half the saturation rate after the overload (default: 20; quick: 4).")
    Double recovery;

    @Option(
            names = "--slowloris",
            paramLabel = "N",
            description = "Slow-header connections held open (default: 10000; quick: 1000).")
    Integer slowloris;

    @Option(
            names = "--slowloris-hold",
            paramLabel = "SECONDS",
            description = "Normal traffic while they are open; past the gateway's 30 s head timeout to see its 408s"
                    + " (default: 40; quick: 5).")
    Double slowlorisHold;

    @Option(
            names = "--slowloris-interval",
            paramLabel = "SECONDS",
            description = "Each slow connection sends a byte every 0.5-1 times this (default: 5; quick: 2).")
    Double slowlorisInterval;

    @Option(
            names = "--slowloris-open-rate",
            paramLabel = "PER_SECOND",
            description = "Slow connections opened per second, replacements included (default: 2000).")
    Double slowlorisOpenRate;

    @Option(
            names = "--max-connections",
            paramLabel = "N",
            description = "Connections the normal traffic may open (default: 4000).")
    Integer maxConnections;

    @Option(
            names = "--out",
            paramLabel = "DIR",
            description = "Where to write the report (default: perf/results/<timestamp>-overload).")
    Path out;

    /** What to run and how long, after defaults and checks. */
    record Plan(
            int containers,
            int workMs,
            double factor,
            Duration saturation,
            Duration baseline,
            Duration overload,
            Duration recovery,
            int slowloris,
            Duration slowlorisHold,
            Duration slowlorisInterval,
            double slowlorisOpenRate,
            int maxConnections) {

        Map<String, Object> settings() {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("function", FerryTarget.APP + "--" + FUNCTION);
            s.put("containers", containers);
            s.put("inputs_per_container", 4);
            s.put("work_ms", workMs);
            s.put("factor", factor);
            s.put("saturation_s", seconds(saturation));
            s.put("baseline_s", seconds(baseline));
            s.put("overload_s", seconds(overload));
            s.put("recovery_s", seconds(recovery));
            s.put("slowloris_connections", slowloris);
            s.put("slowloris_hold_s", seconds(slowlorisHold));
            s.put("slowloris_interval_s", seconds(slowlorisInterval));
            s.put("slowloris_open_per_s", slowlorisOpenRate);
            s.put("max_connections", maxConnections);
            return s;
        }
    }

    Plan plan() {
        return new Plan(
                OptionChecks.positive(this, "--containers", containers, 2),
                OptionChecks.positive(this, "--work-ms", workMs, 50),
                number("--factor", factor, 10, 1, 100),
                OptionChecks.seconds(this, "--saturation", saturation, quick ? 2 : 5),
                OptionChecks.seconds(this, "--baseline", baseline, quick ? 2 : 10),
                OptionChecks.seconds(this, "--overload", overload, quick ? 10 : 60),
                OptionChecks.seconds(this, "--recovery", recovery, quick ? 4 : 20),
                OptionChecks.positive(this, "--slowloris", slowloris, quick ? 1000 : 10_000),
                OptionChecks.seconds(this, "--slowloris-hold", slowlorisHold, quick ? 5 : 40),
                OptionChecks.seconds(this, "--slowloris-interval", slowlorisInterval, quick ? 2 : 5),
                number("--slowloris-open-rate", slowlorisOpenRate, 2000, 0, 100_000),
                OptionChecks.positive(this, "--max-connections", maxConnections, 4000));
    }

    /** {@code value} (or {@code fallback}), more than {@code above} and at most {@code most}. */
    private double number(String option, Double value, double fallback, double above, double most) {
        double v = value == null ? fallback : value;
        if (!(v > above) || v > most) {
            throw new picocli.CommandLine.ParameterException(
                    new picocli.CommandLine(this),
                    option + ": " + v + " (expected: > " + above + " and <= " + most + ")");
        }
        return v;
    }

    @Override
    public Integer call() throws Exception {
        Plan plan = plan();
        try {
            RedisProcess.executable();
        } catch (IOException e) {
            System.err.println("ferry bench overload: " + e.getMessage());
            return 1;
        }
        Path root = BenchMain.root();
        Path dir = BenchMain.resultsDir(out, "overload");
        Path logs = dir.resolve("logs");
        Files.createDirectories(logs);
        long began = System.nanoTime();
        String loadBefore = ClusterBench.loadAverage();
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("machine", Machine.describe());
        json.put("redis", RedisProcess.version());
        json.put("settings", plan.settings());
        json.put("load_average_before", loadBefore);

        EventLoopGroup group = ClientTransport.group(2);
        List<EventLoop> loops = new ArrayList<>();
        group.forEach(e -> loops.add((EventLoop) e));
        try (RedisProcess redis = RedisProcess.start(dir.resolve("redis"), logs.resolve("redis.log"))) {
            System.err.println("bench: " + redis);
            try (ClusterNodes nodes = ClusterNodes.start(root, logs, redis.url(), 1)) {
                nodes.deployExamples();
                fixContainers(nodes, plan.containers());
                ClusterNodes.Gateway gateway = nodes.gateways().getFirst();
                System.err.printf(
                        Locale.ROOT, "bench: %s; %d containers of %s ready%n", nodes, plan.containers(), FUNCTION);
                try (GatewayMemory memory =
                        GatewayMemory.start(gateway.process().pid(), Duration.ofMillis(250))) {
                    run(plan, json, gateway, loops, memory);
                    json.put("gateway_heap_problem", memory.heapProblem());
                }
                System.err.println("bench: stopping the cluster");
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
        }
        double runSeconds = (System.nanoTime() - began) / 1e9;
        String loadAfter = ClusterBench.loadAverage();
        json.put("load_average_after", loadAfter);
        json.put("run_seconds", round1(runSeconds));
        List<String> goals = goals(json);
        json.put("goals", goals);
        String markdown = OverloadReport.summary(json);
        Files.writeString(dir.resolve("summary.md"), markdown);
        new ObjectMapper()
                .enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(dir.resolve("overload.json").toFile(), json);
        System.out.println(markdown);
        System.out.println("summary: " + dir.resolve("summary.md"));
        System.out.println("json:    " + dir.resolve("overload.json"));
        return 0;
    }

    private void run(
            Plan plan,
            Map<String, Object> json,
            ClusterNodes.Gateway gateway,
            List<EventLoop> loops,
            GatewayMemory memory)
            throws Exception {
        String host = FerryTarget.APP + "--" + FUNCTION + ".localhost";
        String path = "/?ms=" + plan.workMs();
        int slots = plan.containers() * 4;
        long[] spellStarts = new long[SPELLS.size() + 1];
        try (OverloadTraffic traffic =
                new OverloadTraffic(loops.get(0), gateway.httpPort(), host, path, plan.maxConnections())) {
            // Warm the containers' and gateway's JIT first: a cold start is not the saturation rate.
            traffic.closedLoop(slots * 2, Duration.ofSeconds(1));
            long satStart = System.nanoTime();
            List<OverloadTraffic.Shot> closed = traffic.closedLoop(slots * 2, plan.saturation());
            long satEnd = System.nanoTime();
            long ok = closed.stream().filter(OverloadTraffic.Shot::ok).count();
            double rate = ok / seconds(plan.saturation());
            Map<String, Object> sat = new LinkedHashMap<>();
            sat.put("connections", slots * 2);
            sat.put("slots", slots);
            sat.put("requests", closed.size());
            sat.put("ok", ok);
            sat.put("per_s", round1(rate));
            sat.put("ideal_per_s", round1(slots * 1000.0 / plan.workMs()));
            sat.put(
                    "latency_ms",
                    latencies(closed.stream().filter(OverloadTraffic.Shot::ok).toList(), false));
            sat.put("gateway", memory.peaks(satStart, satEnd));
            json.put("saturation", sat);
            System.err.printf(Locale.ROOT, "bench: saturation %.0f/s (%d slots)%n", rate, slots);
            if (rate < 1) {
                throw new IOException("saturation: " + ok + " calls succeeded in " + seconds(plan.saturation())
                        + " s (expected: some); see the logs in the report's directory");
            }
            double half = rate / 2;
            // A saturation measured on a starved machine can be far below what the containers
            // serve once the load generator waits less: ten times that would be no overload.
            // The slots' own capacity bounds the function's rate from above, whatever the machine.
            double ideal = slots * 1000.0 / plan.workMs();
            double overloadBasis = Math.max(rate, ideal);
            sat.put("overload_basis_per_s", round1(overloadBasis));
            List<OverloadTraffic.Spell> spells = List.of(
                    new OverloadTraffic.Spell(SPELLS.get(0), half, plan.baseline()),
                    new OverloadTraffic.Spell(SPELLS.get(1), overloadBasis * plan.factor(), plan.overload()),
                    new OverloadTraffic.Spell(SPELLS.get(2), half, plan.recovery()));
            System.err.printf(
                    Locale.ROOT,
                    "bench: open loop: %.0f/s for %.0f s, %.0f/s for %.0f s, %.0f/s for %.0f s%n",
                    half,
                    seconds(plan.baseline()),
                    overloadBasis * plan.factor(),
                    seconds(plan.overload()),
                    half,
                    seconds(plan.recovery()));
            List<OverloadTraffic.Shot> shots = traffic.play(spells, (i, at) -> spellStarts[i] = at);
            long openEnd = spellStarts[2] + plan.recovery().toNanos();
            Map<String, Object> phases = new LinkedHashMap<>();
            for (int i = 0; i < spells.size(); i++) {
                long from = spellStarts[i];
                long to = i + 1 < spells.size() ? spellStarts[i + 1] : openEnd;
                Map<String, Object> s = spell(spells.get(i), i, shots, from, to);
                s.put("gateway", memory.peaks(from, to));
                phases.put(spells.get(i).name(), s);
            }
            json.put("spells", phases);
            json.put("recovery", recovery(shots, spellStarts[2], openEnd, phases));
            json.put(
                    "timeline_100ms",
                    timeline(shots, spellStarts[1] - Duration.ofSeconds(1).toNanos(), openEnd));
            System.err.println("bench: overload done; slowloris");

            try (Slowloris loris = new Slowloris(
                    loops.get(1),
                    gateway.httpPort(),
                    plan.slowloris(),
                    plan.slowlorisOpenRate(),
                    plan.slowlorisInterval())) {
                long lorisStart = System.nanoTime();
                loris.start();
                boolean allOpen = loris.awaitOpen(Duration.ofSeconds(60));
                long opened = System.nanoTime();
                System.err.printf(
                        Locale.ROOT,
                        "bench: %d slow connections open%s; normal traffic for %.0f s%n",
                        loris.openNow(),
                        allOpen ? "" : " (not all within 60 s)",
                        seconds(plan.slowlorisHold()));
                long[] start = new long[1];
                OverloadTraffic.Spell normal = new OverloadTraffic.Spell(SPELLS.get(3), half, plan.slowlorisHold());
                List<OverloadTraffic.Shot> during = traffic.play(List.of(normal), (i, at) -> start[0] = at);
                long end = System.nanoTime();
                Map<String, Object> s = new LinkedHashMap<>(loris.stats());
                s.put("all_open", allOpen);
                s.put("ramp_s", round1((opened - lorisStart) / 1e9));
                s.put(
                        "normal_traffic",
                        spell(
                                normal,
                                0,
                                during,
                                start[0],
                                start[0] + plan.slowlorisHold().toNanos()));
                s.put("gateway_while_open", memory.peaks(opened, end));
                s.put("gateway_before", memory.at(lorisStart));
                json.put("slowloris", s);
            }
            json.put("gateway_memory", memory.peaks(satStart, System.nanoTime()));
            json.put("gateway_memory_series", series(memory, satStart));
            json.put("connections_opened_by_the_normal_traffic", traffic.connectionsOpened());
        }
    }

    /** Sets the function's containers to {@code n} and waits, at most 120 s, until that many are ready. */
    private static void fixContainers(ClusterNodes nodes, int n) throws IOException, InterruptedException {
        URI uri = URI.create(nodes.adminUrl() + "/v1/scale/" + FerryTarget.APP + "/" + FUNCTION);
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(uri)
                            .timeout(Duration.ofSeconds(30))
                            .header("Authorization", nodes.adminToken().bearer())
                            .POST(HttpRequest.BodyPublishers.ofString(
                                    "{\"minContainers\": " + n + ", \"maxContainers\": " + n + "}"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            nodes.expect200(r, "POST " + uri);
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (true) {
            List<JsonNode> cs = ChaosBench.containers(nodes.view(), FUNCTION);
            long ready = cs.stream()
                    .filter(c -> c.path("state").asText().equals("READY"))
                    .count();
            if (ready >= n) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("containers of " + FUNCTION + ": " + ready + " ready after 120 s (expected: " + n
                        + "); see the worker's log in the report's directory");
            }
            Thread.sleep(200);
        }
    }

    /** One spell's figures: what was sent and achieved, the admitted, the 503s, the other errors. */
    static Map<String, Object> spell(
            OverloadTraffic.Spell spell, int index, List<OverloadTraffic.Shot> shots, long from, long to) {
        List<OverloadTraffic.Shot> mine =
                shots.stream().filter(s -> s.spell() == index).toList();
        double secs = (to - from) / 1e9;
        long sentIn =
                mine.stream().filter(s -> s.sent() >= from && s.sent() < to).count();
        List<OverloadTraffic.Shot> ok =
                mine.stream().filter(OverloadTraffic.Shot::ok).toList();
        List<OverloadTraffic.Shot> refused =
                mine.stream().filter(s -> s.status() == 503).toList();
        long withRetryAfter =
                refused.stream().filter(OverloadTraffic.Shot::retryAfter).count();
        Map<String, Long> others = new TreeMap<>();
        Map<String, Long> reasons = new TreeMap<>();
        long unsent = 0;
        for (OverloadTraffic.Shot s : mine) {
            if (s.status() == 503) {
                reasons.merge(s.failure(), 1L, Long::sum);
            } else if (OverloadTraffic.UNSENT.equals(s.failure())) {
                unsent++;
            } else if (!s.ok()) {
                others.merge(s.failure() != null ? s.failure() : "status " + s.status(), 1L, Long::sum);
            }
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("offered_per_s", round1(spell.rate()));
        m.put("requests", mine.size());
        m.put("sent_per_s_achieved", round1(sentIn / secs));
        m.put("admitted_2xx", ok.size());
        m.put(
                "2xx_ended_per_s",
                round1(shots.stream()
                                .filter(s -> s.ok() && s.end() >= from && s.end() < to)
                                .count()
                        / secs));
        m.put("admitted_latency_ms", latencies(ok, false));
        m.put("admitted_latency_from_sending_ms", latencies(ok, true));
        m.put("refused_503", refused.size());
        m.put("refused_with_retry_after", withRetryAfter);
        m.put("refused_503_reasons", reasons);
        m.put("retry_after_share", refused.isEmpty() ? null : round3((double) withRetryAfter / refused.size()));
        m.put("time_to_503_ms", latencies(refused, true));
        m.put("time_to_503_from_intended_start_ms", latencies(refused, false));
        m.put("other_errors", others);
        m.put("unsent_generator_limit", unsent);
        return m;
    }

    /** p50, p99 and max in ms of {@code shots}' latencies (from sending, or from the intended start). */
    static Map<String, Object> latencies(List<OverloadTraffic.Shot> shots, boolean fromSending) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (shots.isEmpty()) {
            m.put("count", 0);
            m.put("p50", null);
            m.put("p99", null);
            m.put("max", null);
            return m;
        }
        Histogram h = new Histogram(1, Latencies.HIGHEST_MICROS, 3);
        for (OverloadTraffic.Shot s : shots) {
            long nanos = fromSending ? s.serviceNanos() : s.latencyNanos();
            h.recordValue(Math.min(Latencies.HIGHEST_MICROS, Math.max(1, nanos / 1000)));
        }
        m.put("count", shots.size());
        m.put("p50", round3(h.getValueAtPercentile(50) / 1000.0));
        m.put("p99", round3(h.getValueAtPercentile(99) / 1000.0));
        m.put("max", round3(h.getMaxValue() / 1000.0));
        return m;
    }

    /**
     * Seconds from the overload's end ({@code from}) until, for good within the recovery spell:
     * throughput (2xx completions per 100 ms at least 90% of the offered rate's), success (every
     * request sent succeeded) and latency (every request sent took at most twice the baseline's
     * p99 plus 50 ms). Null: not within the spell (its last second left out, whose calls may
     * still be in flight).
     */
    static Map<String, Object> recovery(
            List<OverloadTraffic.Shot> shots, long from, long to, Map<String, Object> phases) {
        long bucket = Duration.ofMillis(100).toNanos();
        int n = (int) ((to - from) / bucket);
        @SuppressWarnings("unchecked")
        Map<String, Object> base = (Map<String, Object>) phases.get("baseline");
        @SuppressWarnings("unchecked")
        Map<String, Object> baseLatency = (Map<String, Object>) base.get("admitted_latency_ms");
        double baseP99 = baseLatency.get("p99") == null ? 1000 : (Double) baseLatency.get("p99");
        double latencyBound = 2 * baseP99 + 50;
        @SuppressWarnings("unchecked")
        double offered = (Double) ((Map<String, Object>) phases.get("recovery")).get("offered_per_s");
        long[] completions = new long[n];
        boolean[] failedSent = new boolean[n];
        boolean[] slowSent = new boolean[n];
        for (OverloadTraffic.Shot s : shots) {
            if (s.ok() && s.end() >= from && s.end() < to) {
                int b = (int) ((s.end() - from) / bucket);
                if (b < n) {
                    completions[b]++;
                }
            }
            if (s.intended() >= from && s.intended() < to) {
                int b = (int) ((s.intended() - from) / bucket);
                if (b < n) {
                    failedSent[b] |= !s.ok();
                    slowSent[b] |= s.latencyNanos() / 1e6 > latencyBound;
                }
            }
        }
        int usable = Math.max(0, n - 10);
        double perBucket = offered / 10 * 0.9;
        Integer throughput = firstForGood(usable, b -> completions[b] >= Math.floor(perBucket));
        Integer success = firstForGood(usable, b -> !failedSent[b]);
        Integer latency = firstForGood(usable, b -> !slowSent[b]);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("throughput_back_after_s", throughput == null ? null : throughput / 10.0);
        m.put("success_back_after_s", success == null ? null : success / 10.0);
        m.put("latency_back_after_s", latency == null ? null : latency / 10.0);
        m.put("latency_bound_ms", round1(latencyBound));
        m.put("judged_over_s", usable / 10.0);
        return m;
    }

    /** The first of {@code n} buckets from which on each meets {@code good}; null when the last does not. */
    private static Integer firstForGood(int n, java.util.function.IntPredicate good) {
        if (n == 0) {
            return null;
        }
        int first = n;
        for (int b = n - 1; b >= 0 && good.test(b); b--) {
            first = b;
        }
        return first == n ? null : first;
    }

    /** Per 100 ms from {@code from}: sent (by intended start), 2xx and 503 ended, other failures ended. */
    static List<Map<String, Object>> timeline(List<OverloadTraffic.Shot> shots, long from, long to) {
        long bucket = Duration.ofMillis(100).toNanos();
        int n = (int) Math.max(0, (to - from) / bucket);
        long[][] counts = new long[n][4];
        for (OverloadTraffic.Shot s : shots) {
            if (s.intended() >= from && s.intended() < to) {
                counts[(int) Math.min(n - 1, (s.intended() - from) / bucket)][0]++;
            }
            if (s.end() >= from && s.end() < to) {
                long[] c = counts[(int) Math.min(n - 1, (s.end() - from) / bucket)];
                c[s.ok() ? 1 : s.status() == 503 ? 2 : 3]++;
            }
        }
        List<Map<String, Object>> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("t_s", round1(i / 10.0 - 1));
            m.put("sent", counts[i][0]);
            m.put("ok", counts[i][1]);
            m.put("refused_503", counts[i][2]);
            m.put("other", counts[i][3]);
            list.add(m);
        }
        return list;
    }

    /** The memory samples, each second's last, from {@code from}. */
    private static List<Map<String, Object>> series(GatewayMemory memory, long from) {
        Map<Long, GatewayMemory.Sample> perSecond = new TreeMap<>();
        for (GatewayMemory.Sample s : memory.samples()) {
            if (s.nanos() >= from) {
                perSecond.put((s.nanos() - from) / 1_000_000_000L, s);
            }
        }
        List<Map<String, Object>> list = new ArrayList<>();
        for (Iterator<Map.Entry<Long, GatewayMemory.Sample>> it =
                        perSecond.entrySet().iterator();
                it.hasNext(); ) {
            Map.Entry<Long, GatewayMemory.Sample> e = it.next();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("s", e.getKey());
            m.put("rss_mib", GatewayMemory.mib(e.getValue().rssKib()));
            m.put("heap_used_mib", GatewayMemory.mib(e.getValue().heapUsedKib()));
            m.put("heap_committed_mib", GatewayMemory.mib(e.getValue().heapCommittedKib()));
            m.put("fds", e.getValue().fds());
            list.add(m);
        }
        return list;
    }

    /** The goals: "met: ...", "missed: ..." or "not judged: ...". */
    @SuppressWarnings("unchecked")
    static List<String> goals(Map<String, Object> json) {
        List<String> goals = new ArrayList<>();
        Map<String, Object> mem = (Map<String, Object>) json.get("gateway_memory");
        Map<String, Object> spells = (Map<String, Object>) json.get("spells");
        if (mem == null || spells == null) {
            goals.add("not judged: the run did not get to the overload");
            return goals;
        }
        Double rss = (Double) mem.get("rss_peak_mib");
        Double heap = (Double) mem.get("heap_committed_peak_mib");
        goals.add(judge(
                rss != null && rss <= MEMORY_GOAL_MIB && (heap == null || heap <= MEMORY_GOAL_MIB),
                "gateway memory <= 1 GiB (RSS peak " + rss + " MiB, heap committed peak " + heap + " MiB)"));
        Map<String, Object> over = (Map<String, Object>) spells.get("overload");
        Object share = over.get("retry_after_share");
        Map<String, Object> t503 = (Map<String, Object>) over.get("time_to_503_ms");
        Object p99 = t503.get("p99");
        if (share == null) {
            goals.add("not judged: 503s with Retry-After and at once: the overload got no 503 (no overload)");
        } else {
            goals.add(judge(
                    (Double) share == 1.0,
                    "every 503 carries Retry-After (" + over.get("refused_with_retry_after") + " of "
                            + over.get("refused_503") + ")"));
            goals.add(judge(
                    (Double) p99 <= 100, "503s at once: p99 time to a 503 <= 100 ms (" + p99 + " ms from sending)"));
        }
        Map<String, Object> admitted = (Map<String, Object>) over.get("admitted_latency_ms");
        goals.add("reported: admitted p99 during the overload " + admitted.get("p99") + " ms, max "
                + admitted.get("max") + " ms");
        Map<String, Object> other = (Map<String, Object>) over.get("other_errors");
        goals.add(judge(other.isEmpty(), "no errors but 503 during the overload (" + other + ")"));
        goals.add("reported: offered " + over.get("offered_per_s") + "/s, sent " + over.get("sent_per_s_achieved")
                + "/s; " + over.get("unsent_generator_limit")
                + " not sent (the generator found no connection for 1 s)");
        Map<String, Object> rec = (Map<String, Object>) json.get("recovery");
        Double back = (Double) rec.get("throughput_back_after_s");
        goals.add(
                judge(back != null && back <= 1.0, "throughput back within 1 s of the load dropping (" + back + " s)"));
        goals.add("reported: success back after " + rec.get("success_back_after_s") + " s, latency after "
                + rec.get("latency_back_after_s") + " s");
        Map<String, Object> loris = (Map<String, Object>) json.get("slowloris");
        if (loris != null) {
            Map<String, Object> normal = (Map<String, Object>) loris.get("normal_traffic");
            Map<String, Object> base = (Map<String, Object>) spells.get("baseline");
            long failed = (Integer) normal.get("requests") - ((Integer) normal.get("admitted_2xx"));
            Object p99n = ((Map<String, Object>) normal.get("admitted_latency_ms")).get("p99");
            Object p99b = ((Map<String, Object>) base.get("admitted_latency_ms")).get("p99");
            boolean unaffected = failed == 0 && p99n != null && p99b != null && (Double) p99n <= 2 * (Double) p99b + 50;
            goals.add(judge(
                    unaffected,
                    "normal traffic unaffected by slowloris: 0 failed (" + failed + "), p99 within 2x + 50 ms of the"
                            + " baseline's (" + p99n + " ms against " + p99b + " ms)"));
        }
        return goals;
    }

    private static String judge(boolean met, String what) {
        return (met ? "met: " : "missed: ") + what;
    }

    static double seconds(Duration d) {
        return d.toNanos() / 1e9;
    }

    static double round1(double v) {
        return Math.round(v * 10) / 10.0;
    }

    static double round3(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
