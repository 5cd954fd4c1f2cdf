package dev.ferry.perf.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ferry bench chaos}: a cluster of separate processes on a redis-server of the bench's
 * own — two controllers, two workers, two gateways — under steady open-loop traffic through
 * both gateways ({@link ChaosTraffic}: hello, 2 s slow calls, SSE streams, WebSockets), while
 * faults are injected one after another, each after a steady spell and followed by a wait
 * until the traffic runs clean again, then by the restart of what it killed. For each fault
 * the report gives the calls sent, those that failed and why, and the time from the fault
 * until every kind of call succeeds again.
 *
 * <p>Calls are filed under a fault by the time they were sent: a fault's window runs from
 * the start of the steady spell before it to the start of the next one, so a slow call that
 * was in flight when the fault struck is the fault's.
 */
@Command(
        name = "chaos",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = "Injects faults one after another into a cluster of two controllers, two workers and two"
                + " gateways on Redis under steady traffic (hello, slow, SSE, WebSocket) and reports, per fault,"
                + " the calls sent, failed and why, and the time until full service again.")
public final class ChaosBench implements Callable<Integer> {

    static final String REDEPLOY = "redeploy";
    static final String KILL_CONTAINER = "kill-container";
    static final String KILL_WORKER = "kill-worker";
    static final String KILL_LEADER = "kill-leader";
    static final String KILL_GATEWAY = "kill-gateway";
    static final String STOP_WORKER = "stop-worker";
    static final String REDIS_RESTART = "redis-restart";
    static final String REDIS_WIPE = "redis-wipe";
    static final String DISK_FULL = "disk-full";
    static final List<String> FAULTS = List.of(
            REDEPLOY,
            KILL_CONTAINER,
            DISK_FULL,
            KILL_WORKER,
            KILL_LEADER,
            KILL_GATEWAY,
            STOP_WORKER,
            REDIS_RESTART,
            REDIS_WIPE);

    /** The worker whose home is a small tmpfs, for disk-full. */
    private static final String DISK_WORKER = "worker-2";

    private static final String TMPFS_SIZE = "256m";

    /** The worker heartbeat window: a lost worker is declared after 3 missed 1 s beats. */
    static final Duration HEARTBEAT_WINDOW = Duration.ofSeconds(3);

    private static final String LEADER_KEY = "ferry:default:leader";
    private static final List<String> WORKERS = List.of("worker-1", "worker-2");

    @Option(
            names = "--quick",
            description = "A short run: one redeploy, short spells (2 to 2.5 s), lower rates; every fault.")
    boolean quick;

    @Option(
            names = "--faults",
            split = ",",
            paramLabel = "FAULT",
            defaultValue = "redeploy,kill-container,disk-full,kill-worker,kill-leader,kill-gateway,stop-worker,"
                    + "redis-restart,redis-wipe",
            description = "The faults, in this order; redis-wipe loses the cluster's state, so it is best last"
                    + " (default: ${DEFAULT-VALUE}).")
    List<String> faults;

    @Option(
            names = "--redeploys",
            paramLabel = "N",
            description = "Rolling redeploys, a row each (default: 3; quick: 1).")
    Integer redeploys;

    @Option(
            names = "--hello-rate",
            paramLabel = "PER_SECOND",
            description = "hello calls per second, over both gateways (default: 40; quick: 20).")
    Double helloRate;

    @Option(
            names = "--stream-rate",
            paramLabel = "PER_SECOND",
            description = "slow calls, SSE streams and WebSockets per second, each (default: 2; quick: 1).")
    Double streamRate;

    @Option(
            names = "--warmup",
            paramLabel = "SECONDS",
            description = "Traffic before the first fault, not reported (default: 15; quick: 2).")
    Double warmup;

    @Option(
            names = "--steady",
            paramLabel = "SECONDS",
            description = "Steady traffic before each fault; longer than a slow call (default: 5; quick: 2.5).")
    Double steady;

    @Option(
            names = "--quiet",
            paramLabel = "SECONDS",
            description = "After a fault, how long no call may fail before the next step (default: 3; quick: 2).")
    Double quiet;

    @Option(
            names = "--recovery-limit",
            paramLabel = "SECONDS",
            description = "The longest wait for that quiet after a fault (default: 60; quick: 10).")
    Double recoveryLimit;

