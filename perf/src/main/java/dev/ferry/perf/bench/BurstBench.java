package dev.ferry.perf.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.request.protocol.FunctionId;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ferry bench burst}: burst from zero. A real {@code ferry dev} (gateway, controller and
 * a worker whose containers are child processes) on loopback, with the example app freshly
 * deployed, so its {@code slow} function has no container; then, after {@code --idle}, an open-loop
 * step to {@code --rate} GETs a second of {@code slow?ms=--ms} for {@code --duration}
 * ({@link BurstLoad}). Meanwhile the admin API is asked every {@code --sample-ms} for slow's
 * containers by state ({@link ContainerSampler}). After the last answer, the run waits (at most
 * {@code --max-wait}) for slow to be back at zero containers.
 *
 * <p>Reports: the time from the first request to the last answer (the queue drained), latency
 * percentiles from each request's due time, answers by status, the containers over time
 * ({@code containers.svg}, {@link BurstPlot}), the time until slow is back at zero and the
 * errors during the scale-down. Writes {@code summary.md}, {@code burst.json},
 * {@code containers.svg} and {@code latency.hgrm} under {@code perf/results/<timestamp>-burst/},
 * with Ferry's log in {@code logs/}, and stops every process it started.
 */
@Command(
        name = "burst",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Measures a burst from zero: idle, then a step to a fixed arrival rate of calls to the example app's slow "
                    + "function; reports the time until every call is answered, the containers over time (containers.svg), "
                    + "the errors, and the time until slow is back at zero containers."
        })
public final class BurstBench implements Callable<Integer> {

    static final String FUNCTION = "slow";
    static final String FUNCTION_ID = FunctionId.of(FerryTarget.APP, FUNCTION).toString();
    /** How slow's 200 answers start ("slept 2000 ms"). */
    private static final String SLOW_BODY = "slept ";

    private static final Duration AT_ZERO_TIMEOUT = Duration.ofSeconds(30);

    @Option(
            names = "--quick",
            description = "A short run for CI (about 30 s on 2 cores): 4/s for 3 s of 500 ms calls, "
                    + "no idle, and at most 5 s of waiting for the scale-down.")
    boolean quick;

    @Option(
            names = "--rate",
            paramLabel = "PER_SECOND",
            description = "Arrivals per second during the step (default: 20; quick: 4).")
    Double rate;

    @Option(
            names = "--duration",
            paramLabel = "SECONDS",
            description = "How long the arrivals go on (default: 10; quick: 3).")
    Double duration;

    @Option(
            names = "--ms",
            paramLabel = "MILLIS",
            description = "How long each call of slow sleeps (default: 2000; quick: 500).")
    Integer sleepMillis;

    @Option(
            names = "--idle",
            paramLabel = "SECONDS",
            description = "Quiet time before the burst, slow checked to stay at zero "
                    + "containers meanwhile; may be 0 (default: 2; quick: 0).")
    Double idle;

    @Option(
            names = "--scaledown-window",
            paramLabel = "SECONDS",
            description = "slow's scaledown window for the run, set as ferry scale does " + "(default: 10; quick: 3).")
    Double scaledownWindow;

    @Option(
            names = "--max-wait",
            paramLabel = "SECONDS",
            description = "The longest wait after the last answer for slow to be back at "
                    + "zero containers (default: 120; quick: 20).")
    Double maxWait;

    @Option(
            names = "--sample-ms",
            paramLabel = "MILLIS",
            defaultValue = "250",
            description = "Between the admin API's polls for slow's containers (default: ${DEFAULT-VALUE}).")
    int sampleMillis;

    @Option(
            names = "--request-timeout",
            paramLabel = "SECONDS",
            description =
                    "The longest wait for one call's answer, from when it "
                            + "was sent; past it the call is an error (default: 90 + the call's sleep, past the gateway's 60 s queue timeout).")
    Double requestTimeout;

    @Option(
            names = "--max-connections",
            paramLabel = "N",
            defaultValue = "1024",
            description =
                    "Connections the load may open at once; a call due while all are busy waits (default: ${DEFAULT-VALUE}).")
    int maxConnections;

    @Option(
            names = "--out",
            paramLabel = "DIR",
            description = "Where to write the report (default: perf/results/<timestamp>-burst).")
    Path out;

