package dev.ferry.perf.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.perf.bench.Target.Endpoint;
import dev.ferry.perf.bench.Target.Protocol;
import io.netty.channel.EventLoop;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The start-up rows (issue 14), each on every {@code ferry dev} variant side by side (the
 * worker's warm pool off, then as it comes): a stack of its own per variant, all running at
 * once, trials taking turns in a rotating order, and before each timed trial a wait until
 * every stack is quiet ({@link CpuQuiet}), so that what one trial leaves behind is not
 * measured as part of the next. The rows:
 *
 * <ol>
 *   <li>{@code ferry dev} start to its ready line, and the first request to {@code hello} right
 *       after it: the very first container start;
 *   <li>cold starts: scale {@code hello} to zero (a 1 s scaledown window, then no container
 *       left), then time one request to it on a new connection (p50/p99 of {@code --cold-starts}
 *       trials). A redeploy no longer gives a cold start: the new version starts beside the old;
 *   <li>warm-up: the same load on the version serving now (the gateway and the client warm
 *       up), then redeploy, {@code ferry scale examples hello --max 1} (so one new container
 *       takes it all), then 16 HTTP/1.1 connections in a closed loop from its first request,
 *       answers counted in 250 ms windows; the load runs on and its last windows are the same
 *       container warm;
 *   <li>deploy: {@code ferry deploy probe.jar} ({@link ProbeJar}: the example app plus a function
 *       that answers its jar's version token) while a poller asks the probe function every
 *       {@value #DEPLOY_POLL_MILLIS} ms; the time from the command's start to the first 200
 *       carrying the new token (median of {@code --deploys});
 *   <li>{@code ferry ls}: the command's wall time, start to exit (median of {@code --ls-runs});
 *   <li>memory: RSS and PSS of an idle {@code hello} container (redeployed, 20 requests, 2 s
 *       idle), and of idle warm-pool members where there are any.
 * </ol>
 *
 * A failed trial is reported and the rows go on; a variant whose {@code ferry dev} does not
 * start (such as one passing an option this build does not know) is reported as such.
 */
final class StartupBench {

    static final int WARM_UP_CONNECTIONS = 16;
    static final Duration WARM_UP_WINDOW = Duration.ofMillis(250);
    static final int DEPLOY_POLL_MILLIS = 5;
    static final int MEMORY_REQUESTS = 20;
    static final Duration MEMORY_IDLE = Duration.ofSeconds(2);

    private static final Duration ONE_SHOT_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration CLI_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration DEPLOY_LIMIT = Duration.ofSeconds(60);

    /**
     * What to run, after defaults and checks.
     *
     * @param warmUpRamp the warm-up's first part, which the report looks at (about 3 s)
     * @param warmUpWarmFrom when the warm phase begins, from the first request (about 10 s)
     * @param warmUpWarm how long the warm phase lasts (about 3 s)
     * @param quietLimit the longest wait for quiet before a trial; the trial runs anyway then
     */
    record Plan(
            List<FerryVariant> variants,
            int coldStarts,
            int deploys,
            int lsRuns,
            FerryCli.Launcher launcher,
            Duration warmUpRamp,
            Duration warmUpWarmFrom,
            Duration warmUpWarm,
            Duration quietLimit) {

        Map<String, Object> settings() {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put(
                    "variants",
                    variants.stream()
                            .map(v -> v.name() + "=" + String.join(" ", v.devArguments()))
                            .toList());
            s.put("cold_starts", coldStarts);
            s.put("deploys", deploys);
            s.put("ls_runs", lsRuns);
            s.put("cli", launcher.name().toLowerCase(Locale.ROOT));
            s.put("warm_up_connections", WARM_UP_CONNECTIONS);
            s.put("warm_up_window_ms", WARM_UP_WINDOW.toMillis());
            s.put("warm_up_ramp_s", warmUpRamp.toMillis() / 1000.0);
            s.put("warm_up_warm_from_s", warmUpWarmFrom.toMillis() / 1000.0);
            s.put("warm_up_warm_s", warmUpWarm.toMillis() / 1000.0);
            s.put("deploy_poll_ms", DEPLOY_POLL_MILLIS);
            s.put("quiet_max_cores", CpuQuiet.MAX_CORES);
            s.put("quiet_window_ms", CpuQuiet.WINDOW.toMillis());
            s.put("quiet_limit_s", quietLimit.toMillis() / 1000.0);
            return s;
        }
    }

    /** One variant's running stack and its column of figures. */
    private record Stack(FerryTarget ferry, VariantFigures figures, Path work) {
        String name() {
            return figures.variant().name();
        }
    }

    private final Plan plan;
    private final Path root;
    private final Path logs;
    private final List<EventLoop> loops;
    private final FerryCli cli;
    private final StartupReport report;
    private final List<Stack> stacks = new ArrayList<>();
    private int notQuiet;

    StartupBench(Plan plan, Path root, Path logs, List<EventLoop> loops, FerryCli cli) {
        this.plan = plan;
        this.root = root;
        this.logs = logs;
        this.loops = loops;
        this.cli = cli;
        Map<String, Object> settings = plan.settings();
        this.report = new StartupReport(cli.describe(), settings);
    }

    /** Runs every row and stops every stack it started; blocking. */
    StartupReport run() throws Exception {
        try {
            start();
            if (!stacks.isEmpty()) {
                coldStarts();
                warmUps();
                deploys();
                lsRuns();
                memory();
            }
        } finally {
            Processes.stopAll(stacks.stream().map(Stack::ferry).toList());
        }
        if (notQuiet > 0) {
            System.err.printf(
                    "bench: start-up rows: %d trials began before the stacks were quiet (limit %s s)%n",
                    notQuiet, plan.quietLimit().toSeconds());
        }
        return report;
    }

    private void start() throws Exception {
        for (FerryVariant variant : plan.variants()) {
            VariantFigures figures = report.add(variant);
            quiet();
            Path work = logs.resolve("ferry-" + variant.name());
            long begin = System.nanoTime();
            FerryTarget ferry;
            try {
                ferry = FerryTarget.start(root, work, variant.devArguments());
            } catch (IOException e) {
                figures.notStarted("`ferry dev " + variant.shownArguments() + "` did not start: "
                        + reason(e, work.resolve("ferry.log")));
                System.err.println("bench: start-up rows: " + variant.name() + ": "
                        + figures.notStartedReason().get());
                continue;
            }
            figures.devStarted((System.nanoTime() - begin) / 1e6);
            Stack stack = new Stack(ferry, figures, work);
            stacks.add(stack);
            try {
                double millis = hello(stack) / 1e6;
                figures.firstStart(millis);
                System.err.printf("bench: %s: ferry dev ready, first start %.0f ms%n", variant.name(), millis);
            } catch (Exception e) {
                rethrowInterrupt(e);
                figures.failed("first start", e);
            }
        }
    }

    private void coldStarts() throws Exception {
        for (int i = 0; i < plan.coldStarts(); i++) {
            for (Stack stack : rotated(i)) {
                quiet();
                try {
                    stack.ferry().scaleToZero("hello");
                    double millis = hello(stack) / 1e6;
                    stack.figures().coldStart(millis);
                    System.err.printf(
                            "bench: %s: cold start %d/%d: %.0f ms%n", stack.name(), i + 1, plan.coldStarts(), millis);
                } catch (Exception e) {
                    rethrowInterrupt(e);
                    stack.figures().failed("cold start", e);
                }
            }
        }
    }

    private void warmUps() throws Exception {
        for (Stack stack : rotated(0)) {
            try {
                quiet();
                FerryTarget ferry = stack.ferry();
                // The same load first, on the version that serves now: the gateway and this
                // bench's client are then warm, and the curve below is the new container's
                // alone, not the whole stack's first seconds.
                WarmUpCurve.measure(
                        loops,
                        ferry.port(Protocol.HTTP_1_1),
                        ferry.route(Endpoint.HELLO).orElseThrow(),
                        WARM_UP_CONNECTIONS,
                        plan.warmUpRamp(),
                        plan.warmUpWarmFrom(),
                        plan.warmUpWarm(),
                        WARM_UP_WINDOW);
                quiet();
                ferry.makeCold();
                // After the redeploy: a deploy resets what ferry scale set.
                ferry.scale("hello", "{\"maxContainers\": 1}");
                quiet();
                WarmUpCurve curve = WarmUpCurve.measure(
                        loops,
                        ferry.port(Protocol.HTTP_1_1),
                        ferry.route(Endpoint.HELLO).orElseThrow(),
                        WARM_UP_CONNECTIONS,
                        plan.warmUpRamp(),
                        plan.warmUpWarmFrom(),
                        plan.warmUpWarm(),
                        WARM_UP_WINDOW);
                int containers = containersOfCurrentVersion(ferry.apps(), FerryTarget.APP, "hello");
                stack.figures().warmUp(curve, containers);
                System.err.printf(
                        "bench: %s: warm-up: first second %s of warm (%s req/s), 80 %% after %s ms, %d container(s)%n",
                        stack.name(),
                        BenchReport.format(curve.firstSecondShare(), 2),
                        BenchReport.format(curve.warmRate(), 0),
                        BenchReport.format(curve.millisToReach(StartupReport.WARM_SHARE), 0),
                        containers);
            } catch (Exception e) {
                rethrowInterrupt(e);
                stack.figures().failed("warm-up", e);
            }
        }
    }

    private void deploys() throws Exception {
        // The probe app's first version, and a container of it serving: what each timed deploy replaces.
        List<Stack> ready = new ArrayList<>();
        for (Stack stack : rotated(0)) {
            try {
                quiet();
                deploy(stack, 0);
                ready.add(stack);
            } catch (Exception e) {
                rethrowInterrupt(e);
                stack.figures().failed("deploy (the probe app's first version)", e);
            }
        }
        for (int i = 1; i <= plan.deploys(); i++) {
            for (Stack stack : rotated(i)) {
                if (!ready.contains(stack)) {
                    continue;
                }
                quiet();
                try {
                    deploy(stack, i);
                } catch (Exception e) {
                    rethrowInterrupt(e);
                    stack.figures().failed("deploy", e);
                }
            }
        }
    }

    /**
     * Deploys version {@code trial} of the probe app with the CLI while a poller asks for it;
     * trial 0 is not recorded. Returns once the new version has answered.
     */
    private void deploy(Stack stack, int trial) throws Exception {
        FerryTarget ferry = stack.ferry();
        String token = stack.name() + "-" + trial + "-" + System.nanoTime();
        Path jar = ProbeJar.write(
                stack.work().resolve("probe").resolve("probe-" + trial + ".jar"),
                FerryBuild.of(root).examplesJar(),
                token);
        DeployPoller poller = new DeployPoller(
                ferry.port(Protocol.HTTP_1_1), ferry.host(ProbeJar.APP, ProbeJar.FUNCTION), token, DEPLOY_POLL_MILLIS);
        Thread thread = Thread.ofPlatform().daemon().name("deploy-poller").start(poller);
        try {
            long begin = System.nanoTime();
            FerryCli.Ran ran = cli.run(
                    List.of("deploy", jar.toString()),
                    ferry.home(),
                    stack.work().resolve("cli").resolve("deploy-" + trial + ".log"),
                    CLI_TIMEOUT);
            if (ran.exit() != 0) {
                throw new IOException("ferry deploy " + jar + " exited with status " + ran.exit() + " (expected: 0): "
                        + ran.output());
            }
            long answered = poller.awaitNewVersion(begin + DEPLOY_LIMIT.toNanos());
            if (answered < 0) {
                throw new IOException("no 200 from the new version " + token + " within " + DEPLOY_LIMIT.toSeconds()
                        + " s of ferry deploy's start; last answer: " + poller.last());
            }
            if (trial > 0) {
                double millis = (answered - begin) / 1e6;
                stack.figures().deployed(millis, ran.nanos() / 1e6, poller.otherAnswers());
                System.err.printf(
                        "bench: %s: deploy %d/%d: first 200 from the new version after %.0f ms (ferry deploy exited after %.0f ms)%n",
                        stack.name(), trial, plan.deploys(), millis, ran.nanos() / 1e6);
            }
        } finally {
            poller.stop();
            thread.join(TimeUnit.SECONDS.toMillis(35));
        }
    }

    private void lsRuns() throws Exception {
        for (int i = 0; i < plan.lsRuns(); i++) {
            for (Stack stack : rotated(i)) {
                quiet();
                try {
                    FerryCli.Ran ran = cli.run(
                            List.of("ls"),
                            stack.ferry().home(),
                            stack.work().resolve("cli").resolve("ls-" + i + ".log"),
                            CLI_TIMEOUT);
                    if (ran.exit() != 0 || !ran.output().contains(FerryTarget.APP)) {
                        throw new IOException("ferry ls exited with status " + ran.exit()
                                + " (expected: 0, listing the example app): " + ran.output());
                    }
                    stack.figures().listed(ran.nanos() / 1e6);
                    System.err.printf(
                            "bench: %s: ferry ls %d/%d: %.0f ms%n",
                            stack.name(), i + 1, plan.lsRuns(), ran.nanos() / 1e6);
                } catch (Exception e) {
                    rethrowInterrupt(e);
                    stack.figures().failed("ferry ls", e);
                }
            }
        }
    }

    private void memory() throws Exception {
        for (Stack stack : rotated(0)) {
            try {
                quiet();
                FerryTarget ferry = stack.ferry();
                ferry.makeCold();
                byte[] request = BlockingHttp.get(ferry.host("hello"), "/");
                try (BlockingHttp http = new BlockingHttp(ferry.port(Protocol.HTTP_1_1), 60_000)) {
                    for (int i = 0; i < MEMORY_REQUESTS; i++) {
                        int status = http.send(request);
                        if (status != 200) {
                            throw new IOException("hello answered " + status + " (expected: 200)");
                        }
                    }
                }
                LockSupport.parkNanos(MEMORY_IDLE.toNanos()); // idle, as the row is defined
                JsonNode apps = ferry.apps();
                int port = readyContainerPort(apps, FerryTarget.APP, "hello");
                List<ProcessHandle> processes = ferry.processes();
                long pid = ContainerProcesses.listeningOn(processes, port)
                        .orElseThrow(() -> new IOException("no process of the stack listens on hello's container port "
                                + port + " (expected: the container's JVM)"));
                List<ContainerProcesses.Memory> pool = new ArrayList<>();
                for (long member : ContainerProcesses.idlePoolMembers(processes, containerPorts(apps))) {
                    pool.add(ContainerProcesses.memory(member));
                }
                ContainerProcesses.Memory container = ContainerProcesses.memory(pid);
                stack.figures().memory(container, pool);
                System.err.printf(
                        "bench: %s: idle hello container RSS %s MiB, PSS %s MiB; %d idle pool member(s)%n",
                        stack.name(),
                        BenchReport.format(container.rssMib(), 1),
                        BenchReport.format(container.pssMib(), 1),
                        pool.size());
            } catch (Exception e) {
                rethrowInterrupt(e);
                stack.figures().failed("memory", e);
            }
        }
    }

    /** Nanoseconds of one request to {@code hello} on a new connection, to the end of the answer. */
    private long hello(Stack stack) throws Exception {
        FerryTarget ferry = stack.ferry();
        return OneShot.time(
                loops.get(0),
                ferry.port(Protocol.HTTP_1_1),
                ferry.route(Endpoint.HELLO).orElseThrow(),
                OneShot.Until.RESPONSE_END,
                ONE_SHOT_TIMEOUT);
    }

    /** Waits until every running stack is quiet, at most the plan's limit. */
    private void quiet() {
        if (stacks.isEmpty()) {
            return;
        }
        boolean quiet = CpuQuiet.await(
                () -> {
                    List<ProcessHandle> all = new ArrayList<>();
                    stacks.forEach(s -> all.addAll(s.ferry().processes()));
                    return all;
                },
                plan.quietLimit());
        if (!quiet) {
            notQuiet++;
        }
    }

    /** The stacks, rotated by {@code turn}: none always goes first. */
    private List<Stack> rotated(int turn) {
        List<Stack> rotated = new ArrayList<>();
        for (int i = 0; i < stacks.size(); i++) {
            rotated.add(stacks.get((i + turn) % stacks.size()));
        }
        return rotated;
    }

    /** Containers, in any state but failed, of the version of {@code app} deployed now. */
    static int containersOfCurrentVersion(JsonNode apps, String app, String function) {
        int count = 0;
        for (JsonNode a : apps.path("apps")) {
            if (!a.path("name").asText().equals(app)) {
                continue;
            }
            String version = a.path("version").asText();
            for (JsonNode f : a.path("functions")) {
                if (!f.path("name").asText().equals(function)) {
                    continue;
                }
                for (JsonNode c : f.path("containers")) {
                    if (c.path("version").asText().equals(version)
                            && !c.path("state").asText().equals("FAILED")) {
                        count++;
                    }
                }
            }
        }
        return count;
    }

    /** The port of the ready container of {@code app}'s current version of {@code function}. */
    static int readyContainerPort(JsonNode apps, String app, String function) throws IOException {
        for (JsonNode a : apps.path("apps")) {
            if (!a.path("name").asText().equals(app)) {
                continue;
            }
            String version = a.path("version").asText();
            for (JsonNode f : a.path("functions")) {
                if (!f.path("name").asText().equals(function)) {
                    continue;
                }
                for (JsonNode c : f.path("containers")) {
                    if (c.path("version").asText().equals(version)
                            && c.path("state").asText().equals("READY")) {
                        return port(c.path("address").asText());
                    }
                }
            }
        }
        throw new IOException("no READY container of " + app + "'s current version of " + function
                + " in the admin API's answer (expected: one, just used)");
    }

    /** The ports of every container the admin API lists, in any state. */
    static Set<Integer> containerPorts(JsonNode apps) throws IOException {
        Set<Integer> ports = new HashSet<>();
        for (JsonNode a : apps.path("apps")) {
            for (JsonNode f : a.path("functions")) {
                for (JsonNode c : f.path("containers")) {
                    String address = c.path("address").asText();
                    if (!address.isEmpty() && !address.endsWith(":0")) {
                        ports.add(port(address));
                    }
                }
            }
        }
        return ports;
    }

    private static int port(String address) throws IOException {
        try {
            return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
        } catch (NumberFormatException e) {
            throw new IOException("container address: \"" + address + "\" (expected: HOST:PORT)", e);
        }
    }

    /**
     * Why {@code ferry dev} did not start, in its own words: the first line of its log that is
     * not a JVM warning (such as picocli's "Unknown option: '--warm-pool'", printed before the
     * usage), else the first line of the failure's message.
     */
    static String reason(IOException e, Path log) {
        try {
            for (String line : Files.readAllLines(log)) {
                if (!line.isBlank() && !line.startsWith("WARNING")) {
                    return line.strip();
                }
            }
        } catch (IOException unreadable) {
            // the message says enough
        }
        String message = String.valueOf(e.getMessage());
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    private static void rethrowInterrupt(Exception e) throws InterruptedException {
        if (e instanceof InterruptedException interrupted) {
            throw interrupted;
        }
    }
}
