package dev.ferry.perf.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ferry bench workers}: the figures of the workers and the scheduler, in one run.
 * <ol>
 *   <li>sandbox start cost: containers of the example {@code hello} started and stopped under
 *       each sandbox in interleaved rounds, launch to ready and stop to exited
 *       ({@link SandboxStarts});</li>
 *   <li>healing: a cluster of a controller, a gateway and two workers on a Redis of the bench's
 *       own; the worker that runs hello's container is killed with SIGKILL, and the time until
 *       the controller declares it lost, until hello answers 200 again from a replacement on
 *       the other worker, and every other answer in between are recorded; then the worker is
 *       started again for the next trial ({@link WorkerHealing}).</li>
 * </ol>
 * Writes {@code summary.md} and {@code workers.json} (every start, every trial with its
 * answers in order) under {@code perf/results/<timestamp>-workers/}, with every process's log
 * and home in {@code logs/}, and stops every process it started. All traffic is to 127.0.0.1.
 */
@Command(
        name = "workers",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = "Measures the workers: each sandbox's container start, and how long hello takes to serve again "
                + "after the worker that runs it is killed with SIGKILL.")
public final class WorkersBench implements Callable<Integer> {

    static final String SANDBOXES = "sandboxes";
    static final String HEALING = "healing";

    @Option(
            names = "--quick",
            description = "A short run (under a minute on 2 cores): 2 starts per sandbox, 1 healing trial.")
    boolean quick;

    @Option(
            names = "--parts",
            split = ",",
            defaultValue = "sandboxes,healing",
            description = "What to measure (default: ${DEFAULT-VALUE}).")
    List<String> parts;

    @Option(names = "--starts", paramLabel = "N", description = "Measured starts per sandbox (default: 10; quick: 2).")
    Integer starts;

    @Option(
            names = "--sandboxes",
            split = ",",
            defaultValue = "process,bwrap,runc",
            description = "Which sandboxes to start containers in (default: ${DEFAULT-VALUE}); bwrap-root and"
                    + " runc-root are those without user namespaces, as root.")
    List<String> sandboxes;

    @Option(
            names = "--trials",
            paramLabel = "N",
            description = "Healing trials, one worker killed in each (default: 5; quick: 1).")
    Integer trials;

    @Option(
            names = "--poll-interval-ms",
            paramLabel = "MILLIS",
            defaultValue = "20",
            description =
                    "Between calls of hello, and between the admin API's polls, during a trial (default: ${DEFAULT-VALUE}).")
    int pollIntervalMillis;

    @Option(
            names = "--give-up",
            paramLabel = "SECONDS",
            defaultValue = "60",
            description =
                    "A trial stops waiting for the replacement this long after the kill (default: ${DEFAULT-VALUE}).")
    double giveUp;

    @Option(
            names = "--out",
            paramLabel = "DIR",
            description = "Where to write the report (default: perf/results/<timestamp>-workers).")
    Path out;

    /** What to measure, after defaults and checks. */
    record Plan(
            List<String> parts,
            int starts,
            List<String> sandboxes,
            int trials,
            Duration pollInterval,
            Duration giveUp) {

        boolean has(String part) {
            return parts.contains(part);
        }

        Map<String, Object> settings() {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("parts", parts);
            s.put("starts_per_sandbox", starts);
            s.put("sandboxes", sandboxes);
            s.put("healing_trials", trials);
            s.put("poll_interval_ms", pollInterval.toMillis());
            s.put("give_up_s", giveUp.toMillis() / 1000.0);
            return s;
        }
    }