    /** What to run, after defaults and checks. */
    record Plan(
            double rate,
            Duration duration,
            int sleepMillis,
            Duration idle,
            Optional<Duration> scaledownWindow,
            Duration maxWait,
            Duration sampleInterval,
            Duration requestTimeout,
            int maxConnections) {

        long requests() {
            return new RatePacer(0, rate, duration.toNanos()).count();
        }

        Map<String, Object> settings() {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("function", FUNCTION_ID);
            s.put("rate_per_s", rate);
            s.put("duration_s", duration.toMillis() / 1000.0);
            s.put("requests", requests());
            s.put("sleep_ms", sleepMillis);
            s.put("idle_s", idle.toMillis() / 1000.0);
            s.put(
                    "scaledown_window_wanted_s",
                    scaledownWindow.map(d -> d.toMillis() / 1000.0).orElse(null));
            s.put("max_wait_s", maxWait.toMillis() / 1000.0);
            s.put("sample_interval_ms", sampleInterval.toMillis());
            s.put("request_timeout_s", requestTimeout.toMillis() / 1000.0);
            s.put("max_connections", maxConnections);
            return s;
        }
    }

    Plan plan() {
        double r = rate == null ? (quick ? 4 : 20) : rate;
        if (!(r > 0) || r > 10_000) {
            throw new CommandLine.ParameterException(
                    new CommandLine(this), "--rate: " + r + " (expected: arrivals per second, > 0 and <= 10000)");
        }
        int ms = sleepMillis == null ? (quick ? 500 : 2000) : sleepMillis;
        if (ms < 0 || ms > 600_000) {
            throw new CommandLine.ParameterException(
                    new CommandLine(this), "--ms: " + ms + " (expected: 0 to 600000, slow's limit)");
        }
        double idleSeconds = idle == null ? (quick ? 0 : 2) : idle;
        if (!(idleSeconds >= 0) || idleSeconds > 3600) {
            throw new CommandLine.ParameterException(
                    new CommandLine(this), "--idle: " + idleSeconds + " (expected: seconds, >= 0 and <= 3600)");
        }
        if (sampleMillis < 20 || sampleMillis > 10_000) {
            throw new CommandLine.ParameterException(
                    new CommandLine(this), "--sample-ms: " + sampleMillis + " (expected: 20 to 10000)");
        }
        if (maxConnections < 1 || maxConnections > 10_000) {
            throw new CommandLine.ParameterException(
                    new CommandLine(this), "--max-connections: " + maxConnections + " (expected: 1 to 10000)");
        }
        Plan plan = new Plan(
                r,
                OptionChecks.seconds(this, "--duration", duration, quick ? 3 : 10),
                ms,
                Duration.ofNanos((long) (idleSeconds * 1e9)),
                Optional.of(OptionChecks.seconds(
                        this, "--scaledown-window", scaledownWindow == null ? (quick ? 3 : 10) : scaledownWindow, 0)),
                OptionChecks.seconds(this, "--max-wait", maxWait, quick ? 20 : 120),
                Duration.ofMillis(sampleMillis),
                OptionChecks.seconds(this, "--request-timeout", requestTimeout, 90 + ms / 1000.0),
                maxConnections);
        if (plan.requests() > 1_000_000) {
            throw new CommandLine.ParameterException(
                    new CommandLine(this),
                    "--rate × --duration: " + plan.requests() + " requests (expected: at most 1000000)");
        }
        return plan;
    }

