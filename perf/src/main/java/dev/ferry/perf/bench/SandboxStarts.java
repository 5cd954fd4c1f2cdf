package dev.ferry.perf.bench;

import dev.ferry.worker.Container;
import dev.ferry.worker.ContainerSpec;
import dev.ferry.worker.Sandbox;
import dev.ferry.worker.Worker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipFile;

/**
 * What each sandbox costs a cold start: starts containers of the example {@code hello}
 * function under {@code process}, {@code bwrap} and {@code runc}, one at a time, and measures
 * launch to ready (from {@code Worker.start} to the container's ready line: for runc that
 * includes writing the bundle and runc's own start). The sandboxes take turns within each
 * round, in an order that rotates from round to round, so that a machine getting busier or
 * warmer favours none of them. One unmeasured start per sandbox goes first (page cache, the
 * worker's own classes). No class data archive: a sandboxed container only reads one, so
 * with one the comparison would be of archives, not sandboxes. Each container is stopped, and
 * its exit awaited (for runc: {@code runc delete}, also timed), before the next starts.
 *
 * <p>Part of {@code ferry bench workers} ({@link WorkersBench}, {@code --parts sandboxes}),
 * which replaced this class's own {@code main}. Needs {@code examples/target/examples.jar}
 * and, as the containers' class path, {@code cli/target/ferry.jar}; runc needs root.
 */
final class SandboxStarts {

    /** The sandboxes it starts in: {@link Sandbox#NAMES}, and bwrap and runc without user namespaces. */
    static final List<String> NAMES = List.of("process", "bwrap", "bwrap-root", "runc", "runc-root");

    /** The suffix of a sandbox run without user namespaces, its containers root without capabilities. */
    private static final String ROOT = "-root";

    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    /**
     * What a run measured, per sandbox in the order asked for: milliseconds from launch to
     * ready, and from stop to exited, of each measured start in order.
     */
    record Results(int starts, Map<String, List<Double>> ready, Map<String, List<Double>> stopped) {}

    private SandboxStarts() {}

    /**
     * Measures {@code starts} starts per sandbox of {@code names}, after one unmeasured start
     * each; blocking (about a second per start). runc keeps its state under {@code work}.
     *
     * @param root the Ferry checkout, built
     * @throws IOException when a jar is missing or not the one expected
     * @throws java.util.concurrent.ExecutionException when a container does not start or stop
     */
    static Results run(Path root, Path work, int starts, List<String> names) throws Exception {
        if (starts < 1) {
            throw new IllegalArgumentException("starts: " + starts + " (expected: >= 1)");
        }
        FerryBuild build = FerryBuild.of(root);
        Path examples = build.examplesJar();
        Path runtime = build.ferryJar();
        try (ZipFile zip = new ZipFile(runtime.toFile())) {
            if (zip.getEntry("dev/ferry/function/runtime/ContainerMain.class") == null) {
                throw new IOException(runtime + " holds no function runtime (expected: the shaded CLI jar)");
            }
        }
        Files.createDirectories(work);
        ContainerSpec hello = ContainerSpec.of("examples--hello", "dev.ferry.examples.Hello", examples);

        Map<String, Worker> workers = new LinkedHashMap<>();
        Map<String, List<Double>> ready = new LinkedHashMap<>();
        Map<String, List<Double>> stopped = new LinkedHashMap<>();
        try {
            for (String name : names) {
                boolean asRoot = name.endsWith(ROOT);
                String sandbox = asRoot ? name.substring(0, name.length() - ROOT.length()) : name;
                Worker worker = Worker.builder()
                        .sandbox(Sandbox.parse(sandbox, work.resolve("runc-state-" + name)))
                        .userNamespaces(!asRoot)
                        .runtimeClasspath(runtime.toString())
                        .startTimeout(START_TIMEOUT)
                        .logSink((container, source, line) -> {})
                        .build();
                workers.put(name, worker);
                ready.put(name, new ArrayList<>());
                stopped.put(name, new ArrayList<>());
                startAndStop(worker, hello);
            }
            for (int round = 0; round < starts; round++) {
                for (int i = 0; i < names.size(); i++) {
                    String name = names.get((round + i) % names.size());
                    double[] times = startAndStop(workers.get(name), hello);
                    ready.get(name).add(times[0]);
                    stopped.get(name).add(times[1]);
                }
                System.err.println("bench: sandbox starts: round " + (round + 1) + "/" + starts + " done");
            }
        } finally {
            workers.values().forEach(Worker::close);
        }
        return new Results(starts, ready, stopped);
    }

    /** Milliseconds from start to ready, and from stop to exited. */
    private static double[] startAndStop(Worker worker, ContainerSpec spec) throws Exception {
        long launched = System.nanoTime();
        Container container = worker.start(spec).get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        long isReady = System.nanoTime();
        container.stop().get(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        long exited = System.nanoTime();
        return new double[] {(isReady - launched) / 1e6, (exited - isReady) / 1e6};
    }

    /** The results as markdown: a table of percentiles per sandbox, then every start in order. */
    static String markdown(Results results) {
        StringBuilder text = new StringBuilder();
        text.append(
                "| sandbox | ready p50 ms | ready p90 ms | ready max ms | stop → exited p50 ms | stop → exited max ms |\n");
        text.append("|---|---:|---:|---:|---:|---:|\n");
        for (Map.Entry<String, List<Double>> entry : results.ready().entrySet()) {
            List<Double> times = entry.getValue();
            List<Double> stops = results.stopped().get(entry.getKey());
            text.append("| ")
                    .append(entry.getKey())
                    .append(" | ")
                    .append(format(percentile(times, 50)))
                    .append(" | ")
                    .append(format(percentile(times, 90)))
                    .append(" | ")
                    .append(format(percentile(times, 100)))
                    .append(" | ")
                    .append(format(percentile(stops, 50)))
                    .append(" | ")
                    .append(format(percentile(stops, 100)))
                    .append(" |\n");
        }
        text.append("\nEach start in order, launch to ready (ms):\n\n");
        results.ready()
                .forEach((name, times) -> text.append("- ")
                        .append(name)
                        .append(": ")
                        .append(String.join(
                                ", ", times.stream().map(SandboxStarts::format).toList()))
                        .append('\n'));
        return text.toString();
    }

    /** Nearest-rank percentile: with 10 values, p50 is the 5th smallest and p90 the 9th. */
    static double percentile(List<Double> values, int percent) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = values.stream().sorted().toList();
        int rank = (int) Math.ceil(percent / 100.0 * sorted.size());
        return sorted.get(Math.max(0, rank - 1));
    }

    private static String format(double millis) {
        if (Double.isNaN(millis)) {
            return "–";
        }
        return String.format(java.util.Locale.ROOT, "%.0f", millis);
    }
}