    Plan plan() {
        List<String> known = List.of(SANDBOXES, HEALING);
        for (String part : parts) {
            if (!known.contains(part)) {
                throw new CommandLine.ParameterException(
                        new CommandLine(this),
                        "--parts: " + part + " (expected: some of " + String.join(", ", known) + ")");
            }
        }
        for (String sandbox : sandboxes) {
            if (!SandboxStarts.NAMES.contains(sandbox)) {
                throw new CommandLine.ParameterException(
                        new CommandLine(this),
                        "--sandboxes: " + sandbox + " (expected: some of " + String.join(", ", SandboxStarts.NAMES)
                                + ")");
            }
        }
        if (pollIntervalMillis < 1 || pollIntervalMillis > 1000) {
            throw new CommandLine.ParameterException(
                    new CommandLine(this), "--poll-interval-ms: " + pollIntervalMillis + " (expected: 1 to 1000)");
        }
        return new Plan(
                known.stream().filter(parts::contains).toList(),
                OptionChecks.positive(this, "--starts", starts, quick ? 2 : 10),
                SandboxStarts.NAMES.stream().filter(sandboxes::contains).toList(),
                OptionChecks.positive(this, "--trials", trials, quick ? 1 : 5),
                Duration.ofMillis(pollIntervalMillis),
                OptionChecks.seconds(this, "--give-up", giveUp, 0));
    }

    @Override
    public Integer call() throws Exception {
        Plan plan = plan();
        try {
            if (plan.has(HEALING)) {
                RedisProcess.executable();
            }
            if (plan.has(SANDBOXES) && plan.sandboxes().contains("bwrap")) {
                Processes.executable("bwrap", "apt-get install bubblewrap");
            }
            if (plan.has(SANDBOXES) && plan.sandboxes().contains("runc")) {
                Processes.executable("runc", "apt-get install runc");
            }
        } catch (IOException e) {
            System.err.println("ferry bench workers: " + e.getMessage());
            return 1;
        }
        Path root = BenchMain.root();
        Path dir = BenchMain.resultsDir(out, "workers");
        Path logs = dir.resolve("logs");
        Files.createDirectories(logs);
        long began = System.nanoTime();
        Map<String, Object> machine = Machine.describe();
        machine.put("bwrap", Processes.version("bwrap", "--version"));
        machine.put("runc", Processes.version("runc", "--version"));
        machine.put("redis_server", RedisProcess.version());
        ClusterReport report = new ClusterReport(List.of(SANDBOXES, HEALING), machine, plan.settings());
        report.line("# ferry bench workers");
        report.line("");
        report.line("All on 127.0.0.1: " + machine.get("cpus") + " CPUs (" + machine.get("cpu_model") + "), "
                + machine.get("memory")
                + " memory, " + machine.get("os") + ", " + machine.get("java") + "; " + machine.get("bwrap") + ", "
                + machine.get("runc")
                + ", redis-server " + machine.get("redis_server")
                + "; Ferry from cli/target/ferry.jar. The bench and every process"
                + " it starts share the CPUs.");
        report.line("");
        report.line("Settings: " + plan.settings());
        String loadBefore = ClusterBench.loadAverage();
        if (plan.has(SANDBOXES)) {
            sandboxes(plan, root, logs, report);
        }
        if (plan.has(HEALING)) {
            healing(plan, root, logs, report);
        }
        double seconds = (System.nanoTime() - began) / 1e9;
        report.put("run_seconds", Math.round(seconds * 10) / 10.0);
        String loadAfter = ClusterBench.loadAverage();
        report.put("load_average_before", loadBefore);
        report.put("load_average_after", loadAfter);
        report.footer("");
        report.footer("Load average (1, 5, 15 min) before the run: " + loadBefore + "; after it: " + loadAfter
                + " (its own included)."
                + (ClusterBench.busy(loadBefore)
                        ? " A load above half the CPUs before the run may mean other work competed with it."
                        : ""));
        report.footer("");
        report.footer(String.format(Locale.ROOT, "Whole run: %.0f s.", seconds));
        report.write(dir, "workers.json");
        System.out.println(report.markdown());
        System.out.println("summary: " + dir.resolve("summary.md"));
        System.out.println("json:    " + dir.resolve("workers.json"));
        return 0;
    }

    // ---- part 1 ----

