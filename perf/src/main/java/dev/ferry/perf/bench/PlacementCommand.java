package dev.ferry.perf.bench;

import dev.ferry.perf.placement.PlacementBench;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./ferry bench placement}: the scheduler's decisions per second (JMH, about 15 s). */
@Command(
        name = "placement",
        mixinStandardHelpOptions = true,
        description =
                "Measures the scheduler: 10,000 containers placed onto 1,000 workers, decisions per second (JMH).")
final class PlacementCommand implements Callable<Integer> {

    @Option(
            names = "--out",
            paramLabel = "DIR",
            description = "Where to write the results (default: perf/results/<timestamp>-placement).")
    Path out;

    @Override
    public Integer call() throws Exception {
        Path dir = BenchMain.resultsDir(out, "placement");
        PlacementBench.run(dir);
        System.out.println("results in " + dir);
        return 0;
    }
}