    @Option(
            names = "--stop-for",
            paramLabel = "SECONDS",
            description = "How long stop-worker keeps the worker stopped (SIGSTOP) (default: 5; quick: 2).")
    Double stopFor;

    @Option(
            names = "--full-for",
            paramLabel = "SECONDS",
            description = "How long disk-full keeps the worker's disk full (default: 5; quick: 2).")
    Double fullFor;

    @Option(
            names = "--redis-down",
            paramLabel = "SECONDS",
            description = "How long Redis stays down in redis-restart and redis-wipe (default: 2; quick: 1).")
    Double redisDown;

    @Option(
            names = "--threads",
            defaultValue = "2",
            description = "Load generator threads (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(
            names = "--out",
            paramLabel = "DIR",
            description = "Where to write the report (default: perf/results/<timestamp>-chaos).")
    Path out;

    /** What to run and how long, after defaults and checks. */
    record Plan(
            List<String> faults,
            int redeploys,
            double helloRate,
            double streamRate,
            Duration warmup,
            Duration steady,
            Duration quiet,
            Duration recoveryLimit,
            Duration stopFor,
            Duration fullFor,
            Duration redisDown,
            int threads) {

        Map<String, Object> settings() {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("faults", faults);
            s.put("redeploys", redeploys);
            s.put("hello_per_s", helloRate);
            s.put("slow_sse_ws_per_s_each", streamRate);
            s.put("warmup_s", warmup.toMillis() / 1000.0);
            s.put("steady_s", steady.toMillis() / 1000.0);
            s.put("quiet_s", quiet.toMillis() / 1000.0);
            s.put("recovery_limit_s", recoveryLimit.toMillis() / 1000.0);
            s.put("stop_for_s", stopFor.toMillis() / 1000.0);
            s.put("full_for_s", fullFor.toMillis() / 1000.0);
            s.put("redis_down_s", redisDown.toMillis() / 1000.0);
            s.put("load_threads", threads);
            return s;
        }
    }

    Plan plan() {
        for (String fault : faults) {
            if (!FAULTS.contains(fault)) {
                throw new CommandLine.ParameterException(
                        new CommandLine(this),
                        "--faults: " + fault + " (expected: some of " + String.join(", ", FAULTS) + ")");
            }
        }
        return new Plan(
                List.copyOf(faults),
                OptionChecks.positive(this, "--redeploys", redeploys, quick ? 1 : 3),
                OptionChecks.seconds(this, "--hello-rate", helloRate, quick ? 20 : 40)
                                .toMillis()
                        / 1000.0,
                OptionChecks.seconds(this, "--stream-rate", streamRate, quick ? 1 : 2)
                                .toMillis()
                        / 1000.0,
                OptionChecks.seconds(this, "--warmup", warmup, quick ? 2 : 15),
                OptionChecks.seconds(this, "--steady", steady, quick ? 2.5 : 5),
                OptionChecks.seconds(this, "--quiet", quiet, quick ? 2 : 3),
                OptionChecks.seconds(this, "--recovery-limit", recoveryLimit, quick ? 10 : 60),
                OptionChecks.seconds(this, "--stop-for", stopFor, quick ? 2 : 5),
                OptionChecks.seconds(this, "--full-for", fullFor, quick ? 2 : 5),
                OptionChecks.seconds(this, "--redis-down", redisDown, quick ? 1 : 2),
                OptionChecks.positive(this, "--threads", threads, 2));
    }

    /** One fault as injected: its row's name, what was done, and the marks of its window (nanoTime). */
    static final class Fault {
        final String name;
        final String kind;
        String action = "";
        String restore = "";
        String skipped;
        long steadyStart;
        long windowStart;
        long faultStart;
        long faultEnd;
        long restoreStart;
        long restoreEnd;
        long windowEnd;

        Fault(String name, String kind) {
            this.name = name;
            this.kind = kind;
        }
    }

