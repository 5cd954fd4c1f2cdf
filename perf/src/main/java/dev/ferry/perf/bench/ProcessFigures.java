package dev.ferry.perf.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One process's figures at one moment, read from /proc: resident memory, threads, open file
 * descriptors and its limit on them, and, when asked for, its live heap (used heap after a
 * full GC, through {@code jcmd}). -1 stands for what could not be read.
 */
record ProcessFigures(long pid, long rssKib, long threads, long fds, long fdLimit, long heapUsedKib) {

    private static final Path PROC = Path.of("/proc");
    private static final Duration JCMD_TIMEOUT = Duration.ofSeconds(60);
    /** "used 12345K" in a GC.heap_info line, for every collector's wording. */
    private static final Pattern USED = Pattern.compile("used (\\d+)([KMG])");

    /** {@code pid}'s figures now, its live heap measured when {@code heap} (a full GC: seconds on a busy machine). */
    static ProcessFigures of(long pid, boolean heap) {
        long heapKib = heap ? liveHeapKib(pid) : -1;
        Optional<ProcessUsage> usage = ProcessUsage.of(pid, false);
        return new ProcessFigures(
                pid,
                usage.map(ProcessUsage::rssKib).orElse(-1L),
                usage.map(u -> (long) u.threads()).orElse(-1L),
                usage.map(u -> (long) u.fds()).orElse(-1L),
                fdLimit(pid),
                heapKib);
    }

    /** {@code pid}'s soft limit on open files ("Max open files" in /proc/PID/limits); -1 when unreadable. */
    static long fdLimit(long pid) {
        try {
            for (String line : Files.readAllLines(PROC.resolve(pid + "/limits"), StandardCharsets.US_ASCII)) {
                if (line.startsWith("Max open files")) {
                    String soft =
                            line.substring("Max open files".length()).trim().split("\\s+")[0];
                    return soft.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(soft);
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone, or not ours to read
        }
        return -1;
    }

    /**
     * {@code pid}'s heap in use right after a full GC ({@code jcmd PID GC.run}, then
     * {@code GC.heap_info}): what it keeps alive, not the garbage it has yet to collect.
     * Metaspace is left out. -1 when jcmd cannot attach or its answer has no figure.
     */
    static long liveHeapKib(long pid) {
        try {
            // Both in one jcmd (-f: commands from a file): one JVM start less per figure.
            Path commands = Files.createTempFile("ferry-jcmd", ".commands");
            try {
                Files.writeString(commands, "GC.run\nGC.heap_info\n");
                return usedKib(jcmd(pid, "-f", commands.toString()));
            } finally {
                Files.deleteIfExists(commands);
            }
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** The heap's used KiB in {@code GC.heap_info}'s answer: the sum over its heap lines, Metaspace's left out. */
    static long usedKib(String heapInfo) {
        long total = 0;
        boolean found = false;
        for (String line : heapInfo.lines().toList()) {
            if (line.contains("Metaspace") || line.contains("class space")) {
                continue;
            }
            Matcher m = USED.matcher(line);
            if (m.find()) {
                long value = Long.parseLong(m.group(1));
                total += switch (m.group(2)) {
                    case "M" -> value * 1024;
                    case "G" -> value * 1024 * 1024;
                    default -> value;
                };
                found = true;
            }
        }
        return found ? total : -1;
    }

    private static String jcmd(long pid, String... arguments) throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        List<String> line = new ArrayList<>(List.of(jcmd.toString(), Long.toString(pid)));
        line.addAll(List.of(arguments));
        String command = String.join(" ", arguments);
        // Its answer goes to a file, so that a jcmd that hangs is given up at the timeout, not read forever.
        Path answer = Files.createTempFile("ferry-jcmd", ".txt");
        try {
            Process p = new ProcessBuilder(line)
                    .redirectErrorStream(true)
                    .redirectOutput(answer.toFile())
                    .start();
            if (!p.waitFor(JCMD_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(
                        "jcmd " + pid + " " + command + ": no answer in " + JCMD_TIMEOUT.toSeconds() + " s");
            }
            if (p.exitValue() != 0) {
                throw new IOException("jcmd " + pid + " " + command + ": exit " + p.exitValue());
            }
            return Files.readString(answer, StandardCharsets.UTF_8);
        } finally {
            Files.deleteIfExists(answer);
        }
    }

    Map<String, Object> json() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("pid", pid);
        m.put("rss_kib", rssKib);
        m.put("heap_used_after_gc_kib", heapUsedKib);
        m.put("threads", threads);
        m.put("fds", fds);
        m.put("fd_limit", fdLimit == Long.MAX_VALUE ? "unlimited" : fdLimit);
        return m;
    }
}
