package dev.ferry.perf.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** What the report says about the machine it ran on. */
final class Machine {

    private Machine() {}

    static Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cpus", Runtime.getRuntime().availableProcessors());
        m.put("cpu_model", firstValue(Path.of("/proc/cpuinfo"), "model name"));
        m.put("memory", firstValue(Path.of("/proc/meminfo"), "MemTotal"));
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        return m;
    }

    private static String firstValue(Path file, String key) {
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith(key)) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException e) {
            // not Linux: say so below
        }
        return "unknown";
    }

    /**
     * The report line that says where a cluster bench ran: {@code ferry} (what it started, e.g. "1
     * controller, 1 worker, 1 gateway") and a redis-server on loopback, beside the load generator.
     */
    static String clusterLine(String ferry) {
        Map<String, Object> machine = describe();
        return "All on 127.0.0.1: redis-server " + RedisProcess.version() + ", " + ferry
                + " from cli/target/ferry.jar, "
                + machine.get("cpus") + " CPUs (" + machine.get("cpu_model")
                + "); load generator, Redis and Ferry share them.";
    }
}