    @Override
    public Integer call() throws Exception {
        Plan plan = plan();
        try {
            RedisProcess.executable();
        } catch (IOException e) {
            System.err.println("ferry bench chaos: " + e.getMessage());
            return 1;
        }
        Path root = BenchMain.root();
        Path dir = BenchMain.resultsDir(out, "chaos");
        Path logs = dir.resolve("logs");
        Files.createDirectories(logs);
        long began = System.nanoTime();
        String loadBefore = ClusterBench.loadAverage();
        List<Fault> done = new ArrayList<>();
        List<ChaosTraffic.Outcome> outcomes;
        long trafficStart;
        long warmupEnd;
        long reconnects;
        // disk-full's worker gets its home on a tmpfs of its own, mounted before it starts.
        Path disk = logs.resolve(DISK_WORKER + "-home");
        String noDisk = plan.faults().contains(DISK_FULL) ? mountTmpfs(disk) : "not asked for";
        EventLoopGroup group = ClientTransport.group(plan.threads());
        try (RedisProcess redis = RedisProcess.start(dir.resolve("redis"), logs.resolve("redis.log"))) {
            System.err.println("bench: " + redis);
            System.err.println("bench: starting the cluster: 2 controllers, 2 workers, 2 gateways");
            long t = System.nanoTime();
            try (ClusterNodes nodes = ClusterNodes.start(root, logs, redis.url(), 2, WORKERS, 2)) {
                nodes.deployExamples();
                System.err.printf(
                        Locale.ROOT,
                        "bench: cluster up, examples deployed in %.1f s: %s%n",
                        (System.nanoTime() - t) / 1e9,
                        nodes);
                DiskFull diskFull = new DiskFull(
                        disk, noDisk, nodes.workers().get(DISK_WORKER).process().pid(), plan.fullFor());
                ChaosTraffic traffic = new ChaosTraffic(group, nodes.gateways());
                try {
                    trafficStart = System.nanoTime();
                    traffic.start(plan.helloRate(), plan.streamRate(), plan.streamRate(), plan.streamRate());
                    System.err.printf(Locale.ROOT, "bench: traffic on; warm-up %.0f s%n", seconds(plan.warmup()));
                    sleep(plan.warmup());
                    awaitQuiet(traffic, plan);
                    warmupEnd = System.nanoTime();
                    for (String name : plan.faults()) {
                        int repeats = name.equals(REDEPLOY) ? plan.redeploys() : 1;
                        for (int i = 1; i <= repeats; i++) {
                            Fault fault = new Fault(repeats > 1 ? name + "-" + i : name, name);
                            done.add(fault);
                            inject(fault, plan, nodes, redis, traffic, diskFull);
                        }
                    }
                } finally {
                    traffic.stop(Duration.ofSeconds(12));
                }
                // A call is the fault's that last struck before it ended.
                for (int i = 0; i < done.size(); i++) {
                    done.get(i).windowEnd = i + 1 < done.size() ? done.get(i + 1).faultStart : System.nanoTime();
                }
                outcomes = traffic.outcomes();
                reconnects = traffic.reconnects();
                System.err.println("bench: stopping the cluster");
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
            if (noDisk == null) {
                unmount(disk);
            }
        }
        double runSeconds = (System.nanoTime() - began) / 1e9;
        String loadAfter = ClusterBench.loadAverage();

        Map<String, Object> json = new LinkedHashMap<>();
        json.put("machine", Machine.describe());
        json.put("redis", RedisProcess.version());
        json.put("settings", plan.settings());
        json.put("load_average_before", loadBefore);
        json.put("load_average_after", loadAfter);
        json.put("run_seconds", round1(runSeconds));
        json.put("warmup", window(outcomes, trafficStart, done.isEmpty() ? warmupEnd : done.getFirst().faultStart));
        json.put("reconnects_to_the_other_gateway", reconnects);
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Fault fault : done) {
            rows.add(row(fault, outcomes, plan, trafficStart));
        }
        json.put("faults", rows);
        json.put("timeline", timeline(outcomes, trafficStart));
        List<String> goals = goals(rows);
        json.put("goals", goals);

        String markdown = summary(plan, rows, goals, loadBefore, loadAfter, runSeconds, reconnects);
        Files.writeString(dir.resolve("summary.md"), markdown);
        new ObjectMapper()
                .enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(dir.resolve("chaos.json").toFile(), json);
        System.out.println(markdown);
        System.out.println("summary: " + dir.resolve("summary.md"));
        System.out.println("json:    " + dir.resolve("chaos.json"));
        return 0;
    }

    // ---- the faults ----

