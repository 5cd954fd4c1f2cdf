package dev.ferry.perf.bench;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The CPU time a target's processes use over one measured run, per request completed.
 *
 * <p>{@link #start}: which processes count ({@link Target#cpuProcesses}, which may ask the
 * target: Ferry's admin API), then the ticks of every candidate ({@link Target#cpuCandidates},
 * {@link CpuTicks}). {@link #stop}: the ticks of every candidate again, at once, and only then
 * which count again, so nothing but /proc is read between the two samples. A process counted
 * at either end counts; one that started during the run (a container the autoscaler added)
 * counts with all of its ticks. The load generator runs in the bench's own JVM, never among
 * the candidates. Not thread-safe; blocking.
 */
final class CpuMeter {

    /** What one run used: {@code ticks} of CPU over {@code requests} completed, and the processes counted. */
    record Use(long ticks, long ticksPerSecond, long requests, Map<Long, String> processes) {

        double seconds() {
            return CpuTicks.seconds(ticks, ticksPerSecond);
        }

        /** Microseconds of CPU per request completed; NaN when none was. */
        double microsPerRequest() {
            return CpuTicks.microsPerRequest(ticks, ticksPerSecond, requests);
        }
    }

    private final Target target;
    private final Map<Long, String> counted;
    private final Map<Long, Long> before;

    private CpuMeter(Target target, Map<Long, String> counted, Map<Long, Long> before) {
        this.target = target;
        this.counted = counted;
        this.before = before;
    }

    /** Finds the processes that count and samples their CPU time: call it right before the run. */
    static CpuMeter start(Target target) throws IOException, InterruptedException {
        List<ProcessHandle> candidates = target.cpuCandidates();
        Map<Long, String> counted = new LinkedHashMap<>(target.cpuProcesses(candidates));
        return new CpuMeter(target, counted, CpuTicks.sample(pids(candidates)));
    }

    /** Samples again and finds the processes that count again: call it right after the run. */
    Use stop(long requests) throws IOException, InterruptedException {
        List<ProcessHandle> candidates = target.cpuCandidates();
        Map<Long, Long> after = CpuTicks.sample(pids(candidates));
        Map<Long, String> all = new LinkedHashMap<>(counted);
        target.cpuProcesses(candidates).forEach(all::putIfAbsent);
        long hz = CpuTicks.ticksPerSecond();
        return new Use(CpuTicks.used(before, after, all.keySet()), hz, requests, all);
    }

    private static List<Long> pids(List<ProcessHandle> processes) {
        return processes.stream().map(ProcessHandle::pid).distinct().toList();
    }
}