    /**
     * Gives slow the scaledown window {@code window} for this run, as {@code ferry scale
     * examples slow --scaledown-window} does (the admin API); returns whether it could. The
     * window is whole seconds, at least 1.
     */
    static boolean setScaledownWindow(FerryTarget ferry, Duration window) {
        long seconds = Math.max(1, (window.toMillis() + 999) / 1000);
        try {
            java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newHttpClient()
                    .send(
                            ferry.adminToken()
                                    .authorize(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                                            FerryTarget.adminUrl(ferry.adminPort()) + "/v1/scale/examples/slow")))
                                    .header("Content-Type", "application/json")
                                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                                            "{\"scaledownWindow\": \"" + seconds + "s\"}"))
                                    .build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                System.err.print("bench: ferry scale refused: " + response.body());
                return false;
            }
            System.err.print("bench: " + response.body());
            return true;
        } catch (java.io.IOException e) {
            System.err.println("bench: cannot reach the admin API to set the scaledown window: " + e);
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public Integer call() throws Exception {
        Plan plan = plan();
        Path root = BenchMain.root();
        Path dir = BenchMain.resultsDir(out, "burst");
        Path logs = dir.resolve("logs");
        Files.createDirectories(logs);
        Map<String, Object> machine = Machine.describe();
        String loadBefore = ClusterBench.loadAverage();
        long began = System.nanoTime();

        System.err.println("bench: starting ferry dev with the example app");
        Run run;
        try (FerryTarget ferry = FerryTarget.start(root, logs)) {
            System.err.println("bench: " + ferry);
            run = run(plan, ferry);
            System.err.println("bench: stopping ferry dev");
        }
        String loadAfter = ClusterBench.loadAverage();
        double seconds = (System.nanoTime() - began) / 1e9;

        ClusterReport report = report(plan, run, machine, loadBefore, loadAfter, seconds);
        report.write(dir, "burst.json");
        Files.writeString(
                dir.resolve("containers.svg"),
                BurstPlot.svg(
                        "ferry bench burst: " + FUNCTION_ID + " at " + fmt(plan.rate()) + "/s for "
                                + fmt(plan.duration().toMillis() / 1000.0) + " s, ?ms=" + plan.sleepMillis(),
                        run.samples(),
                        run.sampleSeconds(),
                        run.markers()),
                StandardCharsets.UTF_8);
        System.out.println(report.markdown());
        report.goals().forEach(System.out::println);
        System.out.println();
        System.out.println("summary: " + dir.resolve("summary.md"));
        System.out.println("json:    " + dir.resolve("burst.json"));
        System.out.println("plot:    " + dir.resolve("containers.svg"));
        return 0;
    }

    /** What one run saw. Times in seconds are since the burst's first request's due time. */
    record Run(
            BurstLoad.Result load,
            List<ContainerSampler.Sample> samples,
            String samplerFailures,
            JsonNode function,
            boolean windowSet,
            boolean zeroBefore,
            double backAtZeroSeconds,
            double scaleDownBeganSeconds) {

        double seconds(long nanoTime) {
            return (nanoTime - load.startNanos()) / 1e9;
        }

        double[] sampleSeconds() {
            double[] s = new double[samples.size()];
            for (int i = 0; i < s.length; i++) {
                s[i] = seconds(samples.get(i).atNanos());
            }
            return s;
        }

        double drainedSeconds() {
            return load.drainedNanos() / 1e9;
        }

        double lastArrivalSeconds() {
            return load.requests().stream()
                            .mapToLong(BurstLoad.Request::dueNanos)
                            .max()
                            .orElse(0)
                    / 1e9;
        }

        double deployedWindowSeconds() {
            return function.path("scaledownWindowSeconds").asDouble(Double.NaN);
        }

        int maxInputs() {
            return function.path("maxInputs").asInt(1);
        }

        List<BurstPlot.Marker> markers() {
            List<BurstPlot.Marker> m = new ArrayList<>();
            m.add(new BurstPlot.Marker(0, "first request"));
            m.add(new BurstPlot.Marker(lastArrivalSeconds(), "last request sent"));
            m.add(new BurstPlot.Marker(drainedSeconds(), "last answer"));
            if (scaleDownBeganSeconds >= 0) {
                m.add(new BurstPlot.Marker(scaleDownBeganSeconds, "scale-down began"));
            }
            if (backAtZeroSeconds >= 0) {
                m.add(new BurstPlot.Marker(backAtZeroSeconds, "back at zero"));
            }
            return m;
        }
    }

    private static Run run(Plan plan, FerryTarget ferry) throws Exception {
        JsonNode function = function(ferry);
        boolean windowSet = plan.scaledownWindow().isPresent()
                && setScaledownWindow(ferry, plan.scaledownWindow().get());
        if (plan.scaledownWindow().isPresent() && !windowSet) {
            System.err.printf(
                    "bench: --scaledown-window %s s not applied;" + " %s's deployed window (%s s) applies%n",
                    fmt(plan.scaledownWindow().get().toMillis() / 1000.0),
                    FUNCTION_ID,
                    fmt(function.path("scaledownWindowSeconds").asDouble()));
        }
        EventLoopGroup group = ClientTransport.group(1);
        try {
            EventLoop loop = group.next();
            BurstLoad load = new BurstLoad(
                    loop,
                    ferry.port(Target.Protocol.HTTP_1_1),
                    ferry.host(FUNCTION),
                    "/?ms=" + plan.sleepMillis(),
                    SLOW_BODY,
                    plan.maxConnections(),
                    plan.requestTimeout());
            warmClient(loop, ferry);
            try (ContainerSampler sampler = new ContainerSampler(
                    ferry.adminPort(), ferry.adminToken(), FUNCTION_ID, plan.sampleInterval(), load::inFlight)) {
                Optional<ContainerSampler.Sample> atZero = sampler.await(s -> s.total() == 0, AT_ZERO_TIMEOUT);
                if (atZero.isEmpty()) {
                    throw new IOException(
                            FUNCTION_ID + " did not show zero containers within " + AT_ZERO_TIMEOUT.toSeconds()
                                    + " s of the deploy (expected: a freshly deployed function has none); admin API failures: "
                                    + sampler.failures());
                }
                boolean zeroBefore = true;
                if (plan.idle().isPositive()) {
                    System.err.printf(
                            "bench: idle for %s s, %s at zero containers%n",
                            fmt(plan.idle().toMillis() / 1000.0), FUNCTION_ID);
                    // The wait is the idle time; a container showing up meanwhile would spoil "from zero".
                    zeroBefore = sampler.await(s -> s.total() > 0, plan.idle()).isEmpty();
                }
                System.err.printf(
                        "bench: burst: %d GETs of %s/?ms=%d at %s/s for %s s%n",
                        plan.requests(),
                        ferry.host(FUNCTION),
                        plan.sleepMillis(),
                        fmt(plan.rate()),
                        fmt(plan.duration().toMillis() / 1000.0));
                BurstLoad.Result result;
                Duration bound = plan.duration().plus(plan.requestTimeout()).plusSeconds(30);
                try {
                    result = load.start(plan.rate(), plan.duration()).get(bound.toSeconds(), TimeUnit.SECONDS);
                } catch (TimeoutException e) {
                    throw new IOException(
                            "the burst did not end within " + bound.toSeconds()
                                    + " s (expected: every call answered or timed" + " out by then); " + load.inFlight()
                                    + " calls were still in flight",
                            e);
                }
                long drainedAt = result.startNanos() + result.drainedNanos();
                System.err.printf(
                        "bench: %d answered in %.1f s (%d ok); waiting up to %s s for %s to be back at zero containers%n",
                        result.requests().size(),
                        result.drainedNanos() / 1e9,
                        result.ok(),
                        fmt(plan.maxWait().toMillis() / 1000.0),
                        FUNCTION_ID);
                Duration waitLeft = plan.maxWait().minusNanos(Math.max(0, System.nanoTime() - drainedAt));
                Optional<ContainerSampler.Sample> zero =
                        waitLeft.isPositive() ? sampler.await(s -> s.total() == 0, waitLeft) : Optional.empty();
                List<ContainerSampler.Sample> samples = sampler.samples();
                double startSeconds = result.startNanos() / 1e9;
                double backAtZero =
                        zero.map(s -> s.atNanos() / 1e9 - startSeconds).orElse(-1.0);
                double scaleDownBegan = scaleDownBegan(samples, result.startNanos())
                        .map(s -> s.atNanos() / 1e9 - startSeconds)
                        .orElse(-1.0);
                return new Run(
                        result,
                        samples,
                        sampler.failures(),
                        function,
                        windowSet,
                        zeroBefore,
                        backAtZero,
                        scaleDownBegan);
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
        }
    }

    /**
     * The first sample after the burst's peak, and after its start, with fewer containers than
     * the most seen, or with one stopping: where the scale-down began.
     */
    static Optional<ContainerSampler.Sample> scaleDownBegan(
            List<ContainerSampler.Sample> samples, long burstStartNanos) {
        int most = 0;
        for (ContainerSampler.Sample s : samples) {
            if (s.atNanos() < burstStartNanos) {
                continue;
            }
            if (most > 0 && (s.stopping() > 0 || s.total() < most)) {
                return Optional.of(s);
            }
            most = Math.max(most, s.total());
        }
        return Optional.empty();
    }

    /** slow's entry in the admin API's view (its id, settings and containers). */
    private static JsonNode function(FerryTarget ferry) throws IOException, InterruptedException {
        URI uri = URI.create(FerryTarget.adminUrl(ferry.adminPort()) + "/v1/apps");
        try (HttpClient client =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            HttpResponse<String> response = client.send(
                    ferry.adminToken()
                            .authorize(HttpRequest.newBuilder(uri))
                            .timeout(Duration.ofSeconds(10))
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw ferry.process()
                        .failure("answered GET " + uri + " with " + response.statusCode() + " (expected: 200)");
            }
            for (JsonNode app : new ObjectMapper().readTree(response.body()).path("apps")) {
                for (JsonNode f : app.path("functions")) {
                    if (f.path("id").asText().equals(FUNCTION_ID)) {
                        return f;
                    }
                }
            }
            throw ferry.process()
                    .failure("does not list " + FUNCTION_ID + " at " + uri + " (expected: the example app deployed): "
                            + response.body());
        }
    }

    // ---- the report ----

    private static ClusterReport report(
            Plan plan, Run run, Map<String, Object> machine, String loadBefore, String loadAfter, double runSeconds) {
        BurstLoad.Result load = run.load();
        List<ContainerSampler.Sample> samples = run.samples();
        double[] at = run.sampleSeconds();
        int maxReady = 0;
        int maxTotal = 0;
        int maxUnplaced = 0;
        int maxInFlight = 0;
        double firstReady = -1;
        double maxReadyAt = -1;
        for (int i = 0; i < samples.size(); i++) {
            ContainerSampler.Sample s = samples.get(i);
            if (s.ready() > maxReady) {
                maxReady = s.ready();
                maxReadyAt = at[i];
            }
            if (s.ready() > 0 && firstReady < 0 && at[i] >= 0) {
                firstReady = at[i];
            }
            maxTotal = Math.max(maxTotal, s.total());
            maxUnplaced = Math.max(maxUnplaced, s.unplaced());
            maxInFlight = Math.max(maxInFlight, s.inFlight());
        }
        double drained = run.drainedSeconds();
        long scaleDownStartNanos =
                run.scaleDownBeganSeconds() < 0 ? Long.MAX_VALUE : (long) (run.scaleDownBeganSeconds() * 1e9);
        List<BurstLoad.Request> duringScaleDown = load.requests().stream()
                .filter(r -> r.endNanos() >= scaleDownStartNanos)
                .toList();
        long scaleDownErrors = duringScaleDown.stream().filter(r -> !r.ok()).count();
        long burstErrors = load.errors() - scaleDownErrors;
        double sleep = plan.sleepMillis() / 1000.0;
        int expectedContainers = (int) Math.ceil(plan.rate() * sleep / run.maxInputs());
        BurstLoad.Request first = load.requests().getFirst();
        double window = run.deployedWindowSeconds();

        Map<String, Object> settings = plan.settings();
        settings.put("scaledown_window_applied", run.windowSet());
        settings.put("scaledown_window_deployed_s", window);
        settings.put("max_inputs", run.maxInputs());
        ClusterReport report = new ClusterReport(List.of("burst", "scaledown"), machine, settings);

        Map<String, Object> burst = new LinkedHashMap<>();
        burst.put("requests", load.requests().size());
        burst.put("ok", load.ok());
        burst.put("errors", load.errors());
        burst.put("outcomes", load.outcomes());
        burst.put("first_bodies", load.firstBodies());
        burst.put("zero_containers_before", run.zeroBefore());
        burst.put("last_request_sent_s", round(run.lastArrivalSeconds(), 3));
        burst.put("queue_drained_s", round(drained, 3));
        burst.put("first_request_s", round(first.endNanos() / 1e9, 3));
        burst.put("first_request_outcome", first.outcome());
        burst.put("latency_ms", ClusterReport.percentiles(load.latencies()));
        burst.put("first_ready_s", firstReady < 0 ? null : round(firstReady, 3));
        burst.put("max_ready_containers", maxReady);
        burst.put("max_ready_at_s", maxReadyAt < 0 ? null : round(maxReadyAt, 3));
        burst.put("max_containers_any_state", maxTotal);
        burst.put("max_unplaced_containers", maxUnplaced);
        burst.put("containers_the_load_needs", expectedContainers);
        burst.put("max_in_flight", maxInFlight);
        burst.put("connections_opened", load.connectionsOpened());
        burst.put("errors_before_scale_down", burstErrors);
        burst.put("per_second", perSecond(load));
        report.put("burst", burst);
        report.histogram("latency", load.latencies());

        Map<String, Object> down = new LinkedHashMap<>();
        down.put("deployed_scaledown_window_s", window);
        down.put("window_applied", run.windowSet());
        down.put("began_s", run.scaleDownBeganSeconds() < 0 ? null : round(run.scaleDownBeganSeconds(), 3));
        down.put("back_at_zero_s", run.backAtZeroSeconds() < 0 ? null : round(run.backAtZeroSeconds(), 3));
        down.put(
                "back_at_zero_after_last_answer_s",
                run.backAtZeroSeconds() < 0 ? null : round(run.backAtZeroSeconds() - drained, 3));
        down.put("requests_ended_during", duringScaleDown.size());
        down.put("errors_during", scaleDownErrors);
        down.put("max_wait_s", plan.maxWait().toMillis() / 1000.0);
        report.put("scaledown", down);

        List<List<Object>> series = new ArrayList<>();
        for (int i = 0; i < samples.size(); i++) {
            ContainerSampler.Sample s = samples.get(i);
            series.add(List.of(
                    round(at[i], 3), s.unplaced(), s.pending(), s.starting(), s.ready(), s.stopping(), s.inFlight()));
        }
        report.put(
                "samples_columns", List.of("t_s", "unplaced", "pending", "starting", "ready", "stopping", "in_flight"));
        report.put("samples", series);
        report.put("admin_api_failures", run.samplerFailures());
        report.put("run_seconds", round(runSeconds, 1));
        report.put("load_average_before", loadBefore);
        report.put("load_average_after", loadAfter);

        report.line("# ferry bench burst");
        report.line("");
        report.line("All on 127.0.0.1: " + machine.get("cpus") + " CPUs (" + machine.get("cpu_model") + "), "
                + machine.get("memory")
                + " memory, " + machine.get("os") + ", " + machine.get("java")
                + "; `ferry dev` from cli/target/ferry.jar (gateway,"
                + " controller and one worker in one JVM; containers are child processes, sandbox `process`). The bench and every"
                + " process it starts share the CPUs.");
        report.line("");
        report.line("The example app is deployed fresh, so `" + FUNCTION_ID + "` (maxInputs " + run.maxInputs()
                + ") has no container. The load's client first sends " + CLIENT_WARM_UP_REQUESTS
                + " GETs in a second to a host with no app behind it (404s), so that its own first requests are"
                + " not part of the burst's latency."
                + (plan.idle().isPositive()
                        ? " After " + fmt(plan.idle().toMillis() / 1000.0) + " s idle (still zero containers: "
                                + (run.zeroBefore() ? "yes" : "NO") + "),"
                        : " Then")
                + " an open-loop step: " + load.requests().size() + " GETs of `/?ms="
                + plan.sleepMillis() + "` at " + fmt(plan.rate()) + "/s for "
                + fmt(plan.duration().toMillis() / 1000.0)
                + " s, each sent when due on an idle keep-alive connection or a new one, whatever the answers so far. Latency counts from"
                + " each call's due time. The admin API (`GET /v1/apps`) is polled every "
                + plan.sampleInterval().toMillis()
                + " ms for slow's containers by state. Times are seconds since the first call was due.");
        report.line("");
        report.line("Settings: " + settings);

        report.line("burst", "");
        report.line("burst", "## Burst");
        report.line("burst", "");
        report.line("burst", "| figure | value |");
        report.line("burst", "|---|---:|");
        report.line(
                "burst",
                "| calls (ok / errors) | " + load.requests().size() + " (" + load.ok() + " / " + load.errors() + ") |");
        report.line("burst", "| answers by outcome | " + outcomes(load.outcomes()) + " |");
        load.firstBodies()
                .forEach((outcome, body) -> report.line(
                        "burst",
                        "| first " + outcome + "'s body | `"
                                + body.replace("|", "\\|").replace("\n", " ").replace("`", "'") + "` |"));
        report.line("burst", "| last call sent at | " + fmt(run.lastArrivalSeconds(), 2) + " s |");
        report.line("burst", "| **queue drained** (first call due → last answer) | **" + fmt(drained, 2) + " s** |");
        report.line(
                "burst",
                "| the least it could be (last call sent + its " + fmt(sleep, 2) + " s sleep) | "
                        + fmt(run.lastArrivalSeconds() + sleep, 2) + " s |");
        report.line(
                "burst",
                "| first call answered (cold start + sleep) | " + fmt(first.endNanos() / 1e9, 2) + " s ("
                        + first.outcome() + ") |");
        report.line("burst", "| first container ready | " + (firstReady < 0 ? "–" : fmt(firstReady, 2) + " s") + " |");
        report.line(
                "burst",
                "| most containers ready (at) | " + maxReady + (maxReadyAt < 0 ? "" : " (" + fmt(maxReadyAt, 2) + " s)")
                        + " |");
        report.line(
                "burst",
                "| most containers in any state (of them unplaced: no worker had room) | " + maxTotal + " ("
                        + maxUnplaced + ") |");
        report.line(
                "burst",
                "| containers the steady load needs (rate × sleep / maxInputs) | " + expectedContainers + " |");
        report.line("burst", "| most calls in flight (seen by the sampler) | " + maxInFlight + " |");
        report.line("burst", "| connections the load opened | " + load.connectionsOpened() + " |");
        report.line("burst", "");
        report.line("burst", "Latency of the calls answered 200, from each call's due time (ms):");
        report.line("burst", "");
        report.line("burst", "| p50 | p90 | p99 | max |");
        report.line("burst", "|---:|---:|---:|---:|");
        Latencies l = load.latencies();
        report.line(
                "burst",
                "| " + pct(l, 50) + " | " + pct(l, 90) + " | " + pct(l, 99) + " | "
                        + (l.count() == 0 ? "–" : ClusterReport.fmtMs(l.maxMicros())) + " |");
        report.line("burst", "");
        report.line(
                "burst",
                "Containers over time: `containers.svg` (ready, starting, unplaced, stopping; requests in flight on the right axis).");

        report.line("scaledown", "");
        report.line("scaledown", "## Scale-down");
        report.line("scaledown", "");
        if (plan.scaledownWindow().isPresent() && !run.windowSet()) {
            report.line(
                    "scaledown",
                    "`--scaledown-window " + fmt(plan.scaledownWindow().get().toMillis() / 1000.0)
                            + "` was asked for but" + " not applied (see the log). ");
        }
        report.line(
                "scaledown",
                (run.windowSet()
                                ? "slow's scaledown window was set to "
                                        + fmt(Math.max(
                                                1,
                                                Math.ceil(plan.scaledownWindow()
                                                                .get()
                                                                .toMillis()
                                                        / 1000.0)))
                                        + " s for this run, as `ferry scale examples slow --scaledown-window` does"
                                : "slow's scaledown window is the deployed one, " + fmt(window) + " s")
                        + "; the run waited for it (at most "
                        + fmt(plan.maxWait().toMillis() / 1000.0) + " s after the last answer).");
        report.line("scaledown", "");
        report.line("scaledown", "| figure | value |");
        report.line("scaledown", "|---|---:|");
        report.line(
                "scaledown",
                "| scale-down began (first container stopping or gone) | "
                        + (run.scaleDownBeganSeconds() < 0
                                ? "not within the wait"
                                : fmt(run.scaleDownBeganSeconds(), 2) + " s")
                        + " |");
        report.line(
                "scaledown",
                "| **back at zero containers** | "
                        + (run.backAtZeroSeconds() < 0
                                ? "**not within the wait**"
                                : "**" + fmt(run.backAtZeroSeconds(), 2) + " s** ("
                                        + fmt(run.backAtZeroSeconds() - drained, 2) + " s after the last answer)")
                        + " |");
        report.line(
                "scaledown",
                "| calls that ended after the scale-down began (errors) | " + duringScaleDown.size() + " ("
                        + scaleDownErrors + ") |");
        report.line("scaledown", "| admin API polls that failed | " + run.samplerFailures() + " |");

        report.goal(
                "zero errors during the burst",
                burstErrors == 0,
                burstErrors + " of " + (load.requests().size() - duringScaleDown.size()) + " calls");
        report.goal(
                "zero errors during the scale-down",
                scaleDownErrors == 0,
                scaleDownErrors + " of " + duringScaleDown.size() + " calls"
                        + (run.scaleDownBeganSeconds() < 0 ? "; no scale-down seen" : ""));
        report.goal(
                "back at zero containers",
                run.backAtZeroSeconds() >= 0,
                run.backAtZeroSeconds() < 0
                        ? "not within " + fmt(plan.maxWait().toMillis() / 1000.0) + " s of the last answer (window "
                                + fmt(window) + " s)"
                        : fmt(run.backAtZeroSeconds() - drained, 1) + " s after the last answer, window " + fmt(window)
                                + " s");

        report.footer("");
        report.footer("Load average (1, 5, 15 min) before the run: " + loadBefore + "; after it: " + loadAfter
                + " (its own included)."
                + (ClusterBench.busy(loadBefore)
                        ? " A load above half the CPUs before the run may mean other work competed with it."
                        : ""));
        report.footer("");
        report.footer(String.format(Locale.ROOT, "Whole run: %.0f s.", runSeconds));
        return report;
    }

    /** Per second since the first call was due: calls due, answered 200, ended otherwise. */
    /** Requests of the client's warm-up: to an app that does not exist, so that no container starts. */
    static final int CLIENT_WARM_UP_REQUESTS = 50;

    /**
     * Runs the load client first against a host with no app behind it (404s, no container), for
     * a second: the bench's own first requests load its client's classes (hundreds of ms of
     * its JVM's start), which would otherwise count as the burst's first calls' latency.
     */
    private static void warmClient(EventLoop loop, FerryTarget ferry) throws Exception {
        BurstLoad warmUp = new BurstLoad(
                loop,
                ferry.port(Target.Protocol.HTTP_1_1),
                ferry.host("bench-warm-up", "none"),
                "/",
                "",
                16,
                Duration.ofSeconds(10));
        warmUp.start(CLIENT_WARM_UP_REQUESTS, Duration.ofSeconds(1)).get(30, TimeUnit.SECONDS);
    }

    private static List<Map<String, Object>> perSecond(BurstLoad.Result load) {
        List<long[]> seconds = new ArrayList<>();
        for (BurstLoad.Request r : load.requests()) {
            grow(seconds, (int) (r.dueNanos() / 1_000_000_000L))[0]++;
            grow(seconds, (int) (r.endNanos() / 1_000_000_000L))[r.ok() ? 1 : 2]++;
        }
        List<Map<String, Object>> list = new ArrayList<>();
        for (int i = 0; i < seconds.size(); i++) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("second", i);
            m.put("due", seconds.get(i)[0]);
            m.put("ok", seconds.get(i)[1]);
            m.put("errors", seconds.get(i)[2]);
            list.add(m);
        }
        return list;
    }

    private static long[] grow(List<long[]> list, int index) {
        while (list.size() <= index) {
            list.add(new long[3]);
        }
        return list.get(index);
    }

    private static String outcomes(Map<String, Long> outcomes) {
        List<String> parts = new ArrayList<>();
        outcomes.forEach((outcome, count) -> parts.add(outcome + " × " + count));
        return String.join(", ", parts);
    }

    private static String pct(Latencies l, double percentile) {
        return l.count() == 0 ? "–" : ClusterReport.fmtMs(l.percentileMicros(percentile));
    }

    private static double round(double value, int decimals) {
        double scale = Math.pow(10, decimals);
        return Math.round(value * scale) / scale;
    }

    private static String fmt(double value) {
        return Double.isNaN(value)
                ? "–"
                : value == Math.rint(value) ? Long.toString((long) value) : BenchReport.format(value, 2);
    }

    private static String fmt(double value, int decimals) {
        return BenchReport.format(value, decimals);
    }
}
