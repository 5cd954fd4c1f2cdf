package dev.ferry.perf.bench;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
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
 * {@code ./ferry bench}: the same trivial handler reached four ways — direct (a bare Netty
 * server), through Ferry (gateway → container), through nginx and through HAProxy (both
 * proxying to the direct server with upstream keep-alive) — measured in one run.
 *
 * <p>For HTTP/1.1 and HTTP/2 it finds each target's saturation throughput (closed loop, a
 * fixed number of connections or streams), then measures latency at fixed arrival rates, a
 * share of the direct target's saturation, at half of each target's own saturation, and at
 * half of nginx's saturation, one rate for every target (open loop, corrected for coordinated
 * omission); then each target's latency on one HTTP/1.1 connection, a request at a time. The
 * CPU time of each target's processes per request is measured during the saturation runs and
 * the runs at half of nginx's saturation ({@link CpuMeter}).
 * Then WebSocket echo (Ferry against the bare server) and SSE time to first event. Targets take
 * turns within each round, in a rotating order, and rounds repeat, so machine noise hits all of
 * them alike; the report gives medians over rounds.
 *
 * <p>Then, on the same {@code ferry dev} (or on one of its own when the comparison does not
 * run), what a token check adds: an authenticated call's latency on one connection against an
 * open one's ({@link AuthLatency}).
 *
 * <p>Then, with those targets stopped, the start-up rows ({@link StartupBench}): cold starts,
 * warm-up, deploy, the CLI and memory, on each {@code ferry dev} variant side by side (the
 * worker's warm pool off, and as it comes).
 */
@Command(
        name = "ferry bench",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        subcommands = {
            ClusterBench.class,
            ChaosBench.class,
            SoakBench.class,
            WorkersBench.class,
            PlacementCommand.class,
            BurstBench.class,
            OverloadBench.class,
            IdleBench.class
        },
        description = {
            "Measures Ferry against a bare Netty server, nginx and HAProxy, side by side, and writes a report.",
            "`ferry bench cluster` measures Ferry as a cluster on Redis instead (see ferry bench cluster --help);",
            "`ferry bench chaos` injects faults into a cluster under traffic: calls failed and why, time to full service;",
            "`ferry bench soak` runs mixed traffic with rolling redeploys for a long time: failed calls, memory, fd and thread slopes;",
            "`ferry bench workers` measures each sandbox's container start and the healing after a worker is killed;",
            "`ferry bench placement` measures the scheduler's decisions per second;",
            "`ferry bench burst` measures a burst from zero: the time until the queue drains, containers over time, errors;",
            "`ferry bench overload` offers 10x a function's saturation and 10,000 slowloris connections to one gateway;",
            "`ferry bench idle` holds many idle keep-alives and WebSockets through one gateway: memory per connection."
        })
public final class BenchMain implements Callable<Integer> {

    static final String COMPARISON = "comparison";
    static final String STARTUP = "startup";
    static final String AUTH = "auth";

    @Option(names = "--quick", description = "A short run (about 3 minutes on 2 cores): 1 round, short measurements.")
    boolean quick;

    @Option(
            names = "--duration",
            paramLabel = "SECONDS",
            description = "Length of each measurement (default: 4; quick: 1).")
    Double duration;

    @Option(
            names = "--warmup",
            paramLabel = "SECONDS",
            description = "Closed-loop warm-up per target and protocol (default: 15; quick: 2).")
    Double warmup;

    @Option(names = "--rounds", description = "Rounds of every measurement, for medians (default: 3; quick: 1).")
    Integer rounds;

    @Option(
            names = "--parts",
            split = ",",
            paramLabel = "PART",
            defaultValue = "comparison,auth,startup",
            description = "What to run: comparison (the four targets side by side), auth (an authenticated call's"
                    + " latency on one connection against an open one's, on the comparison's ferry dev, or on one of"
                    + " its own without the comparison), startup (the start-up rows, on ferry dev alone)"
                    + " (default: ${DEFAULT-VALUE}).")
    List<String> parts;

    @Option(
            names = "--cold-starts",
            paramLabel = "N",
            description = "Cold-start trials per ferry dev variant (default: 10; quick: 3).")
    Integer coldStarts;

    @Option(
            names = "--variant",
            paramLabel = "NAME=ARGS",
            description = {
                "A ferry dev variant for the start-up rows: a column named NAME, ARGS added to ferry dev's arguments"
                        + " (split on spaces; NAME= for none). Repeat for each; the goals are judged on the last.",
                "Default: --variant 'pool-off=--warm-pool 0' --variant default="
            })
    List<String> variantSpecs;

    @Option(
            names = "--deploys",
            paramLabel = "N",
            description = "Timed `ferry deploy` trials per variant (default: 7; quick: 2).")
    Integer deploys;

    @Option(
            names = "--ls-runs",
            paramLabel = "N",
            description = "Timed `ferry ls` runs per variant (default: 9; quick: 3).")
    Integer lsRuns;

    @Option(
            names = "--cli",
            paramLabel = "script|jar",
            defaultValue = "script",
            description =
                    "How the CLI rows run ferry: script is ./ferry, as a user types it (refused when it would"
                            + " build first); jar is the java -jar cli/target/ferry.jar it ends in (default: ${DEFAULT-VALUE}).")
    String cliLauncher;

    @Option(
            names = "--sse-trials",
            paramLabel = "N",
            description = "SSE time-to-first-event trials per target (default: 30; quick: 10).")
    Integer sseTrials;

    @Option(
            names = "--loads",
            split = ",",
            paramLabel = "FRACTION",
            defaultValue = "0.25,0.5,0.75",
            description =
                    "Arrival rates for the latency runs, as fractions of the direct target's saturation (default: ${DEFAULT-VALUE}).")
    List<Double> loads;

    @Option(
            names = "--connections",
            defaultValue = "64",
            description = "HTTP/1.1 connections (default: ${DEFAULT-VALUE}).")
    int connections;

    @Option(
            names = "--h2-connections",
            defaultValue = "2",
            description = "HTTP/2 connections (default: ${DEFAULT-VALUE}).")
    int h2Connections;

    @Option(
            names = "--streams",
            defaultValue = "32",
            description = "Concurrent streams per HTTP/2 connection (default: ${DEFAULT-VALUE}).")
    int streams;

    @Option(
            names = "--websockets",
            defaultValue = "16",
            description = "WebSocket echo sockets (default: ${DEFAULT-VALUE}).")
    int webSockets;

    @Option(
            names = "--threads",
            defaultValue = "2",
            description = "Load generator threads (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(
            names = "--targets",
            split = ",",
            defaultValue = "direct,ferry,nginx,haproxy",
            description =
                    "Which targets to measure; direct is required, it is the baseline (default: ${DEFAULT-VALUE}).")
    List<String> targetNames;

    @Option(
            names = "--out",
            paramLabel = "DIR",
            description = "Where to write the report (default: perf/results/<timestamp>).")
    Path out;

    public static void main(String[] args) {
        System.exit(new CommandLine(new BenchMain()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Plan plan = plan();
        StartupBench.Plan startupPlan = startupPlan();
        Path root = root();
        FerryCli cli = null;
        if (parts.contains(STARTUP)) {
            FerryBuild build = FerryBuild.of(root);
            try {
                // Before anything runs: a refusal must not come after the comparison's 13 minutes.
                cli = FerryCli.of(build, startupPlan.launcher());
            } catch (IOException e) {
                throw new CommandLine.ParameterException(new CommandLine(this), "--cli: " + e.getMessage());
            }
        }
        Path dir = BenchMain.resultsDir(out, "");
        Files.createDirectories(dir.resolve("logs"));
        Map<String, Object> settings = plan.settings();
        settings.put("parts", parts);
        BenchReport report = new BenchReport(plan.targets(), Machine.describe(), settings);
        // A run stopped by SIGTERM or Ctrl-C does not reach the finally: Processes stops the targets then.
        List<Target> started = new ArrayList<>();
        EventLoopGroup group = ClientTransport.group(plan.threads());
        try {
            if (parts.contains(COMPARISON)) {
                Map<String, Target> targets = startTargets(plan, root, dir.resolve("logs"), started);
                if (!quick) { // a quick run is a smoke test of the harness: it does not wait
                    settings.put("quiet_before_comparison_s", awaitQuiet(targets.values()));
                }
                new Run(plan, targets, loops(group), report).all();
                if (parts.contains(AUTH) && targets.get(BenchReport.FERRY) instanceof FerryTarget ferry) {
                    report.auth(auth(plan, ferry, group));
                }
                stop(started); // the start-up rows want the machine to themselves
            }
            if (parts.contains(AUTH) && report.auth().isEmpty()) {
                System.err.println("bench: starting ferry dev for the authenticated-call rows");
                FerryTarget ferry = FerryTarget.start(root, dir.resolve("logs").resolve("auth"));
                started.add(ferry);
                if (!quick) { // as for the comparison: its warm pool's warm-ups are start-up's cost
                    settings.put("quiet_before_auth_s", awaitQuiet(List.<Target>of(ferry)));
                }
                report.auth(auth(plan, ferry, group));
                stop(started);
            }
            if (cli != null) {
                report.startup(new StartupBench(startupPlan, root, dir.resolve("logs"), loops(group), cli).run());
            }
        } finally {
            stop(started);
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
        }
        String markdown = report.summary();
        Files.writeString(dir.resolve("summary.md"), markdown + "\n" + String.join("\n", report.goals()) + "\n");
        report.writeJson(dir.resolve("bench.json"));
        report.writeHtml(dir.resolve("report.html"), "Ferry bench " + dir.getFileName());
        System.out.println(markdown);
        report.goals().forEach(System.out::println);
        System.out.println();
        System.out.println("report: " + dir.resolve("report.html"));
        System.out.println("json:   " + dir.resolve("bench.json"));
        return 0;
    }

    /** The authenticated-call rows on {@code ferry}: the comparison's one-connection runs, rounds and durations. */
    private static AuthLatency.Result auth(Plan plan, FerryTarget ferry, EventLoopGroup group) throws Exception {
        return AuthLatency.run(ferry, loops(group).get(0), plan.warmup(), plan.duration(), plan.rounds());
    }

    private static void stop(List<Target> started) {
        try {
            Processes.stopAll(started);
        } catch (RuntimeException e) {
            // The figures are taken: report them, and say what could not be stopped.
            System.err.println("bench: stopping the targets: " + e.getMessage());
        }
        started.clear();
    }

    /**
     * Where a bench writes its report: {@code out} when given, else a new
     * {@code perf/results/<timestamp>[-name]} of the checkout ({@code name} empty for the main bench).
     */
    static Path resultsDir(Path out, String name) {
        if (out != null) {
            return out;
        }
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        return root().resolve("perf/results").resolve(name.isEmpty() ? stamp : stamp + "-" + name);
    }

    /** The Ferry checkout: $FERRY_ROOT (set by ./ferry), else -Dferry.root, else the working directory. */
    static Path root() {
        String root = System.getenv("FERRY_ROOT");
        if (root == null) {
            root = System.getProperty("ferry.root", ".");
        }
        return Path.of(root).toAbsolutePath().normalize();
    }

    /** The start-up rows' settings, checked, with --quick's defaults where no value was given. */
    StartupBench.Plan startupPlan() {
        List<FerryVariant> variants = new ArrayList<>();
        List<String> specs = variantSpecs == null || variantSpecs.isEmpty() ? FerryVariant.DEFAULTS : variantSpecs;
        try {
            for (String spec : specs) {
                FerryVariant variant = FerryVariant.parse(spec);
                if (variants.stream().anyMatch(v -> v.name().equals(variant.name()))) {
                    throw new IllegalArgumentException(
                            "variant name: " + variant.name() + " given twice (expected: one column per name)");
                }
                variants.add(variant);
            }
            return new StartupBench.Plan(
                    variants,
                    positive("--cold-starts", coldStarts, quick ? 3 : 10),
                    positive("--deploys", deploys, quick ? 2 : 7),
                    positive("--ls-runs", lsRuns, quick ? 3 : 9),
                    FerryCli.Launcher.parse(cliLauncher),
                    Duration.ofSeconds(quick ? 2 : 3),
                    Duration.ofSeconds(quick ? 3 : 10),
                    Duration.ofSeconds(quick ? 1 : 3),
                    Duration.ofSeconds(quick ? 5 : 10));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--variant: " + e.getMessage());
        }
    }

    /** The settings this run uses, checked, with --quick's defaults where no value was given. */
    Plan plan() {
        for (String part : parts) {
            if (!part.equals(COMPARISON) && !part.equals(AUTH) && !part.equals(STARTUP)) {
                throw new CommandLine.ParameterException(
                        new CommandLine(this),
                        "--parts: " + part + " (expected: some of " + COMPARISON + ", " + AUTH + ", " + STARTUP + ")");
            }
        }
        List<String> known = List.of(BenchReport.DIRECT, BenchReport.FERRY, BenchReport.NGINX, "haproxy");
        for (String name : targetNames) {
            if (!known.contains(name)) {
                throw new CommandLine.ParameterException(
                        new CommandLine(this),
                        "--targets: " + name + " (expected: some of " + String.join(", ", known) + ")");
            }
        }
        if (!targetNames.contains(BenchReport.DIRECT)) {
            throw new CommandLine.ParameterException(
                    new CommandLine(this),
                    "--targets: " + String.join(",", targetNames)
                            + " (expected: direct among them; it is the baseline the load levels come from)");
        }
        List<String> ordered = known.stream().filter(targetNames::contains).toList();
        Plan plan = new Plan(
                ordered,
                seconds("--duration", duration, quick ? 1 : 4),
                seconds("--warmup", warmup, quick ? 2 : 15),
                positive("--rounds", rounds, quick ? 1 : 3),
                positive("--sse-trials", sseTrials, quick ? 10 : 30),
                loads,
                positive("--connections", connections, 0),
                positive("--h2-connections", h2Connections, 0),
                positive("--streams", streams, 0),
                positive("--websockets", webSockets, 0),
                positive("--threads", threads, 0));
        Ratios.rates(1, loads); // checks each fraction
        return plan;
    }

    private Duration seconds(String option, Double value, double fallback) {
        return OptionChecks.seconds(this, option, value, fallback);
    }

    private int positive(String option, Integer value, int fallback) {
        return OptionChecks.positive(this, option, value, fallback);
    }

    private static Map<String, Target> startTargets(Plan plan, Path root, Path logs, List<Target> started)
            throws Exception {
        Map<String, Target> targets = new LinkedHashMap<>();
        System.err.println("bench: starting targets: " + String.join(", ", plan.targets()));
        DirectTarget direct = DirectTarget.start(logs);
        started.add(direct);
        targets.put(BenchReport.DIRECT, direct);
        for (String name : plan.targets()) {
            Target target = switch (name) {
                case BenchReport.DIRECT -> null;
                case BenchReport.FERRY -> FerryTarget.start(root, logs);
                case BenchReport.NGINX -> NginxTarget.start(direct, logs);
                default -> HaproxyTarget.start(direct, logs);
            };
            if (target != null) {
                started.add(target);
                targets.put(name, target);
            }
        }
        return targets;
    }

    /** The longest the comparison waits for the targets to be quiet once started (not with --quick). */
    static final Duration QUIET_LIMIT = Duration.ofMinutes(3);

    /**
     * Waits until the started targets are quiet ({@link CpuQuiet}): {@code ferry dev}'s warm pool
     * warms its members up after it is ready (a minute or more of CPU on 2 cores), and the
     * comparison measures the warm path, not that; start-up is the start-up rows' to measure.
     * Returns the seconds waited, or -1 when the targets were still busy after {@link #QUIET_LIMIT}
     * (measured anyway, and said so).
     */
    private static double awaitQuiet(Collection<Target> targets) {
        long start = System.nanoTime();
        boolean quiet = CpuQuiet.await(
                () -> {
                    List<ProcessHandle> all = new ArrayList<>();
                    targets.forEach(t -> all.addAll(t.cpuCandidates()));
                    return all;
                },
                QUIET_LIMIT);
        double waited = (System.nanoTime() - start) / 1e9;
        System.err.printf(
                Locale.ROOT,
                quiet
                        ? "bench: targets quiet after %.1f s%n"
                        : "bench: targets still busy after %.0f s; measuring anyway%n",
                waited);
        return quiet ? Math.round(waited * 10) / 10.0 : -1;
    }

    private static List<EventLoop> loops(EventLoopGroup group) {
        List<EventLoop> loops = new ArrayList<>();
        for (EventExecutor executor : group) {
            loops.add((EventLoop) executor);
        }
        return loops;
    }

    /** What to measure and how long, after defaults and checks. */
    record Plan(
            List<String> targets,
            Duration duration,
            Duration warmup,
            int rounds,
            int sseTrials,
            List<Double> loads,
            int connections,
            int h2Connections,
            int streams,
            int webSockets,
            int threads) {

        Map<String, Object> settings() {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("duration_s", duration.toMillis() / 1000.0);
            s.put("warmup_s", warmup.toMillis() / 1000.0);
            s.put("rounds", rounds);
            s.put("sse_trials", sseTrials);
            s.put("loads", loads);
            s.put("http1_connections", connections);
            s.put("http2_connections", h2Connections);
            s.put("http2_streams_per_connection", streams);
            s.put("websockets", webSockets);
            s.put("load_threads", threads);
            return s;
        }
    }
}