    private static void inject(
            Fault fault, Plan plan, ClusterNodes nodes, RedisProcess redis, ChaosTraffic traffic, DiskFull diskFull)
            throws Exception {
        fault.steadyStart = System.nanoTime();
        System.err.printf("bench: %s: steady traffic, then the fault%n", fault.name);
        sleep(plan.steady());
        fault.faultStart = System.nanoTime();
        fault.windowStart = fault.faultStart;
        Runnable restore = null;
        try {
            restore = switch (fault.kind) {
                case REDEPLOY -> {
                    nodes.deployExamples();
                    fault.action = "POST /v1/apps with the examples jar (a new version of every function)";
                    yield null;
                }
                case KILL_CONTAINER -> killContainer(fault, nodes);
                case KILL_WORKER -> killWorker(fault, nodes);
                case DISK_FULL -> {
                    diskFull.inject(fault, nodes);
                    yield null;
                }
                case KILL_LEADER -> killLeader(fault, nodes, redis);
                case KILL_GATEWAY -> killGateway(fault, nodes, traffic);
                case STOP_WORKER -> {
                    stopWorker(fault, nodes, plan.stopFor());
                    yield null;
                }
                case REDIS_RESTART -> {
                    redis.saveAndKill();
                    sleep(plan.redisDown());
                    redis.restart();
                    fault.action = "SAVE, SIGKILL to redis-server, " + seconds(plan.redisDown())
                            + " s down, started again with its data";
                    yield null;
                }
                case REDIS_WIPE -> {
                    redis.killAndForget();
                    sleep(plan.redisDown());
                    redis.restart();
                    fault.action = "SIGKILL to redis-server, its data deleted, " + seconds(plan.redisDown())
                            + " s down, started again empty";
                    yield null;
                }
                default -> throw new IllegalStateException("fault: " + fault.kind);
            };
        } catch (IOException | RuntimeException e) {
            fault.skipped =
                    "could not inject: " + e.getMessage().lines().findFirst().orElse("");
            System.err.println("bench: " + fault.name + ": " + e.getMessage());
        }
        fault.faultEnd = System.nanoTime();
        System.err.printf("bench: %s: %s%n", fault.name, fault.skipped != null ? fault.skipped : fault.action);
        awaitQuiet(traffic, plan);
        fault.restoreStart = System.nanoTime();
        if (restore != null) {
            try {
                restore.run();
            } catch (RuntimeException e) {
                fault.restore +=
                        " (failed: " + e.getMessage().lines().findFirst().orElse("") + ")";
                System.err.println("bench: " + fault.name + ": restore: " + e.getMessage());
            }
            awaitQuiet(traffic, plan);
        }
        fault.restoreEnd = System.nanoTime();
    }

    private static Runnable killContainer(Fault fault, ClusterNodes nodes) throws Exception {
        // After a redeploy the new version's containers may still be starting, and the old
        // one's stopping: wait for a READY one whose process is found listening on its port.
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        List<JsonNode> seen = List.of();
        while (System.nanoTime() < deadline) {
            seen = containers(nodes.view(), "slow");
            for (JsonNode container : seen) {
                if (!container.path("state").asText().equals("READY")) {
                    continue;
                }
                String address = container.path("address").asText();
                int port = Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
                Optional<ProcessHandle> process =
                        ContainerProcesses.listeningOn(nodes.processes(), port).flatMap(ProcessHandle::of);
                if (process.isPresent()) {
                    process.get().destroyForcibly();
                    process.get().onExit().get(10, TimeUnit.SECONDS);
                    fault.action = "SIGKILL to slow's container "
                            + container.path("id").asText() + " on "
                            + container.path("worker").asText() + " (its 2 s calls in flight)";
                    return null;
                }
            }
            Thread.sleep(200);
        }
        throw new IOException("no READY container of slow with a process listening on its port within 15 s; its"
                + " containers: "
                + seen.stream()
                        .map(c ->
                                c.path("id").asText() + " " + c.path("version").asText() + " "
                                        + c.path("state").asText())
                        .toList());
    }

