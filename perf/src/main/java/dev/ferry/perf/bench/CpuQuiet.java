package dev.ferry.perf.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * Waits until a set of processes is quiet: together they used less than {@link #MAX_CORES} of
 * a core over the last {@link #WINDOW}. The start-up rows wait so before each timed trial,
 * since what one trial leaves behind (a pool member started to replace the one taken, old
 * containers stopping after a redeploy, a CLI's JVM) would otherwise be measured as part of the
 * next, and more so on a small machine. CPU time comes from {@link ProcessHandle.Info#totalCpuDuration()}
 * (on Linux, /proc in clock ticks of 10 ms); a process born during the window counts with all
 * of its CPU time. Not thread-safe; blocking.
 */
final class CpuQuiet {

    static final Duration WINDOW = Duration.ofMillis(500);
    /** Idle JVMs still tick (heartbeats, the autoscaler): a tenth of a core for all of them. */
    static final double MAX_CORES = 0.10;

    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private record Sample(long atNanos, Map<Long, Long> cpuNanos) {}

    private CpuQuiet() {}

    /**
     * Blocks until the processes that {@code processes} lists (asked anew at each sample) are
     * quiet, or {@code limit} passes.
     *
     * @return whether they were quiet; false when the limit passed first
     */
    static boolean await(Supplier<List<ProcessHandle>> processes, Duration limit) {
        long start = System.nanoTime();
        long deadline = start + limit.toNanos();
        List<Sample> samples = new ArrayList<>();
        while (true) {
            Sample now = sample(processes.get());
            samples.addLast(now);
            while (samples.size() > 1 && now.atNanos() - samples.get(1).atNanos() >= WINDOW.toNanos()) {
                samples.removeFirst(); // keep the newest sample that is at least a window old
            }
            Sample first = samples.getFirst();
            if (now.atNanos() - first.atNanos() >= WINDOW.toNanos()
                    && used(first, now) < MAX_CORES * (now.atNanos() - first.atNanos())) {
                return true;
            }
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
            LockSupport.parkNanos(POLL_NANOS);
        }
    }

    /** CPU nanoseconds the processes of {@code later} used since {@code earlier}. */
    private static double used(Sample earlier, Sample later) {
        double used = 0;
        for (Map.Entry<Long, Long> e : later.cpuNanos().entrySet()) {
            used += e.getValue() - earlier.cpuNanos().getOrDefault(e.getKey(), 0L);
        }
        return used;
    }

    private static Sample sample(List<ProcessHandle> processes) {
        Map<Long, Long> cpu = new HashMap<>();
        for (ProcessHandle p : processes) {
            p.info().totalCpuDuration().ifPresent(d -> cpu.put(p.pid(), d.toNanos()));
        }
        return new Sample(System.nanoTime(), cpu);
    }
}
