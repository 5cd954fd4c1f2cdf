package dev.ferry.worker;

import com.sun.management.OperatingSystemMXBean;
import dev.ferry.function.runtime.FerryFunction;
import dev.ferry.function.runtime.HttpHandler;
import dev.ferry.function.runtime.OnStart;
import dev.ferry.function.runtime.Request;
import dev.ferry.function.runtime.Response;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * A test function that reports, at start, what it sees of its sandbox: one line per fact,
 * {@code sandbox-probe <key>=<value>}, then {@link #DONE_LINE}.
 */
@FerryFunction(name = "sandbox-probe")
public class SandboxProbeFunction implements HttpHandler {

    static final String PREFIX = "sandbox-probe ";
    static final String DONE_LINE = "sandbox-probe done";
    /** Environment variables it reports, when set. */
    static final List<String> VARIABLES = List.of(
            "FERRY_CONTAINER_ID",
            "CUDA_VISIBLE_DEVICES",
            "NVIDIA_VISIBLE_DEVICES",
            "FERRY_TEST_VALUE",
            "JAVA_HOME",
            "MAVEN_OPTS",
            "HOME");

    @OnStart
    public void start() throws IOException {
        report("pid", Long.toString(ProcessHandle.current().pid()));
        report("class-loader", getClass().getClassLoader().getClass().getName());

        report(
                "hostname",
                Files.readString(Path.of("/proc/sys/kernel/hostname")).strip());
        report(
                "cap-eff",
                Files.readAllLines(Path.of("/proc/self/status")).stream()
                        .filter(line -> line.startsWith("CapEff:"))
                        .map(line -> line.substring(7).strip())
                        .findFirst()
                        .orElse("?"));
        report("usr-writable", Boolean.toString(canWrite(Path.of("/usr"))));
        report("tmp-writable", Boolean.toString(canWrite(Path.of("/tmp"))));
        report("root-home-entries", rootHomeEntries());
        report("root-home-mount", mountAt("/root"));
        report("shadow-readable", Boolean.toString(readable(Path.of("/etc/shadow"))));
        for (String name : VARIABLES) {
            String value = System.getenv(name);
            report("env." + name, value == null ? "<unset>" : value);
        }
        try (Stream<Path> dev = Files.list(Path.of("/dev"))) {
            report(
                    "gpu-devices",
                    String.join(
                            ",",
                            dev.map(p -> p.getFileName().toString())
                                    .filter(name -> name.startsWith("nvidia"))
                                    .sorted()
                                    .toList()));
        }
        report("cpus", Integer.toString(Runtime.getRuntime().availableProcessors()));
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        report("memory-mib", Long.toString(os.getTotalMemorySize() / (1024 * 1024)));
        System.out.println(DONE_LINE);
        System.out.flush();
    }

    private static boolean canWrite(Path dir) {
        Path file = dir.resolve("ferry-probe-" + ProcessHandle.current().pid());
        try {
            Files.writeString(file, "x");
            Files.delete(file);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** What /root holds, sorted and comma-joined; "<absent>" when it is not there at all. */
    private static String rootHomeEntries() throws IOException {
        if (!Files.isDirectory(Path.of("/root"))) {
            return "<absent>";
        }
        try (Stream<Path> entries = Files.list(Path.of("/root"))) {
            return String.join(
                    ",", entries.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    /**
     * The file system type of what is mounted at {@code mountPoint} and whether that mount is
     * read-only ("tmpfs ro"), as this process's /proc/self/mountinfo says; "<not a mount>"
     * when nothing is mounted there (it is part of the file system above it).
     */
    private static String mountAt(String mountPoint) throws IOException {
        String found = "<not a mount>";
        // The last line wins: a later mount on the same point covers the earlier ones.
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            int separator = line.indexOf(" - ");
            String[] mount = line.substring(0, separator).split(" ");
            String[] filesystem = line.substring(separator + 3).split(" ");
            if (mount[4].equals(mountPoint)) {
                found = filesystem[0] + (List.of(mount[5].split(",")).contains("ro") ? " ro" : " rw");
            }
        }
        return found;
    }

    private static boolean readable(Path file) {
        try {
            return !Files.readString(file).isEmpty();
        } catch (IOException e) {
            return false;
        }
    }

    private static void report(String key, String value) {
        System.out.println(PREFIX + key + "=" + value);
    }

    @Override
    public Response handle(Request request) {
        return Response.text(200, "ok");
    }
}