    private static void sandboxes(Plan plan, Path root, Path logs, ClusterReport report) throws Exception {
        System.err.printf(
                "bench: sandbox starts: %d per sandbox of %s, after one unmeasured each%n",
                plan.starts(), plan.sandboxes());
        SandboxStarts.Results r = SandboxStarts.run(root, logs.resolve("sandboxes"), plan.starts(), plan.sandboxes());
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("starts_per_sandbox", r.starts());
        for (String name : r.ready().keySet()) {
            List<Double> ready = r.ready().get(name);
            List<Double> stopped = r.stopped().get(name);
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("ready_p50_ms", SandboxStarts.percentile(ready, 50));
            s.put("ready_p90_ms", SandboxStarts.percentile(ready, 90));
            s.put("ready_max_ms", SandboxStarts.percentile(ready, 100));
            s.put("stopped_p50_ms", SandboxStarts.percentile(stopped, 50));
            s.put("stopped_max_ms", SandboxStarts.percentile(stopped, 100));
            s.put("ready_ms", ready.stream().map(WorkersBench::round1).toList());
            s.put("stopped_ms", stopped.stream().map(WorkersBench::round1).toList());
            json.put(name, s);
        }
        report.put(SANDBOXES, json);
        report.line(SANDBOXES, "");
        report.line(SANDBOXES, "## 1. Sandbox start cost");
        report.line(SANDBOXES, "");
        report.line(
                SANDBOXES,
                "Containers of the example `hello` function started by a worker in this JVM, one at a time: launch to ready"
                        + " (`Worker.start` to the container's ready line; for runc with writing the bundle), then stop to exited (for runc with"
                        + " `runc delete`). " + r.starts()
                        + " starts per sandbox in interleaved rounds whose order rotates, after one unmeasured"
                        + " start each; no class data archive. Nearest-rank percentiles.");
        report.line(SANDBOXES, "");
        report.line(SANDBOXES, SandboxStarts.markdown(r).stripTrailing());
        System.err.print(SandboxStarts.markdown(r));
    }

    // ---- part 2 ----

