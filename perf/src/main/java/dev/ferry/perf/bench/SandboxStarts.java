package dev.ferry.perf.bench;

import dev.ferry.worker.Container;
import dev.ferry.worker.ContainerSpec;
import dev.ferry.worker.Sandbox;
import dev.ferry.worker.Worker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
 * <p>Usage: {@code SandboxStarts <out dir> [starts per sandbox, default 10] [sandboxes, default
 * process,bwrap,runc]}, run from the repository root (or with {@code FERRY_ROOT} set) after a
 * build: it needs {@code examples/target/examples.jar} and, as the containers' class path,
 * {@code cli/target/ferry.jar}. runc needs root. Writes {@code <out dir>/summary.md} and prints
 * it. Not wired into {@code ferry bench}.
 */
public final class SandboxStarts {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    private SandboxStarts() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 1 || args.length > 3) {
            System.err.println("usage: SandboxStarts <out dir> [starts per sandbox] [process,bwrap,runc]");
            System.exit(2);
        }
        Path out = Path.of(args[0]).toAbsolutePath();
        int starts = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        List<String> names = args.length > 2 ? List.of(args[2].split(",")) : Sandbox.NAMES;
        Path root = Path.of(System.getenv().getOrDefault("FERRY_ROOT", ".")).toAbsolutePath().normalize();
        Path examples = requireFile(root.resolve("examples/target/examples.jar"));
        Path runtime = requireFile(root.resolve("cli/target/ferry.jar"));
        try (ZipFile zip = new ZipFile(runtime.toFile())) {
            if (zip.getEntry("dev/ferry/function/runtime/ContainerMain.class") == null) {
                throw new IOException(runtime + " holds no function runtime (expected: the shaded CLI jar)");
            }
        }
        Files.createDirectories(out);
        ContainerSpec hello = ContainerSpec.of("examples--hello", "dev.ferry.examples.Hello", examples);

        Map<String, Worker> workers = new LinkedHashMap<>();
        Map<String, List<Double>> ready = new LinkedHashMap<>();
        Map<String, List<Double>> stopped = new LinkedHashMap<>();
        try {
            for (String name : names) {
                Worker worker = Worker.builder()
                        .sandbox(Sandbox.parse(name, out.resolve("runc-state")))
                        .runtimeClasspath(runtime.toString())
                        .startTimeout(START_TIMEOUT)
                        .logSink((container, source, line) -> { })
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
                System.err.println("sandbox starts: round " + (round + 1) + "/" + starts + " done");
            }
        } finally {
            workers.values().forEach(Worker::close);
        }
        String summary = summary(starts, ready, stopped);
        Files.writeString(out.resolve("summary.md"), summary, StandardCharsets.UTF_8);
        System.out.print(summary);
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

    private static String summary(int starts, Map<String, List<Double>> ready, Map<String, List<Double>> stopped) {
        StringBuilder text = new StringBuilder("# Sandbox starts\n\n");
        text.append("Launch to ready of the example `hello` function, ").append(starts)
                .append(" starts per sandbox in interleaved rounds, one container at a time, no class data archive.\n\n");
        Map<String, Object> machine = Machine.describe();
        text.append("Machine: ").append(machine.get("cpus")).append(" CPUs (").append(machine.get("cpu_model")).append("), ")
                .append(machine.get("memory")).append(", ").append(machine.get("os")).append(", ").append(machine.get("java"))
                .append(".\n\n");
        text.append("| sandbox | ready p50 ms | ready p90 ms | ready max ms | stop → exited p50 ms |\n");
        text.append("|---|---:|---:|---:|---:|\n");
        for (Map.Entry<String, List<Double>> entry : ready.entrySet()) {
            List<Double> times = entry.getValue();
            text.append("| ").append(entry.getKey())
                    .append(" | ").append(format(percentile(times, 50)))
                    .append(" | ").append(format(percentile(times, 90)))
                    .append(" | ").append(format(percentile(times, 100)))
                    .append(" | ").append(format(percentile(stopped.get(entry.getKey()), 50)))
                    .append(" |\n");
        }
        text.append("\nEach start in order (ms):\n\n");
        ready.forEach((name, times) -> text.append("- ").append(name).append(": ")
                .append(String.join(", ", times.stream().map(SandboxStarts::format).toList())).append('\n'));
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
        return String.format(java.util.Locale.ROOT, "%.0f", millis);
    }

    private static Path requireFile(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": no such file (expected: built; run ./mvnw -B -DskipTests install in the repository root)");
        }
        return file;
    }
}