    private static Runnable killWorker(Fault fault, ClusterNodes nodes) throws Exception {
        String id = busiestWorker(nodes);
        List<ProcessHandle> orphans = nodes.killWorker(id);
        fault.action = "SIGKILL to " + id + "'s JVM (" + orphans.size() + " container processes left orphaned)";
        return () -> {
            try {
                nodes.startWorker(id);
                fault.restore = id + " started again (empty home)";
            } catch (IOException e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        };
    }

    private static Runnable killLeader(Fault fault, ClusterNodes nodes, RedisProcess redis) throws Exception {
        Object leader = redis.call("GET", LEADER_KEY);
        if (!(leader instanceof String id) || !nodes.controllers().containsKey(id)) {
            throw new IOException("no leader in " + LEADER_KEY + ": " + leader);
        }
        nodes.killController(id);
        fault.action = "SIGKILL to the leading controller, " + id + " (the standby takes over)";
        return () -> {
            try {
                nodes.restartController(id);
                fault.restore = id + " started again (a standby)";
            } catch (IOException e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        };
    }

    private static Runnable killGateway(Fault fault, ClusterNodes nodes, ChaosTraffic traffic) {
        String id = nodes.gateways().getFirst().id();
        nodes.killGateway(id);
        fault.action = "SIGKILL to " + id + " (its clients reconnect to the other)";
        return () -> {
            try {
                nodes.restartGateway(id);
                traffic.gatewayUp(id);
                fault.restore = id + " started again on its port, clients back on it";
            } catch (IOException e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        };
    }

    private static void stopWorker(Fault fault, ClusterNodes nodes, Duration stopFor) throws Exception {
        String id = busiestWorker(nodes);
        long pid = nodes.workers().get(id).process().pid();
        signal("STOP", pid);
        try {
            sleep(stopFor);
        } finally {
            signal("CONT", pid);
        }
        fault.action =
                "SIGSTOP to " + id + "'s JVM for " + seconds(stopFor) + " s, then SIGCONT (its containers run on)";
    }

    /**
     * A worker's home on a small tmpfs, filled to the last byte for a while and then freed:
     * whatever the worker writes there meanwhile (jars, pool files, caches) fails with ENOSPC.
     *
     * @param problem why there is no tmpfs (mount refused, not asked for); null when mounted
     */
    private record DiskFull(Path home, String problem, long pid, Duration fullFor) {

        void inject(Fault fault, ClusterNodes nodes) throws IOException, InterruptedException {
            if (problem != null) {
                throw new IOException("no tmpfs for " + DISK_WORKER + "'s home: " + problem);
            }
            if (nodes.workers().get(DISK_WORKER).process().pid() != pid) {
                throw new IOException(DISK_WORKER + " was started again since, with a home off the tmpfs");
            }
            Path filler = home.resolve("chaos-filler");
            long written = 0;
            try (var out = Files.newOutputStream(filler)) {
                byte[] chunk = new byte[1 << 20];
                while (written < (1L << 30)) { // bounded: the tmpfs is far smaller
                    out.write(chunk);
                    written += chunk.length;
                }
            } catch (IOException e) {
                // ENOSPC: full, as meant
            }
            try {
                sleep(fullFor);
            } finally {
                Files.deleteIfExists(filler);
            }
            fault.action = String.format(
                    Locale.ROOT,
                    "%s's home (a %s tmpfs) filled to the last byte (%d MiB) for %.0f s, then freed",
                    DISK_WORKER,
                    TMPFS_SIZE,
                    written >> 20,
                    seconds(fullFor));
        }
    }

    /** Mounts a {@link #TMPFS_SIZE} tmpfs on {@code dir}: null when done, else why not (not root, no mount). */
    private static String mountTmpfs(Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + TMPFS_SIZE, "tmpfs", dir.toString())
                .redirectErrorStream(true)
                .start();
        String said = new String(mount.getInputStream().readAllBytes()).strip();
        if (!mount.waitFor(10, TimeUnit.SECONDS) || mount.exitValue() != 0) {
            System.err.println("bench: disk-full will be skipped: mount: " + said);
            return "mount -t tmpfs refused: " + said.lines().findFirst().orElse("(no message)");
        }
        return null;
    }

    private static void unmount(Path dir) {
        try {
            Process umount = new ProcessBuilder("umount", "-l", dir.toString())
                    .redirectErrorStream(true)
                    .start();
            String said = new String(umount.getInputStream().readAllBytes()).strip();
            if (!umount.waitFor(10, TimeUnit.SECONDS) || umount.exitValue() != 0) {
                System.err.println("bench: umount " + dir + ": " + said);
            }
        } catch (IOException e) {
            System.err.println("bench: umount " + dir + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void signal(String name, long pid) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid))
                .redirectErrorStream(true)
                .start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IOException("kill -" + name + " " + pid + " failed: "
                    + new String(kill.getInputStream().readAllBytes()).strip());
        }
    }

    /** The worker with the most containers now (the first when none has any). */
    private static String busiestWorker(ClusterNodes nodes) throws IOException, InterruptedException {
        Map<String, Integer> counts = new TreeMap<>();
        WORKERS.forEach(w -> counts.put(w, 0));
        for (JsonNode app : nodes.view().path("apps")) {
            for (JsonNode f : app.path("functions")) {
                f.path("containers")
                        .forEach(c -> counts.computeIfPresent(c.path("worker").asText(), (k, v) -> v + 1));
            }
        }
        return counts.entrySet().stream()
                .max(Map.Entry.comparingByValue())
                .map(Map.Entry::getKey)
                .orElse(WORKERS.getFirst());
    }

    /** The containers of function {@code function} of the examples app, as the admin API lists them. */
    static List<JsonNode> containers(JsonNode view, String function) {
        List<JsonNode> containers = new ArrayList<>();
        for (JsonNode app : view.path("apps")) {
            for (JsonNode f : app.path("functions")) {
                if (f.path("id").asText().equals(FerryTarget.APP + "--" + function)) {
                    f.path("containers").forEach(containers::add);
                }
            }
        }
        return containers;
    }

    /**
     * Waits until no call has failed for {@link Plan#quiet}, none in flight is more than 2 s
     * late (a hanging call fails only at its timeout) and a slow call's length has passed, at
     * most {@link Plan#recoveryLimit}.
     */
    private static void awaitQuiet(ChaosTraffic traffic, Plan plan) throws InterruptedException {
        long start = System.nanoTime();
        long limit = start + plan.recoveryLimit().toNanos();
        long earliest =
                start + Math.max(plan.quiet().toNanos(), Duration.ofMillis(2500).toNanos());
        while (System.nanoTime() < limit) {
            long now = System.nanoTime();
            if (now >= earliest
                    && now - traffic.lastFailureEnd() >= plan.quiet().toNanos()
                    && !traffic.overdue(Duration.ofSeconds(2))) {
                return;
            }
            Thread.sleep(50);
        }
        System.err.printf(
                Locale.ROOT, "bench: calls still failing after %.0f s; going on%n", seconds(plan.recoveryLimit()));
    }

    // ---- the report ----

    /** Calls, failed and why, of the calls that ended in [{@code from}, {@code to}). */
    private static Map<String, Object> window(List<ChaosTraffic.Outcome> outcomes, long from, long to) {
        Map<String, Object> w = new LinkedHashMap<>();
        Map<String, long[]> byKind = new LinkedHashMap<>();
        Map<String, Long> reasons = new TreeMap<>();
        long sent = 0;
        long failed = 0;
        for (ChaosTraffic.Outcome o : outcomes) {
            if (o.endNanos() < from || o.endNanos() >= to) {
                continue;
            }
            sent++;
            long[] k = byKind.computeIfAbsent(o.kind().label(), x -> new long[2]);
            k[0]++;
            if (!o.ok()) {
                failed++;
                k[1]++;
                reasons.merge(o.kind().label() + ": " + o.failure(), 1L, Long::sum);
            }
        }
        w.put("calls", sent);
        w.put("failed", failed);
        Map<String, Object> kinds = new LinkedHashMap<>();
        byKind.forEach((kind, k) -> kinds.put(kind, Map.of("calls", k[0], "failed", k[1])));
        w.put("by_kind", kinds);
        w.put("failures", reasons);
        return w;
    }

    private static Map<String, Object> row(
            Fault fault, List<ChaosTraffic.Outcome> outcomes, Plan plan, long trafficStart) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("fault", fault.name);
        row.put("action", fault.action);
        if (fault.skipped != null) {
            row.put("skipped", fault.skipped);
        }
        row.put("restore", fault.restore);
        row.put(
                "window_s",
                List.of(
                        round1((fault.windowStart - trafficStart) / 1e9),
                        round1((fault.windowEnd - trafficStart) / 1e9)));
        row.put("fault_at_s", round1((fault.faultStart - trafficStart) / 1e9));
        row.put("fault_lasted_s", round1((fault.faultEnd - fault.faultStart) / 1e9));
        row.putAll(window(outcomes, fault.windowStart, fault.windowEnd));
        long sentBefore = 0;
        long duringRestore = 0;
        for (ChaosTraffic.Outcome o : outcomes) {
            if (o.ok() || o.endNanos() < fault.windowStart || o.endNanos() >= fault.windowEnd) {
                continue;
            }
            if (o.sentNanos() < fault.faultEnd) {
                sentBefore++;
            }
            if (o.sentNanos() >= fault.restoreStart) {
                duringRestore++;
            }
        }
        row.put("failed_sent_before_the_fault_ended", sentBefore);
        row.put("failed_sent_during_restore", duringRestore);
        Map<String, Object> recovery = new LinkedHashMap<>();
        Double worst = 0.0;
        for (ChaosTraffic.Kind kind : ChaosTraffic.Kind.values()) {
            Double r = recovery(outcomes, kind, fault);
            recovery.put(kind.label(), r);
            worst = r == null || worst == null ? null : Math.max(worst, r);
        }
        row.put("full_service_after_s_by_kind", recovery);
        row.put("full_service_after_s", worst);
        return row;
    }

