package dev.ferry.perf.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Samples one JVM's memory while a bench runs, every {@code period}: its resident set, open
 * file descriptors and threads ({@link ProcessUsage}), CPU time ({@link CpuTicks}) and Java heap,
 * used and committed ({@link HsPerfData}: the counters jstat reads, without starting a JVM per
 * sample). Thread-safe.
 */
final class GatewayMemory implements AutoCloseable {

    /**
     * One sample: when (nanoTime), RSS, heap used and committed (KiB; -1 when unknown), fds,
     * threads, and the CPU time used so far (clock ticks, user and system; -1 when unknown).
     */
    record Sample(
            long nanos, long rssKib, long heapUsedKib, long heapCommittedKib, int fds, int threads, long cpuTicks) {}

    private final long pid;
    private final Duration period;
    private final List<Sample> samples = new ArrayList<>();
    private final Thread sampler;
    private volatile boolean heapSeen;
    private volatile boolean stopped;

    private GatewayMemory(long pid, Duration period) {
        this.pid = pid;
        this.period = period;
        this.sampler = Thread.ofPlatform().daemon().name("memory-" + pid).unstarted(this::sample);
    }

    /** Starts sampling process {@code pid} every {@code period}. */
    static GatewayMemory start(long pid, Duration period) {
        GatewayMemory m = new GatewayMemory(pid, period);
        m.sampler.start();
        return m;
    }

    private void sample() {
        while (!stopped) {
            Optional<ProcessUsage> usage = ProcessUsage.of(pid, false);
            if (usage.isEmpty()) {
                return; // the process is gone
            }
            Optional<HsPerfData.Heap> heap = HsPerfData.heapKib(pid);
            heapSeen |= heap.isPresent();
            synchronized (this) {
                samples.add(new Sample(
                        System.nanoTime(),
                        usage.get().rssKib(),
                        heap.map(HsPerfData.Heap::usedKib).orElse(-1L),
                        heap.map(HsPerfData.Heap::committedKib).orElse(-1L),
                        usage.get().fds(),
                        usage.get().threads(),
                        CpuTicks.read(pid).orElse(-1)));
            }
            try {
                Thread.sleep(period.toMillis());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Every sample so far. */
    synchronized List<Sample> samples() {
        return List.copyOf(samples);
    }

    /** Why heap figures are missing, if they are. */
    String heapProblem() {
        return heapSeen || samples().isEmpty()
                ? null
                : "no heap counters for pid " + pid + " in " + System.getProperty("java.io.tmpdir")
                        + "/hsperfdata_* (a JVM run with -XX:-UsePerfData, or another user's)";
    }

    /** The peaks of the samples taken in [{@code from}, {@code to}) (nanoTime), in MiB. */
    Map<String, Object> peaks(long from, long to) {
        long rss = -1;
        long used = -1;
        long committed = -1;
        int fds = -1;
        int threads = -1;
        int n = 0;
        for (Sample s : samples()) {
            if (s.nanos() < from || s.nanos() >= to) {
                continue;
            }
            n++;
            rss = Math.max(rss, s.rssKib());
            used = Math.max(used, s.heapUsedKib());
            committed = Math.max(committed, s.heapCommittedKib());
            fds = Math.max(fds, s.fds());
            threads = Math.max(threads, s.threads());
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("samples", n);
        m.put("rss_peak_mib", mib(rss));
        m.put("heap_used_peak_mib", mib(used));
        m.put("heap_committed_peak_mib", mib(committed));
        m.put("fds_peak", fds < 0 ? null : fds);
        m.put("threads_peak", threads < 0 ? null : threads);
        m.put("cpu_s", cpuSeconds(from, to));
        return m;
    }

    /** CPU seconds the process used between the first and the last sample in [{@code from}, {@code to}); null when unknown. */
    Double cpuSeconds(long from, long to) {
        Sample first = null;
        Sample last = null;
        for (Sample s : samples()) {
            if (s.nanos() >= from && s.nanos() < to && s.cpuTicks() >= 0) {
                first = first == null ? s : first;
                last = s;
            }
        }
        return first == null || first == last
                ? null
                : Math.round((last.cpuTicks() - first.cpuTicks()) * 100.0 / CpuTicks.ticksPerSecond()) / 100.0;
    }

    /** The last sample before {@code at} (nanoTime), in MiB: what a spell left behind. */
    Map<String, Object> at(long at) {
        Sample last = null;
        for (Sample s : samples()) {
            if (s.nanos() <= at) {
                last = s;
            }
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rss_mib", last == null ? null : mib(last.rssKib()));
        m.put("heap_used_mib", last == null ? null : mib(last.heapUsedKib()));
        m.put("fds", last == null ? null : last.fds());
        return m;
    }

    static Double mib(long kib) {
        return kib < 0 ? null : Math.round(kib / 102.4) / 10.0;
    }

    @Override
    public void close() throws InterruptedException {
        stopped = true;
        sampler.interrupt();
        sampler.join(5_000);
    }
}
