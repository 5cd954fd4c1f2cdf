package dev.ferry.perf.placement;

import dev.ferry.scheduler.Cluster;
import dev.ferry.scheduler.Scheduler;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs {@link PlacementBenchmark} with short, bounded settings (3 warm-up and 5 measured
 * iterations of 1 s, one fork: about 15 s) and writes to the directory {@code args[0]}:
 * {@code placement.txt}, the summary (decisions per second with its 99.9% error), and
 * {@code placement-jmh.json}, JMH's own result. The summary also goes to standard output.
 *
 * <p>Run from the shaded jar: {@code java -cp perf/target/ferry-perf.jar
 * dev.ferry.perf.placement.PlacementBench DIR}. Exit status 2 on a usage error.
 */
public final class PlacementBench {

    private static final String UNSAFE_ALLOWED = "--sun-misc-unsafe-memory-access=allow";

    private PlacementBench() {}

    public static void main(String[] args) throws IOException, RunnerException {
        if (args.length != 1) {
            System.err.println("usage: PlacementBench DIR (expected: one argument, the directory for the results)");
            System.exit(2);
        }
        run(Path.of(args[0]));
    }

    /** Runs the benchmark and writes its results to {@code dir}; returns the summary. */
    public static String run(Path dir) throws IOException, RunnerException {
        Files.createDirectories(dir);
        List<String> forkArgs =
                ManagementFactory.getRuntimeMXBean().getInputArguments().contains(UNSAFE_ALLOWED)
                        ? List.of()
                        : List.of(UNSAFE_ALLOWED);
        Options options = new OptionsBuilder()
                .include("^" + Pattern.quote(PlacementBenchmark.class.getName()) + "\\.")
                .warmupIterations(3)
                .warmupTime(TimeValue.seconds(1))
                .measurementIterations(5)
                .measurementTime(TimeValue.seconds(1))
                .forks(1)
                // JMH 1.37 reads fields through sun.misc.Unsafe, which Java 24+ warns about in the fork.
                .jvmArgsAppend(forkArgs.toArray(String[]::new))
                .result(dir.resolve("placement-jmh.json").toString())
                .resultFormat(ResultFormatType.JSON)
                .build();
        Collection<RunResult> results = new Runner(options).run();
        Result<?> score = results.iterator().next().getPrimaryResult();

        Cluster cluster = PlacementWorkload.freshCluster(PlacementWorkload.workers());
        int placed = PlacementWorkload.placeAll(
                Scheduler.create(), cluster, PlacementWorkload.demands(), PlacementWorkload.containerIds());
        String summary = String.format(
                Locale.ROOT,
                """
                placement: %d containers onto %d workers (%d CPU, %d GPU), one decision at a time (place + allocate)
                decisions/s: %.0f ± %.0f (99.9%% error; %d × 1 s measured after 3 × 1 s warm-up, 1 fork, Java %s)
                one run: %d placed, %d unschedulable
                """,
                PlacementWorkload.CONTAINERS,
                PlacementWorkload.CPU_WORKERS + PlacementWorkload.GPU_WORKERS,
                PlacementWorkload.CPU_WORKERS,
                PlacementWorkload.GPU_WORKERS,
                score.getScore(),
                score.getScoreError(),
                score.getStatistics().getN(),
                Runtime.version(),
                placed,
                PlacementWorkload.CONTAINERS - placed);
        Files.writeString(dir.resolve("placement.txt"), summary);
        System.out.print(summary);
        return summary;
    }
}
