package dev.ferry.perf.placement;

import dev.ferry.scheduler.Cluster;
import dev.ferry.scheduler.Demand;
import dev.ferry.scheduler.Node;
import dev.ferry.scheduler.Scheduler;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Scheduler decisions per second: one invocation places {@value PlacementWorkload#CONTAINERS}
 * containers, one at a time, onto an empty cluster of 1,000 workers (see
 * {@link PlacementWorkload}); a decision is {@link Scheduler#place} plus, when placed,
 * {@link Cluster#allocate}, as the controller does. Unschedulable decisions count too: they
 * are the expensive ones, since they explain themselves.
 *
 * <p>Each invocation starts from a fresh, empty cluster built outside the measurement.
 * Run it with {@link PlacementBench} (short, bounded settings) or any JMH runner.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PlacementBenchmark {

    private final Scheduler scheduler = Scheduler.create();
    private List<Node> workers;
    private Demand[] demands;
    private String[] containerIds;
    private Cluster cluster;

    @Setup(Level.Trial)
    public void workload() {
        workers = PlacementWorkload.workers();
        demands = PlacementWorkload.demands();
        containerIds = PlacementWorkload.containerIds();
    }

    @Setup(Level.Invocation)
    public void emptyCluster() {
        cluster = PlacementWorkload.freshCluster(workers);
    }

    @Benchmark
    @OperationsPerInvocation(PlacementWorkload.CONTAINERS)
    public int placeTenThousandContainers() {
        return PlacementWorkload.placeAll(scheduler, cluster, demands, containerIds);
    }
}
