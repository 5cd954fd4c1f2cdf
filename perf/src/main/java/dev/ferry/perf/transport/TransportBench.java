package dev.ferry.perf.transport;

import dev.ferry.call.transport.Transport;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * The gateway ↔ container data plane, three designs against each other, the third over TCP and over a
 * Unix domain socket (see {@link Design}):
 * the same {@link EchoCall} (start + 64-byte body up, 200 + the same body down) through each,
 * client and server in this JVM over loopback TCP, each on its own single-thread event loop,
 * the server answering on its loop, so what is measured is the transport, not a runtime.
 *
 * <ul>
 *   <li>{@link #inFlight64}: calls/s with {@value #IN_FLIGHT} calls in flight on the one
 *       connection (a closed loop: each completion starts the next call, {@value #PER_RUN} calls
 *       per invocation).
 *   <li>{@link #oneCall}: the latency of one call at a time, as the benchmark thread sees it, so
 *       including its hand-off to the gateway's loop and back (the same for every design).
 *   <li>{@link #oneAtATime}: the latency of one call at a time with no hand-off: {@value #SEQUENTIAL}
 *       calls back to back on the gateway's loop, each started as the previous one completes.
 * </ul>
 *
 * <p>With {@code -prof gc}, {@code gc.alloc.rate.norm} is the bytes allocated per call by every
 * thread of the process: gateway loop, container loop and benchmark thread together.
 *
 * <p>Run everything (12 forks of about 35 s each: 7 minutes or so), with the allocation profiler, and
 * print a table with the ratios between the designs: {@code java -cp perf/target/ferry-perf.jar dev.ferry.perf.transport.TransportBench
 * [DIR]} (with DIR, also writes {@code transport.txt} and JMH's {@code transport-jmh.json} there).
 * Or any JMH runner: {@code java -cp perf/target/ferry-perf.jar org.openjdk.jmh.Main
 * TransportBench -prof gc}.
 */
@State(Scope.Benchmark)
// gRPC's paths take C2 long to compile (per-call streams: about 25 s on 2 busy cores before calls/s levels off);
// a shorter warm-up measures the JIT, not the transport.
@Warmup(iterations = 5, time = 4)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class TransportBench {

    public static final int IN_FLIGHT = 64;
    public static final int PER_RUN = 512;
    public static final int SEQUENTIAL = 16;

    @Param({"grpc-per-call", "grpc-one-stream", "frames", "frames-local"})
    public String design;

    private EchoPlane plane;
    private EchoRun run;

    @Setup(Level.Trial)
    public void start() throws IOException {
        plane = Design.of(design).start();
        run = new EchoRun(plane);
    }

    @TearDown(Level.Trial)
    public void stop() {
        plane.close();
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @OperationsPerInvocation(PER_RUN)
    public void inFlight64() {
        run.go(PER_RUN, IN_FLIGHT);
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public void oneCall() {
        run.go(1, 1);
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    @OperationsPerInvocation(SEQUENTIAL)
    public void oneAtATime() {
        run.go(SEQUENTIAL, 1);
    }

    private static final String UNSAFE_ALLOWED = "--sun-misc-unsafe-memory-access=allow";
    private static final String NATIVE_ALLOWED = "--enable-native-access=ALL-UNNAMED";

    /** Runs every benchmark of this class with {@code -prof gc} and prints the table; see the class comment. */
    public static void main(String[] args) throws IOException, RunnerException {
        if (args.length > 1) {
            System.err.println(
                    "usage: TransportBench [DIR] (expected: at most one argument, the directory for the results)");
            System.exit(2);
        }
        Path dir = args.length == 1 ? Path.of(args[0]) : null;
        List<String> forkArgs = new ArrayList<>();
        List<String> ours = ManagementFactory.getRuntimeMXBean().getInputArguments();
        // JMH 1.37 and Netty read fields through sun.misc.Unsafe (Java 24+ warns); Netty loads epoll with JNI.
        for (String arg : List.of(UNSAFE_ALLOWED, NATIVE_ALLOWED)) {
            if (!ours.contains(arg)) {
                forkArgs.add(arg);
            }
        }
        ChainedOptionsBuilder options = new OptionsBuilder()
                .include("^" + Pattern.quote(TransportBench.class.getName()) + "\\.")
                .addProfiler(GCProfiler.class)
                .jvmArgsAppend(forkArgs.toArray(String[]::new));
        if (dir != null) {
            Files.createDirectories(dir);
            options.result(dir.resolve("transport-jmh.json").toString()).resultFormat(ResultFormatType.JSON);
        }
        String summary = summary(new Runner(options.build()).run());
        System.out.print(summary);
        if (dir != null) {
            Files.writeString(dir.resolve("transport.txt"), summary);
        }
    }

    /** One design's numbers. */
    private record Row(
            double callsPerSecond,
            double callsPerSecondError,
            double oneCallMean,
            double oneCallP50,
            double oneCallP99,
            double oneAtATime,
            double oneAtATimeError,
            double bytesInFlight,
            double bytesOneCall) {}

    static String summary(Collection<RunResult> results) {
        Map<Design, double[]> values = new EnumMap<>(Design.class);
        for (RunResult result : results) {
            Design design = Design.of(result.getParams().getParam("design"));
            String benchmark = result.getParams().getBenchmark();
            String method = benchmark.substring(benchmark.lastIndexOf('.') + 1);
            Result<?> primary = result.getPrimaryResult();
            double[] v = values.computeIfAbsent(design, d -> new double[9]);
            double alloc = allocNorm(result);
            switch (method) {
                case "inFlight64" -> {
                    v[0] = primary.getScore();
                    v[1] = primary.getScoreError();
                    v[7] = alloc;
                }
                case "oneCall" -> {
                    v[2] = primary.getScore();
                    v[3] = primary.getStatistics().getPercentile(50);
                    v[4] = primary.getStatistics().getPercentile(99);
                    v[8] = alloc;
                }
                case "oneAtATime" -> {
                    v[5] = primary.getScore();
                    v[6] = primary.getScoreError();
                }
                default -> {}
            }
        }
        Map<Design, Row> rows = new EnumMap<>(Design.class);
        values.forEach((design, v) -> rows.put(design, new Row(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8])));

        StringBuilder out = new StringBuilder();
        out.append(String.format(
                Locale.ROOT,
                "gateway <-> container data plane: echo call (start + %d B body up, 200 + %d B down), loopback,"
                        + " %s, %d CPUs, Java %s%n",
                EchoCall.BODY_SIZE,
                EchoCall.BODY_SIZE,
                Transport.describe(),
                Runtime.getRuntime().availableProcessors(),
                Runtime.version()));
        out.append(String.format(
                Locale.ROOT,
                "%-16s %20s %26s %16s %10s %10s%n",
                "design",
                "calls/s (64 in flight)",
                "one call µs mean/p50/p99",
                "back-to-back µs",
                "B/call 64",
                "B/call 1"));
        rows.forEach((design, r) -> out.append(String.format(
                Locale.ROOT,
                "%-16s %12.0f ± %-7.0f %10.1f /%6.1f /%6.1f %9.2f ± %-4.2f %10.0f %10.0f%n",
                design.id(),
                r.callsPerSecond(),
                r.callsPerSecondError(),
                r.oneCallMean(),
                r.oneCallP50(),
                r.oneCallP99(),
                r.oneAtATime(),
                r.oneAtATimeError(),
                r.bytesInFlight(),
                r.bytesOneCall())));
        out.append("ratios (throughput: higher is better; µs and B/call: lower is better)\n");
        ratio(out, rows, "b/a", Design.FRAMES, Design.GRPC_ONE_STREAM);
        ratio(out, rows, "b-local/b", Design.FRAMES_LOCAL, Design.FRAMES);
        ratio(out, rows, "b/0", Design.FRAMES, Design.GRPC_PER_CALL);
        ratio(out, rows, "a/0", Design.GRPC_ONE_STREAM, Design.GRPC_PER_CALL);
        return out.toString();
    }

    private static void ratio(StringBuilder out, Map<Design, Row> rows, String name, Design top, Design bottom) {
        Row t = rows.get(top);
        Row b = rows.get(bottom);
        if (t == null || b == null) {
            return;
        }
        out.append(String.format(
                Locale.ROOT,
                "%-16s %20.2f %26s %16.2f %10.2f %10.2f%n",
                name,
                t.callsPerSecond() / b.callsPerSecond(),
                String.format(
                        Locale.ROOT,
                        "%.2f /%6.2f /%6.2f",
                        t.oneCallMean() / b.oneCallMean(),
                        t.oneCallP50() / b.oneCallP50(),
                        t.oneCallP99() / b.oneCallP99()),
                t.oneAtATime() / b.oneAtATime(),
                t.bytesInFlight() / b.bytesInFlight(),
                t.bytesOneCall() / b.bytesOneCall()));
    }

    /** Bytes allocated per operation (per call), or NaN without the GC profiler. */
    private static double allocNorm(RunResult result) {
        for (var entry : result.getSecondaryResults().entrySet()) {
            if (entry.getKey().endsWith("gc.alloc.rate.norm")) {
                return entry.getValue().getScore();
            }
        }
        return Double.NaN;
    }
}
