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

    /** Environment variable: a port on 127.0.0.1 of the worker's machine that the probe tries to connect to. */
    static final String CONNECT_PORT = "FERRY_TEST_CONNECT_PORT";
    /** Environment variable: when set, the probe writes /tmp/{@value #MARKER_PREFIX}<container id>. */
    static final String WRITE_MARKER = "FERRY_TEST_WRITE_MARKER";

    static final String MARKER_PREFIX = "probe-marker-";
    /** Environment variable: a file of the worker's machine the probe tries to read ({@code read-file}). */
    static final String READ_FILE = "FERRY_TEST_READ_FILE";

    @OnStart
    public void start() throws Throwable {
        report("pid", Long.toString(ProcessHandle.current().pid()));
        // Before the probes below start a process of their own.
        report("proc-pids", procPids());
        if (System.getenv(WRITE_MARKER) != null) {
            Files.writeString(Path.of("/tmp", MARKER_PREFIX + System.getenv("FERRY_CONTAINER_ID")), "x");
        }
        report("tmp-entries", tmpEntries());
        report(
                "no-new-privs",
                Files.readAllLines(Path.of("/proc/self/status")).stream()
                        .filter(line -> line.startsWith("NoNewPrivs:"))
                        .map(line -> line.substring(11).strip())
                        .findFirst()
                        .orElse("?"));
        report("ptrace-child", ptraceChild());
        report("mount", mountTmpfs());
        // CLONE_NEWUTS: a namespace for the calling thread only, which a multi-threaded process may make.
        report("unshare-uts", Syscalls.call("unshare", 0x04000000L));
        report("bpf", Syscalls.bpfMapCreate());
        String port = System.getenv(CONNECT_PORT);
        if (port != null) {
            report("connect", connect(Integer.parseInt(port)));
        }
        report("class-loader", getClass().getClassLoader().getClass().getName());
        // "inside outside count": who root inside is on the machine.
        report(
                "uid-map",
                String.join(
                        " ",
                        Files.readString(Path.of("/proc/self/uid_map")).strip().split("\\s+")));
        report("uid", Long.toString((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")));
        String readFile = System.getenv(READ_FILE);
        if (readFile != null) {
            report("read-file", readOutcome(Path.of(readFile)));
        }

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
        report(
                "cgroup-mounts",
                String.join(
                        ";",
                        Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                                .filter(line -> line.contains(" /sys/fs/cgroup"))
                                .toList()));
        report("cgroup", String.join(";", Files.readAllLines(Path.of("/proc/self/cgroup"))));
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        report("memory-mib", Long.toString(os.getTotalMemorySize() / (1024 * 1024)));
        System.out.println(DONE_LINE);
        System.out.flush();
    }

    private static String readOutcome(Path file) {
        try {
            Files.readAllBytes(file);
            return "ok";
        } catch (java.nio.file.AccessDeniedException e) {
            return "denied";
        } catch (java.nio.file.NoSuchFileException e) {
            return "absent";
        } catch (IOException e) {
            return e.getClass().getSimpleName();
        }
    }

    /** The numeric entries of /proc (the processes it sees), sorted and comma-joined. */
    private static String procPids() throws IOException {
        try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
            return String.join(
                    ",",
                    entries.map(p -> p.getFileName().toString())
                            .filter(name -> name.chars().allMatch(Character::isDigit))
                            .map(Long::parseLong)
                            .sorted()
                            .map(String::valueOf)
                            .toList());
        }
    }

    private static String tmpEntries() throws IOException {
        try (Stream<Path> entries = Files.list(Path.of("/tmp"))) {
            return String.join(
                    ",", entries.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    /** Mounts a tmpfs on a directory of its own (and takes it down again where that worked). */
    private static String mountTmpfs() throws Throwable {
        Path target = Files.createTempDirectory("probe-mount-");
        String result = Syscalls.mountTmpfs(target.toString());
        if (result.equals("ok")) {
            new ProcessBuilder("umount", target.toString()).start().waitFor();
        }
        Files.delete(target);
        return result;
    }

    /** PTRACE_ATTACH to a child of its own, which the kernel allows a process without a filter. */
    private static String ptraceChild() throws Throwable {
        Process child = new ProcessBuilder("sleep", "30").start();
        try {
            return Syscalls.call("ptrace", 16 /* PTRACE_ATTACH */, child.pid(), 0, 0);
        } finally {
            child.destroyForcibly();
            child.waitFor();
        }
    }

    /** "connected", or why not, connecting to 127.0.0.1:{@code port}, at most 2 s. */
    private static String connect(int port) {
        try (java.net.Socket socket = new java.net.Socket()) {
            socket.connect(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), port), 2_000);
            return "connected";
        } catch (IOException e) {
            return "failed: " + e.getClass().getSimpleName();
        }
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

    /**
     * System calls made directly, through the C library's {@code syscall}: "ok", or "errno N"
     * when the call failed. Through the foreign function API, by reflection: the build compiles
     * for Java 21, where that API is a preview; containers run on the JDK 22+ that has it.
     */
    static final class Syscalls {

        private static final boolean X86_64 = System.getProperty("os.arch").equals("amd64");

        private Syscalls() {}

        private static long number(String name) {
            return switch (name) {
                case "ptrace" -> X86_64 ? 101 : 117;
                case "mount" -> X86_64 ? 165 : 40;
                case "unshare" -> X86_64 ? 272 : 97;
                case "bpf" -> X86_64 ? 321 : 280;
                default -> throw new IllegalArgumentException(name);
            };
        }

        private static Class<?> type(String name) throws ClassNotFoundException {
            return Class.forName("java.lang.foreign." + name);
        }

        /** {@code target.method(args)} of the foreign function API, found by its parameter types. */
        private static Object invoke(Object target, String type, String method, Object[] args, Class<?>... types)
                throws Exception {
            return type(type).getMethod(method, types).invoke(target, args);
        }

        /** A confined arena (an AutoCloseable), for memory that the call reads. */
        private static AutoCloseable arena() throws Exception {
            return (AutoCloseable) invoke(null, "Arena", "ofConfined", new Object[0]);
        }

        /** The address of {@code text} as a C string in {@code arena}. */
        private static long string(AutoCloseable arena, String text) throws Exception {
            Object segment = invoke(arena, "SegmentAllocator", "allocateFrom", new Object[] {text}, String.class);
            return (long) invoke(segment, "MemorySegment", "address", new Object[0]);
        }

        static String call(String name, long... args) throws Throwable {
            long[] a = java.util.Arrays.copyOf(args, 5);
            Class<?> layout = type("MemoryLayout");
            Class<?> option = type("Linker$Option");
            Object longLayout = type("ValueLayout").getField("JAVA_LONG").get(null);
            Object parameters = java.lang.reflect.Array.newInstance(layout, 6);
            for (int i = 0; i < 6; i++) {
                java.lang.reflect.Array.set(parameters, i, longLayout);
            }
            Object descriptor = invoke(
                    null,
                    "FunctionDescriptor",
                    "of",
                    new Object[] {longLayout, parameters},
                    layout,
                    parameters.getClass());
            Object options = java.lang.reflect.Array.newInstance(option, 2);
            java.lang.reflect.Array.set(
                    options, 0, invoke(null, "Linker$Option", "firstVariadicArg", new Object[] {1}, int.class));
            java.lang.reflect.Array.set(
                    options,
                    1,
                    invoke(
                            null,
                            "Linker$Option",
                            "captureCallState",
                            new Object[] {new String[] {"errno"}},
                            String[].class));
            Object linker = invoke(null, "Linker", "nativeLinker", new Object[0]);
            Object lookup = invoke(linker, "Linker", "defaultLookup", new Object[0]);
            Object symbol = ((java.util.Optional<?>)
                            invoke(lookup, "SymbolLookup", "find", new Object[] {"syscall"}, String.class))
                    .orElseThrow();
            java.lang.invoke.MethodHandle syscall = (java.lang.invoke.MethodHandle) invoke(
                    linker,
                    "Linker",
                    "downcallHandle",
                    new Object[] {symbol, descriptor, options},
                    type("MemorySegment"),
                    type("FunctionDescriptor"),
                    options.getClass());
            Object stateLayout = invoke(null, "Linker$Option", "captureStateLayout", new Object[0]);
            Object errnoPath =
                    invoke(null, "MemoryLayout$PathElement", "groupElement", new Object[] {"errno"}, String.class);
            Object pathArray = java.lang.reflect.Array.newInstance(type("MemoryLayout$PathElement"), 1);
            java.lang.reflect.Array.set(pathArray, 0, errnoPath);
            long errnoOffset = (long)
                    invoke(stateLayout, "MemoryLayout", "byteOffset", new Object[] {pathArray}, pathArray.getClass());
            try (AutoCloseable arena = arena()) {
                Object state = invoke(arena, "SegmentAllocator", "allocate", new Object[] {stateLayout}, layout);
                long result = (long) syscall.invokeWithArguments(state, number(name), a[0], a[1], a[2], a[3], a[4]);
                if (result != -1) {
                    return "ok";
                }
                Object intLayout = type("ValueLayout").getField("JAVA_INT").get(null);
                int errno = (int) invoke(
                        state,
                        "MemorySegment",
                        "get",
                        new Object[] {intLayout, errnoOffset},
                        type("ValueLayout$OfInt"),
                        long.class);
                return "errno " + errno;
            }
        }

        static String mountTmpfs(String target) throws Throwable {
            try (AutoCloseable arena = arena()) {
                return call("mount", string(arena, "none"), string(arena, target), string(arena, "tmpfs"), 0, 0);
            }
        }

        /** BPF_MAP_CREATE of an array map of one entry. */
        static String bpfMapCreate() throws Throwable {
            try (AutoCloseable arena = arena()) {
                Object attr = invoke(arena, "SegmentAllocator", "allocate", new Object[] {128L}, long.class);
                Object intLayout = type("ValueLayout").getField("JAVA_INT").get(null);
                int[] fields = {2 /* BPF_MAP_TYPE_ARRAY */, 4 /* key size */, 4 /* value size */, 1 /* entries */};
                for (int i = 0; i < fields.length; i++) {
                    invoke(
                            attr,
                            "MemorySegment",
                            "set",
                            new Object[] {intLayout, 4L * i, fields[i]},
                            type("ValueLayout$OfInt"),
                            long.class,
                            int.class);
                }
                long address = (long) invoke(attr, "MemorySegment", "address", new Object[0]);
                return call("bpf", 0 /* BPF_MAP_CREATE */, address, 128);
            }
        }
    }
}