    /**
     * Seconds from the fault's start until calls of {@code kind} succeed again, each sent after
     * it until the restore (at least 1 s of them): the sending of the first success after the
     * last failure. 0 when none failed; null when they never came back within the window.
     */
    static Double recovery(List<ChaosTraffic.Outcome> outcomes, ChaosTraffic.Kind kind, Fault fault) {
        long end = fault.restoreStart;
        long lastFailure = Long.MIN_VALUE;
        for (ChaosTraffic.Outcome o : outcomes) {
            if (o.kind() == kind && !o.ok() && in(o, fault) && o.sentNanos() < end) {
                lastFailure = Math.max(lastFailure, o.sentNanos());
            }
        }
        if (lastFailure == Long.MIN_VALUE) {
            return 0.0;
        }
        long firstOk = Long.MAX_VALUE;
        for (ChaosTraffic.Outcome o : outcomes) {
            if (o.kind() == kind && o.ok() && in(o, fault) && o.sentNanos() > lastFailure && o.sentNanos() < end) {
                firstOk = Math.min(firstOk, o.sentNanos());
            }
        }
        if (firstOk == Long.MAX_VALUE || end - firstOk < Duration.ofSeconds(1).toNanos()) {
            return null;
        }
        return round1(Math.max(0, firstOk - fault.faultStart) / 1e9);
    }

