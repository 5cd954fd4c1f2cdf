package dev.ferry.perf.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * The TCP connections accepted on a local port, as the kernel lists them in /proc/net/tcp and
 * tcp6, by state: what a server still holds of its clients' connections.
 */
final class ServerConnections {

    private static final String LISTEN = "0A";
    private static final String TIME_WAIT = "06";
    private static final Map<String, String> STATES = Map.ofEntries(
            Map.entry("01", "ESTABLISHED"),
            Map.entry("02", "SYN_SENT"),
            Map.entry("03", "SYN_RECV"),
            Map.entry("04", "FIN_WAIT1"),
            Map.entry("05", "FIN_WAIT2"),
            Map.entry(TIME_WAIT, "TIME_WAIT"),
            Map.entry("07", "CLOSE"),
            Map.entry("08", "CLOSE_WAIT"),
            Map.entry("09", "LAST_ACK"),
            Map.entry("0B", "CLOSING"));

    private ServerConnections() {}

    /** The connections whose local port is {@code port}, by state name, the listening socket left out. */
    static Map<String, Long> byState(int port) {
        Map<String, Long> counts = new TreeMap<>();
        String local = String.format(":%04X", port);
        for (String table : new String[] {"/proc/net/tcp", "/proc/net/tcp6"}) {
            try {
                for (String line : Files.readAllLines(Path.of(table), StandardCharsets.US_ASCII)) {
                    String[] f = line.trim().split("\\s+");
                    // sl local_address rem_address st ...
                    if (f.length < 4 || !f[1].endsWith(local) || f[3].equals(LISTEN)) {
                        continue;
                    }
                    counts.merge(STATES.getOrDefault(f[3], f[3]), 1L, Long::sum);
                }
            } catch (IOException e) {
                // no IPv6 table, say: nothing listed there
            }
        }
        return counts;
    }

    /** The connections on {@code port} that still hold a descriptor somewhere: all but TIME_WAIT's. */
    static long open(int port) {
        return byState(port).entrySet().stream()
                .filter(e -> !e.getKey().equals("TIME_WAIT"))
                .mapToLong(Map.Entry::getValue)
                .sum();
    }
}
