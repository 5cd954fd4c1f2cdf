package dev.ferry.perf.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * What one process holds now, from /proc (Linux only): its resident set (VmRSS), its threads
 * (Threads in /proc/PID/status) and its open file descriptors (the entries of /proc/PID/fd),
 * with what those descriptors point at ("socket:[inode]", paths), so that a caller can tell
 * which process holds a listening socket without reading the directory twice.
 */
record ProcessUsage(long pid, long rssKib, int threads, int fds, Set<String> fdTargets) {

    private static final Path PROC = Path.of("/proc");

    /**
     * {@code pid}'s usage now; empty when it has exited or is not ours to read. Reads the fd
     * links only when {@code withTargets} (a readlink per descriptor).
     */
    static Optional<ProcessUsage> of(long pid, boolean withTargets) {
        long rss = -1;
        int threads = -1;
        try {
            for (String line : Files.readAllLines(PROC.resolve(pid + "/status"), StandardCharsets.US_ASCII)) {
                if (line.startsWith("VmRSS:")) {
                    rss = Long.parseLong(line.substring(6).trim().split("\\s+")[0]);
                } else if (line.startsWith("Threads:")) {
                    threads = Integer.parseInt(line.substring(8).trim());
                }
            }
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
        if (rss < 0 || threads < 0) {
            return Optional.empty(); // a zombie has no VmRSS: nothing left to measure
        }
        int fds = 0;
        Set<String> targets = new HashSet<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(PROC.resolve(pid + "/fd"))) {
            for (Path fd : dir) {
                fds++;
                if (withTargets) {
                    try {
                        targets.add(Files.readSymbolicLink(fd).toString());
                    } catch (IOException e) {
                        // closed between the listing and the readlink
                    }
                }
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.of(new ProcessUsage(pid, rss, threads, fds, Set.copyOf(targets)));
    }
}