    /** Whether {@code o} is {@code fault}'s: it ended in its window. */
    private static boolean in(ChaosTraffic.Outcome o, Fault fault) {
        return o.endNanos() >= fault.windowStart && o.endNanos() < fault.windowEnd;
    }

    private static List<Map<String, Object>> timeline(List<ChaosTraffic.Outcome> outcomes, long trafficStart) {
        TreeMap<Long, long[]> seconds = new TreeMap<>();
        for (ChaosTraffic.Outcome o : outcomes) {
            long[] s = seconds.computeIfAbsent((o.sentNanos() - trafficStart) / 1_000_000_000L, x -> new long[2]);
            s[o.ok() ? 0 : 1]++;
        }
        List<Map<String, Object>> list = new ArrayList<>();
        seconds.forEach((s, n) -> list.add(Map.of("s", s, "ok", n[0], "failed", n[1])));
        return list;
    }

    /** The goals, judged row by row: "met: ..." or "missed: ...". */
    static List<String> goals(List<Map<String, Object>> rows) {
        List<String> goals = new ArrayList<>();
        for (Map<String, Object> row : rows) {
            String name = (String) row.get("fault");
            if (row.containsKey("skipped")) {
                goals.add("not judged: " + name + " (" + row.get("skipped") + ")");
                continue;
            }
            long failed = (Long) row.get("failed");
            long after = failed - (Long) row.get("failed_sent_before_the_fault_ended");
            if (name.startsWith(KILL_CONTAINER) || name.startsWith(KILL_WORKER) || name.startsWith(KILL_GATEWAY)) {
                goals.add((after == 0 ? "met" : "missed") + ": " + name + ": only calls in flight at the kill fail ("
                        + after + " failed that were sent after the kill)");
            } else if (!name.startsWith(REDIS_WIPE)) {
                goals.add((failed == 0 ? "met" : "missed") + ": " + name + ": 0 failed (" + failed + ")");
            }
            Double back = (Double) row.get("full_service_after_s");
            double allowed = (Double) row.get("fault_lasted_s") + HEARTBEAT_WINDOW.toSeconds();
            goals.add((back != null && back <= allowed ? "met" : "missed") + ": " + name
                    + ": full service within 3 s of the fault's end ("
                    + (back == null ? "not within the window" : back + " s after its start") + ", fault lasted "
                    + row.get("fault_lasted_s") + " s)");
        }
        return goals;
    }