    private static void healing(Plan plan, Path root, Path logs, ClusterReport report) throws Exception {
        List<WorkerHealing.Trial> trials = new ArrayList<>();
        double warmMs;
        try (RedisProcess redis = RedisProcess.start(logs.resolve("redis"), logs.resolve("redis.log"))) {
            System.err.println("bench: " + redis);
            System.err.println("bench: starting the cluster: controller, worker-a, worker-b, gateway-1");
            try (ClusterNodes nodes = ClusterNodes.start(root, logs, redis.url(), 1, List.of("worker-a", "worker-b"))) {
                nodes.deployExamples();
                WorkerHealing healing = new WorkerHealing(nodes, plan.pollInterval(), plan.giveUp());
                warmMs = healing.warm();
                System.err.printf("bench: hello warm after %.0f ms: %s%n", warmMs, nodes);
                for (int i = 1; i <= plan.trials(); i++) {
                    trials.add(healing.trial(i));
                }
                System.err.println("bench: stopping the cluster");
            }
        }

        Map<String, Object> json = new LinkedHashMap<>();
        json.put("first_hello_ms", round1(warmMs));
        json.put("median_lost_ms", median(trials, WorkerHealing.Trial::lostMs));
        json.put("median_replacement_ready_ms", median(trials, WorkerHealing.Trial::replacementReadyMs));
        json.put("median_serving_again_ms", median(trials, WorkerHealing.Trial::servingMs));
        json.put("median_non_200", median(trials, t -> (double) t.nonOk()));
        json.put("trials", trials);
        report.put(HEALING, json);

        report.line(HEALING, "");
        report.line(HEALING, "## 2. Healing after kill -9 of a worker");
        report.line(HEALING, "");
        report.line(
                HEALING,
                "A controller, a gateway and two workers (`worker-a`, `worker-b`, sandbox `process`) as separate JVMs on one"
                        + " redis-server. Each trial kills (SIGKILL) the worker whose JVM runs `hello`'s container, then calls hello through the"
                        + " gateway on one keep-alive connection every "
                        + plan.pollInterval().toMillis() + " ms until a 200 comes from the"
                        + " replacement on the other worker; meanwhile the admin API (`GET /v1/apps`) is asked every "
                        + plan.pollInterval().toMillis()
                        + " ms whether it still lists the dead worker. The killed worker's container lives"
                        + " on as an orphan until it notices its parent is gone, and answers meanwhile; hello's answer does not name its"
                        + " container, so a 200 counts as the replacement's when its call was sent after the orphan had exited, or after the"
                        + " controller declared its worker lost (gateways then drop it) and it had stopped listening on its port; the"
                        + " orphan's 200s are counted apart. Times in ms from the kill. Then the killed worker is"
                        + " started again (same id, fresh home) and the next trial waits until it is listed and hello's container runs on one"
                        + " worker. A trial gives up " + plan.giveUp().toSeconds() + " s after the kill.");
        report.line(HEALING, "");
        report.line(
                HEALING,
                "| trial | killed | declared lost | replacement listed READY | serving again | non-200 answers | their"
                        + " outcomes | orphan's 200s (last at) | orphan stopped listening | orphan exited | killed worker back in |");
        report.line(HEALING, "|---|---|---:|---:|---:|---:|---|---:|---:|---:|---:|");
        for (WorkerHealing.Trial t : trials) {
            report.line(
                    HEALING,
                    "| " + t.number() + " | " + t.killed() + " | " + ms(t.lostMs()) + " | " + ms(t.replacementReadyMs())
                            + " | " + ms(t.servingMs()) + " | "
                            + t.nonOk() + " | " + (t.failures().isEmpty() ? "–" : outcomes(t.failures())) + " | "
                            + t.orphanOks()
                            + (t.orphanOks() > 0 ? " (" + ms(t.lastOrphanOkMs()) + ")" : "") + " | "
                            + ms(t.oldStoppedListeningMs()) + " | "
                            + ms(t.orphansGoneMs()) + " | " + ms(t.rejoinMs()) + " |");
        }
        report.line(
                HEALING,
                "| **median** | | **" + ms(median(trials, WorkerHealing.Trial::lostMs)) + "** | "
                        + ms(median(trials, WorkerHealing.Trial::replacementReadyMs)) + " | **"
                        + ms(median(trials, WorkerHealing.Trial::servingMs)) + "** | **"
                        + BenchReport.format(median(trials, t -> (double) t.nonOk()), 1) + "** | | | "
                        + ms(median(trials, WorkerHealing.Trial::oldStoppedListeningMs)) + " | "
                        + ms(median(trials, WorkerHealing.Trial::orphansGoneMs)) + " | "
                        + ms(median(trials, WorkerHealing.Trial::rejoinMs)) + " |");
        report.line(HEALING, "");
        report.line(HEALING, "What each trial's calls got, in order (outcome × calls, from–to ms after the kill):");
        report.line(HEALING, "");
        for (WorkerHealing.Trial t : trials) {
            List<String> spans = t.timeline().stream()
                    .map(s -> s.outcome() + " × " + s.count() + " (" + ms(s.fromMs()) + "–" + ms(s.toMs()) + ")")
                    .toList();
            report.line(
                    HEALING,
                    "- trial " + t.number() + " (" + t.killed() + " killed, " + t.oldContainers()
                            + " orphaned; replacement "
                            + (t.newContainer().isEmpty()
                                    ? "not listed"
                                    : t.newContainer() + " on " + t.newContainerWorker())
                            + "): "
                            + String.join(", ", spans));
        }
        long missed = trials.stream().filter(t -> t.servingMs() < 0).count();
        if (missed > 0) {
            report.line(HEALING, "");
            report.line(
                    HEALING,
                    missed + " of " + trials.size() + " trials saw no 200 from a replacement within "
                            + plan.giveUp().toSeconds() + " s (\"–\"); their medians count them as missing.");
        }
    }

    private static String outcomes(Map<String, Integer> failures) {
        List<String> parts = new ArrayList<>();
        failures.forEach((outcome, count) -> parts.add(outcome + " × " + count));
        return String.join(", ", parts);
    }

    /** The median of the trials' values that happened (>= 0); NaN when none did. */
    private static double median(
            List<WorkerHealing.Trial> trials, java.util.function.ToDoubleFunction<WorkerHealing.Trial> value) {
        List<Double> values = trials.stream()
                .map(value::applyAsDouble)
                .filter(v -> v >= 0)
                .sorted()
                .toList();
        if (values.isEmpty()) {
            return Double.NaN;
        }
        int n = values.size();
        return n % 2 == 1 ? values.get(n / 2) : (values.get(n / 2 - 1) + values.get(n / 2)) / 2;
    }

    private static String ms(double millis) {
        return millis < 0 || Double.isNaN(millis) ? "–" : BenchReport.format(millis, 0);
    }

    private static double round1(double value) {
        return Math.round(value * 10) / 10.0;
    }
}
