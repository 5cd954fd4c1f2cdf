package dev.ferry.perf.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Finds a dev server's container processes in /proc and reads their memory (Linux only).
 *
 * <p>A container is found by the port it listens on (the admin API gives each container's
 * address): the listening socket's inode in /proc/net/tcp and tcp6, then the process, among
 * the candidates, that holds that socket in /proc/PID/fd. This works however the container was
 * started, including a warm-pool member that became the container after its start. An idle
 * pool member is a container JVM ({@value #CONTAINER_MAIN}) whose command line holds
 * {@value #POOL_FLAG} (or {@code --pool=...}) and that listens on no container's port: not
 * assigned yet (an assigned member is the same process, serving).
 */
final class ContainerProcesses {

    static final String CONTAINER_MAIN = "dev.ferry.function.runtime.ContainerMain";
    static final String POOL_FLAG = "--pool";

    private static final Path PROC = Path.of("/proc");
    /** The state column of /proc/net/tcp for a listening socket. */
    private static final String LISTEN = "0A";

    /**
     * A process's memory: resident set size from /proc/PID/status (VmRSS), and proportional set
     * size from /proc/PID/smaps_rollup (Pss), which shares each page among the processes that map
     * it; -1 where a file could not be read.
     */
    record Memory(long pid, long rssKib, long pssKib) {

        double rssMib() {
            return rssKib < 0 ? Double.NaN : rssKib / 1024.0;
        }

        double pssMib() {
            return pssKib < 0 ? Double.NaN : pssKib / 1024.0;
        }
    }

    private ContainerProcesses() {}

    /** The process among {@code candidates} that listens on TCP port {@code port}; empty when none does. */
    static Optional<Long> listeningOn(List<ProcessHandle> candidates, int port) throws IOException {
        Set<String> sockets = listeningSockets(Set.of(port));
        if (sockets.isEmpty()) {
            return Optional.empty();
        }
        for (ProcessHandle p : candidates) {
            if (holdsAny(p.pid(), sockets)) {
                return Optional.of(p.pid());
            }
        }
        return Optional.empty();
    }

    /** The processes among {@code candidates} that listen on any of TCP ports {@code ports}, in candidate order. */
    static List<Long> listeningOnAny(List<ProcessHandle> candidates, Set<Integer> ports) throws IOException {
        Set<String> sockets = listeningSockets(ports);
        List<Long> listening = new ArrayList<>();
        for (ProcessHandle p : candidates) {
            if (holdsAny(p.pid(), sockets)) {
                listening.add(p.pid());
            }
        }
        return listening;
    }

    /**
     * Idle warm-pool members among {@code candidates}: container JVMs whose command line holds
     * {@value #POOL_FLAG} and that listen on none of {@code containerPorts}.
     */
    static List<Long> idlePoolMembers(List<ProcessHandle> candidates, Set<Integer> containerPorts) throws IOException {
        Set<String> assigned = listeningSockets(containerPorts);
        List<Long> members = new ArrayList<>();
        for (ProcessHandle p : candidates) {
            List<String> arguments = commandLine(p.pid());
            boolean pool = arguments.stream().anyMatch(a -> a.equals(POOL_FLAG) || a.startsWith(POOL_FLAG + "="));
            if (arguments.contains(CONTAINER_MAIN) && pool && !holdsAny(p.pid(), assigned)) {
                members.add(p.pid());
            }
        }
        return members;
    }

    /** {@code pid}'s memory now; -1 for what could not be read (the process exited, or no permission). */
    static Memory memory(long pid) {
        return new Memory(
                pid,
                kibOf(PROC.resolve(pid + "/status"), "VmRSS:"),
                kibOf(PROC.resolve(pid + "/smaps_rollup"), "Pss:"));
    }

    /** The value of the line starting with {@code key} in a /proc file of "Key:  123 kB" lines; -1 when absent or unreadable. */
    static long kibOf(Path file, String key) {
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
                if (line.startsWith(key)) {
                    String[] parts = line.substring(key.length()).trim().split("\\s+");
                    return Long.parseLong(parts[0]);
                }
            }
        } catch (IOException | NumberFormatException e) {
            // gone, or not ours to read: reported as unknown
        }
        return -1;
    }

    /** The arguments of {@code pid}'s command line (NUL-separated in /proc/PID/cmdline); none when unreadable. */
    static List<String> commandLine(long pid) {
        try {
            String raw = Files.readString(PROC.resolve(pid + "/cmdline"), StandardCharsets.UTF_8);
            List<String> arguments = new ArrayList<>();
            for (String argument : raw.split("\0")) {
                if (!argument.isEmpty()) {
                    arguments.add(argument);
                }
            }
            return arguments;
        } catch (IOException e) {
            return List.of();
        }
    }

    /** The inodes ("socket:[N]" as /proc/PID/fd links name them) of the TCP sockets listening on {@code ports}. */
    static Set<String> listeningSockets(Set<Integer> ports) throws IOException {
        Set<String> hexPorts = new HashSet<>();
        ports.forEach(p -> hexPorts.add(String.format(Locale.ROOT, "%04X", p)));
        Set<String> sockets = new HashSet<>();
        for (String table : List.of("net/tcp", "net/tcp6")) {
            Path file = PROC.resolve(table);
            if (!Files.isReadable(file)) {
                continue;
            }
            List<String> lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
                String[] columns = line.trim().split("\\s+");
                if (columns.length < 10 || !columns[3].equals(LISTEN)) {
                    continue;
                }
                String local = columns[1];
                if (hexPorts.contains(local.substring(local.lastIndexOf(':') + 1))) {
                    sockets.add("socket:[" + columns[9] + "]");
                }
            }
        }
        return sockets;
    }

    private static boolean holdsAny(long pid, Set<String> sockets) {
        if (sockets.isEmpty()) {
            return false;
        }
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(PROC.resolve(pid + "/fd"))) {
            for (Path fd : fds) {
                try {
                    if (sockets.contains(Files.readSymbolicLink(fd).toString())) {
                        return true;
                    }
                } catch (IOException e) {
                    // closed meanwhile
                }
            }
        } catch (IOException e) {
            // exited, or not ours to look into
        }
        return false;
    }
}