    private static String summary(
            Plan plan,
            List<Map<String, Object>> rows,
            List<String> goals,
            String loadBefore,
            String loadAfter,
            double runSeconds,
            long reconnects) {
        StringBuilder md = new StringBuilder();
        md.append("# ferry bench chaos\n\n");
        md.append(Machine.clusterLine("2 controllers, 2 workers, 2 gateways")).append("\n\n");
        md.append(String.format(
                Locale.ROOT,
                "Traffic through both gateways, open loop: hello %.0f/s; slow (2 s), SSE (%d events, 200 ms apart) and"
                        + " WebSocket (%d echoes) %.1f/s each. Each fault after %.0f s of steady traffic; the next step"
                        + " once no call has failed for %.1f s (at most %.0f s).%n%n",
                plan.helloRate(),
                ChaosTraffic.SSE_EVENTS,
                ChaosTraffic.WS_ECHOES,
                plan.streamRate(),
                seconds(plan.steady()),
                seconds(plan.quiet()),
                seconds(plan.recoveryLimit())));
        md.append("| fault | what was done | calls | failed | of them sent before the fault ended | why (calls) |"
                + " full service after (s) |\n");
        md.append("|---|---|---:|---:|---:|---|---:|\n");
        for (Map<String, Object> row : rows) {
            @SuppressWarnings("unchecked")
            Map<String, Long> failures = (Map<String, Long>) row.get("failures");
            String why = failures.isEmpty()
                    ? "–"
                    : String.join(
                            "; ",
                            failures.entrySet().stream()
                                    .map(e -> e.getKey() + " (" + e.getValue() + ")")
                                    .toList());
            Object back = row.get("full_service_after_s");
            String what =
                    row.containsKey("skipped") ? "**skipped**: " + row.get("skipped") : (String) row.get("action");
            if (!((String) row.get("restore")).isEmpty()) {
                what += "; then " + row.get("restore");
            }
            md.append("| ")
                    .append(row.get("fault"))
                    .append(" | ")
                    .append(what.replace("|", "\\|"))
                    .append(" | ")
                    .append(row.get("calls"))
                    .append(" | ")
                    .append(row.get("failed"))
                    .append(" | ")
                    .append(row.get("failed_sent_before_the_fault_ended"))
                    .append(" | ")
                    .append(why.replace("|", "\\|"))
                    .append(" | ")
                    .append(back == null ? "not back" : back)
                    .append(" |\n");
        }
        md.append("\n");
        md.append("Calls are a fault's when they ended between its start and the next fault's (the restart of what"
                + " it killed included). \"Full service after\" is the time from the fault's"
                + " start until every kind of call succeeds again, for good: for each kind, the sending of the first"
                + " success after its last failure (0 when none failed).\n\n");
        md.append("Connections refused by a dead gateway and opened to the other instead (not failures): ")
                .append(reconnects)
                .append(".\n\n");
        md.append("```\n");
        goals.forEach(g -> md.append(g).append('\n'));
        md.append("```\n\n");
        md.append(String.format(
                Locale.ROOT,
                "Load average (1, 5, 15 min) before the run: %s; after it: %s. Whole run: %.0f s.%n",
                loadBefore,
                loadAfter,
                runSeconds));
        return md.toString();
    }

    private static void sleep(Duration d) throws InterruptedException {
        Thread.sleep(d.toMillis());
    }

    private static double seconds(Duration d) {
        return d.toMillis() / 1000.0;
    }

    private static double round1(double v) {
        return Math.round(v * 10) / 10.0;
    }
}
