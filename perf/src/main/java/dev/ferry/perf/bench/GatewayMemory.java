package dev.ferry.perf.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Samples one JVM's memory while a bench runs: its resident set ({@code VmRSS} of
 * {@code /proc/<pid>/status}), open file descriptors and threads every {@code period}, and its
 * Java heap (used and committed, from {@code jstat -gc <pid> <period>}, one process for the whole
 * run: a {@code jcmd} per sample would cost a JVM start each). A heap figure is the latest jstat
 * line at the sample's time. Thread-safe.
 */
final class GatewayMemory implements AutoCloseable {

    /**
     * One sample: when (nanoTime), RSS, heap used and committed (KiB; -1 when unknown), fds,
     * threads, and the CPU time used so far (clock ticks, user and system; -1 when unknown).
     */
    record Sample(
            long nanos, long rssKib, long heapUsedKib, long heapCommittedKib, int fds, int threads, long cpuTicks) {}

    /** The kernel's clock ticks per second, as /proc reports CPU times; 100 on every Linux Ferry runs on. */
    static final int TICKS_PER_SECOND = 100;

    private final long pid;
    private final Duration period;
    private final List<Sample> samples = new ArrayList<>();
    private final Thread sampler;
    private final Process jstat;
    private final Thread jstatReader;
    private volatile long heapUsedKib = -1;
    private volatile long heapCommittedKib = -1;
    private volatile String heapProblem;
    private volatile boolean stopped;

    private GatewayMemory(long pid, Duration period) {
        this.pid = pid;
        this.period = period;
        Process started = null;
        try {
            Path jstatPath = Path.of(System.getProperty("java.home"), "bin", "jstat");
            started = new ProcessBuilder(
                            jstatPath.toString(), "-gc", Long.toString(pid), Long.toString(period.toMillis()))
                    .redirectErrorStream(true)
                    .start();
        } catch (IOException e) {
            heapProblem = "jstat did not start: " + e.getMessage();
        }
        this.jstat = started;
        this.jstatReader = Thread.ofPlatform().daemon().name("jstat-" + pid).unstarted(this::readJstat);
        this.sampler = Thread.ofPlatform().daemon().name("memory-" + pid).unstarted(this::sample);
    }

    /** Starts sampling process {@code pid} every {@code period}. */
    static GatewayMemory start(long pid, Duration period) {
        GatewayMemory m = new GatewayMemory(pid, period);
        if (m.jstat != null) {
            m.jstatReader.start();
        }
        m.sampler.start();
        return m;
    }

    private void readJstat() {
        try (BufferedReader in =
                new BufferedReader(new InputStreamReader(jstat.getInputStream(), StandardCharsets.US_ASCII))) {
            List<String> header = null;
            String line;
            while ((line = in.readLine()) != null) {
                String[] cols = line.trim().split("\\s+");
                if (cols.length > 0 && cols[0].equals("S0C")) {
                    header = Arrays.asList(cols);
                    continue;
                }
                if (header == null || cols.length != header.size()) {
                    if (!line.isBlank()) {
                        heapProblem = "jstat: " + line.strip();
                    }
                    continue;
                }
                double used = 0;
                double committed = 0;
                for (String c : List.of("S0U", "S1U", "EU", "OU")) {
                    used += value(header, cols, c);
                }
                for (String c : List.of("S0C", "S1C", "EC", "OC")) {
                    committed += value(header, cols, c);
                }
                heapUsedKib = Math.round(used);
                heapCommittedKib = Math.round(committed);
                heapProblem = null;
            }
        } catch (IOException e) {
            if (!stopped) {
                heapProblem = "jstat: " + e.getMessage();
            }
        }
    }

    private static double value(List<String> header, String[] cols, String name) {
        int i = header.indexOf(name);
        if (i < 0) {
            return 0;
        }
        try {
            return Double.parseDouble(cols[i]);
        } catch (NumberFormatException e) {
            return 0; // "-": not in use by this collector
        }
    }

    private void sample() {
        Path proc = Path.of("/proc", Long.toString(pid));
        while (!stopped) {
            long rss = -1;
            int threads = -1;
            try {
                for (String line : Files.readAllLines(proc.resolve("status"))) {
                    if (line.startsWith("VmRSS:")) {
                        rss = Long.parseLong(line.replaceAll("[^0-9]", ""));
                    } else if (line.startsWith("Threads:")) {
                        threads = Integer.parseInt(line.replaceAll("[^0-9]", ""));
                    }
                }
            } catch (IOException | RuntimeException e) {
                return; // the process is gone
            }
            int fds = -1;
            try (Stream<Path> list = Files.list(proc.resolve("fd"))) {
                fds = (int) list.count();
            } catch (IOException | RuntimeException e) {
                // not ours to read: left unknown
            }
            long cpu = -1;
            try {
                String stat = Files.readString(proc.resolve("stat"));
                // After the command's closing parenthesis: state is field 3, utime 14 and stime 15.
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                cpu = Long.parseLong(f[11]) + Long.parseLong(f[12]);
            } catch (IOException | RuntimeException e) {
                // left unknown
            }
            synchronized (this) {
                samples.add(new Sample(System.nanoTime(), rss, heapUsedKib, heapCommittedKib, fds, threads, cpu));
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
        return heapProblem;
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
                : Math.round((last.cpuTicks() - first.cpuTicks()) * 100.0 / TICKS_PER_SECOND) / 100.0;
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
        if (jstat != null) {
            jstat.destroy();
            if (!jstat.waitFor(5, TimeUnit.SECONDS)) {
                jstat.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
            jstatReader.join(5_000);
        }
    }
}
