package dev.ferry.worker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The OCI bundle of one runc container: a directory with {@code config.json} and an empty
 * {@code rootfs} that runc fills with mounts.
 *
 * <p>The root file system is read-only and holds only what a JVM needs: {@code /usr} and
 * {@code /etc} of the machine (without its password hashes and SSH host keys, masked), the
 * top-level {@code /bin}, {@code /lib}... as the same symbolic links into {@code /usr} where
 * the machine has them (merged /usr) or bound read-only where not, then each of the launch's
 * readable paths (the JDK, class path entries, the class data archive and the jar) bound
 * read-only at its own path. {@code /tmp} and {@code /dev/shm} are tmpfs (as large as the
 * memory limit, whose cgroup they are charged to), {@code /proc}, {@code /dev}, {@code /sys}
 * (read-only) and the container's own cgroup (read-only, so the JVM sizes itself to its
 * limits) are the usual.
 *
 * <p>Namespaces: PID, IPC, UTS (host name = container id) and mount; network under
 * {@link ContainerNetwork#NONE} only (a new one with loopback alone, and the launch's socket
 * directory bound writable, where the container makes the socket file it is called on;
 * otherwise the gateway calls the container's port on a host address); user and cgroup with a
 * {@link UserNamespace}: root inside is the container's unprivileged user outside (one id
 * mapped, for user and group), runc makes its mounts as that user (so the readable paths come
 * from {@link UserNamespaces}' copies where the user cannot reach them, and the root file system
 * lives in the container's own directory), {@code /sys} is the machine's bound read-only on the
 * host's network (a user namespace may mount sysfs only for a network namespace it owns), and
 * GPU nodes are bound rather than made (it may not make device nodes). Without one, root inside
 * is the machine's root. The process runs as root inside with no capabilities at all, no new
 * privileges and the {@link SeccompProfile} filter. Limits
 * from {@link ContainerLimits}: memory with swap equal to it (so no swap) where the kernel
 * accounts swap, a CFS quota over a 100 ms period, a PID limit. Devices: all denied except
 * runc's defaults and the container's GPU nodes.
 */
final class OciBundle {

    static final long CPU_PERIOD_MICROS = 100_000;

    /** Top-level directories that are links into /usr on a merged-/usr system. */
    private static final List<String> TOP_LEVEL = List.of("bin", "sbin", "lib", "lib32", "lib64", "libx32");

    private static final List<Path> SYSTEM = List.of(Path.of("/usr"), Path.of("/etc"));
    /** Secrets in /etc that a container has no business reading. */
    private static final List<String> MASKED_IN_ETC =
            List.of("/etc/shadow", "/etc/shadow-", "/etc/gshadow", "/etc/gshadow-", "/etc/ssh");

    private static final List<String> MASKED = List.of(
            "/proc/acpi",
            "/proc/asound",
            "/proc/kcore",
            "/proc/keys",
            "/proc/latency_stats",
            "/proc/timer_list",
            "/proc/timer_stats",
            "/proc/sched_debug",
            "/sys/firmware",
            "/proc/scsi");
    private static final List<String> READ_ONLY =
            List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger");

    private OciBundle() {}

    /** The cgroup of container {@code id}, relative to the hierarchy's root. */
    static String cgroupsPath(String id) {
        return "/ferry/" + id;
    }

    /**
     * Creates the bundle of {@code launch} at {@code dir} (which must not exist), readable by
     * root only: config.json holds the ready token.
     */
    static void create(Path dir, ContainerLaunch launch, Map<String, String> environment, boolean limitSwap)
            throws IOException {
        Files.createDirectories(dir.getParent());
        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        UserNamespace userNamespace = launch.userNamespace();
        Path rootfs;
        if (userNamespace == null) {
            rootfs = Files.createDirectory(dir.resolve("rootfs"));
        } else {
            // runc's init makes the mount points in it as the container's user.
            rootfs = Files.createDirectory(userNamespace.dir().resolve("rootfs"));
            Files.setAttribute(rootfs, "unix:uid", userNamespace.user().uid());
            Files.setAttribute(rootfs, "unix:gid", userNamespace.user().gid());
        }
        boolean hostSys = userNamespace != null && launch.network() != ContainerNetwork.NONE;
        List<Object> mounts = new ArrayList<>(baseMounts(launch.limits(), hostSys));
        for (String name : TOP_LEVEL) {
            Path host = Path.of("/", name);
            if (Files.isSymbolicLink(host)) {
                Files.createSymbolicLink(rootfs.resolve(name), Files.readSymbolicLink(host));
            } else if (Files.isDirectory(host)) {
                mounts.add(bind(host));
            }
        }
        for (Path path : boundPaths(launch.readablePaths())) {
            mounts.add(mount(path.toString(), "bind", launch.source(path).toString(), "rbind,ro,nosuid,nodev"));
        }
        if (userNamespace != null) {
            for (Path node : launch.gpuDevices()) {
                mounts.add(mount("/dev/" + node.getFileName(), "bind", node.toString(), "bind,rw,nosuid,noexec"));
            }
        }
        if (launch.network() == ContainerNetwork.NONE) {
            // After /tmp's tmpfs, which may hold it; writable: the container makes its socket there.
            String socketDir = launch.socketDir().toString();
            mounts.add(mount(socketDir, "bind", socketDir, "rbind,rw,nosuid,nodev,noexec"));
        }
        Files.writeString(
                dir.resolve("config.json"),
                Json.write(config(launch, environment, mounts, limitSwap, rootfs)),
                StandardCharsets.UTF_8);
    }

    /** The system directories and then the launch's readable paths that they do not already hold, parents before children. */
    static List<Path> boundPaths(List<Path> readablePaths) {
        TreeSet<Path> paths = new TreeSet<>(SYSTEM);
        for (Path path : readablePaths) {
            Path absolute = path.toAbsolutePath().normalize();
            if (Files.exists(absolute) && paths.stream().noneMatch(absolute::startsWith)) {
                paths.removeIf(p -> p.startsWith(absolute));
                paths.add(absolute);
            }
        }
        return List.copyOf(paths);
    }

    private static Map<String, Object> config(
            ContainerLaunch launch,
            Map<String, String> environment,
            List<Object> mounts,
            boolean limitSwap,
            Path rootfs)
            throws IOException {
        Map<String, Object> process = new LinkedHashMap<>();
        process.put("terminal", false);
        process.put("user", Map.of("uid", 0, "gid", 0));
        process.put("args", launch.command());
        process.put(
                "env",
                environment.entrySet().stream()
                        .map(e -> e.getKey() + "=" + e.getValue())
                        .toList());
        process.put("cwd", "/tmp");
        Map<String, Object> capabilities = new LinkedHashMap<>();
        for (String set : List.of("bounding", "effective", "inheritable", "permitted", "ambient")) {
            capabilities.put(set, List.of());
        }
        process.put("capabilities", capabilities);
        process.put("noNewPrivileges", true);

        Map<String, Object> linux = new LinkedHashMap<>();
        linux.put("cgroupsPath", cgroupsPath(launch.id()));
        linux.put("resources", resources(launch, limitSwap));
        List<Object> namespaces = new ArrayList<>(
                List.of(Map.of("type", "pid"), Map.of("type", "ipc"), Map.of("type", "uts"), Map.of("type", "mount")));
        if (launch.network() == ContainerNetwork.NONE) {
            // Without a path: a new namespace, where runc brings up loopback and nothing else.
            namespaces.add(Map.of("type", "network"));
        }
        UserNamespace userNamespace = launch.userNamespace();
        if (userNamespace != null) {
            namespaces.add(Map.of("type", "user"));
            // Its own cgroup as the root of /sys/fs/cgroup, which a user namespace may mount.
            namespaces.add(Map.of("type", "cgroup"));
            linux.put("uidMappings", List.of(idMapping(userNamespace.user().uid())));
            linux.put("gidMappings", List.of(idMapping(userNamespace.user().gid())));
        }
        linux.put("namespaces", namespaces);
        linux.put("seccomp", SeccompProfile.ociSeccomp(SeccompProfile.Arch.current()));
        List<Object> devices = new ArrayList<>();
        // In a user namespace the nodes are bound among the mounts instead.
        for (Path node : userNamespace == null ? launch.gpuDevices() : List.<Path>of()) {
            DeviceNumber number = DeviceNumber.of(node);
            Map<String, Object> device = new LinkedHashMap<>();
            device.put("path", "/dev/" + node.getFileName());
            device.put("type", number.type());
            device.put("major", number.major());
            device.put("minor", number.minor());
            device.put("fileMode", 0666);
            device.put("uid", 0);
            device.put("gid", 0);
            devices.add(device);
        }
        linux.put("devices", devices);
        List<String> masked = new ArrayList<>(MASKED);
        MASKED_IN_ETC.stream()
                .filter(p -> Files.exists(Path.of(p), LinkOption.NOFOLLOW_LINKS))
                .forEach(masked::add);
        linux.put("maskedPaths", masked);
        List<String> readOnly = new ArrayList<>(READ_ONLY);
        if (userNamespace != null) {
            if (launch.network() != ContainerNetwork.NONE) {
                readOnly.add("/sys");
            }
            readOnly.addAll(cgroupControllers());
        }
        linux.put("readonlyPaths", readOnly);

        Map<String, Object> config = new LinkedHashMap<>();
        config.put("ociVersion", "1.0.2");
        config.put("process", process);
        config.put("root", Map.of("path", rootfs.toString(), "readonly", true));
        config.put("hostname", launch.id());
        config.put("mounts", mounts);
        config.put("linux", linux);
        return config;
    }

    private static Map<String, Object> resources(ContainerLaunch launch, boolean limitSwap) throws IOException {
        ContainerLimits limits = launch.limits();
        Map<String, Object> resources = new LinkedHashMap<>();
        if (limits.memoryMib() > 0) {
            long bytes = limits.memoryMib() * 1024 * 1024;
            Map<String, Object> memory = new LinkedHashMap<>();
            memory.put("limit", bytes);
            if (limitSwap) {
                memory.put("swap", bytes);
            }
            resources.put("memory", memory);
        }
        if (limits.cpu() > 0) {
            resources.put(
                    "cpu", Map.of("quota", Math.round(limits.cpu() * CPU_PERIOD_MICROS), "period", CPU_PERIOD_MICROS));
        }
        if (limits.pids() > 0) {
            resources.put("pids", Map.of("limit", (long) limits.pids()));
        }
        List<Object> devices = new ArrayList<>();
        devices.add(Map.of("allow", false, "access", "rwm"));
        for (Path node : launch.gpuDevices()) {
            DeviceNumber number = DeviceNumber.of(node);
            devices.add(Map.of(
                    "allow",
                    true,
                    "type",
                    number.type(),
                    "major",
                    number.major(),
                    "minor",
                    number.minor(),
                    "access",
                    "rwm"));
        }
        resources.put("devices", devices);
        return resources;
    }

    /**
     * The container's cgroup controllers, to be made read-only where runc, in a user namespace,
     * mounts them writable: the JVM takes limits set after its start (a pool member's, at the
     * assignment) only when it sees them read-only, the mark of a container (JDK-8261242).
     * {@code /sys/fs/cgroup} under cgroup v2; each controller's directory under v1.
     */
    private static List<String> cgroupControllers() throws IOException {
        Path root = Path.of("/sys/fs/cgroup");
        if (Files.exists(root.resolve("cgroup.controllers"))) {
            return List.of(root.toString());
        }
        List<String> controllers = new ArrayList<>();
        try (java.util.stream.Stream<Path> entries = Files.list(root)) {
            entries.filter(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))
                    .map(Path::toString)
                    .sorted()
                    .forEach(controllers::add);
        } catch (java.nio.file.NoSuchFileException e) {
            return List.of();
        }
        return controllers;
    }

    /** Root inside is the machine's {@code id}, alone. */
    private static Map<String, Object> idMapping(int id) {
        return Map.of("containerID", 0, "hostID", id, "size", 1);
    }

    /**
     * What a container on the host's network in a user namespace sees of {@code /sys}: a user
     * namespace may mount sysfs only for a network namespace it owns, and binding the machine's
     * {@code /sys} whole (recursively: the kernel refuses less) would bring the machine's cgroup
     * mounts under the container's own, where the JVM finds them first and misreads its limits.
     * So: a tmpfs (read-only once set up, see {@link #config}) with these of the machine's bound
     * read-only, none of which holds a mount of its own.
     */
    static final List<String> HOST_SYS = List.of("block", "bus", "class", "dev", "devices", "module");

    private static List<Object> baseMounts(ContainerLimits limits, boolean hostSys) {
        String size = limits.memoryMib() > 0 ? ",size=" + limits.memoryMib() + "m" : "";
        List<Object> mounts = new ArrayList<>(List.of(
                mount("/proc", "proc", "proc", ""),
                mount("/dev", "tmpfs", "tmpfs", "nosuid,strictatime,mode=755,size=65536k"),
                mount("/dev/pts", "devpts", "devpts", "nosuid,noexec,newinstance,ptmxmode=0666,mode=0620"),
                mount("/dev/shm", "tmpfs", "shm", "nosuid,noexec,nodev,mode=1777" + size),
                mount("/dev/mqueue", "mqueue", "mqueue", "nosuid,noexec,nodev")));
        if (hostSys) {
            mounts.add(mount("/sys", "tmpfs", "tmpfs", "nosuid,noexec,nodev,mode=755,size=64k"));
            for (String name : HOST_SYS) {
                Path dir = Path.of("/sys", name);
                if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                    mounts.add(mount(dir.toString(), "bind", dir.toString(), "rbind,ro,nosuid,nodev,noexec"));
                }
            }
        } else {
            mounts.add(mount("/sys", "sysfs", "sysfs", "nosuid,noexec,nodev,ro"));
        }
        mounts.add(mount("/sys/fs/cgroup", "cgroup", "cgroup", "nosuid,noexec,nodev,relatime,ro"));
        mounts.add(mount("/tmp", "tmpfs", "tmpfs", "nosuid,nodev,mode=1777" + size));
        return mounts;
    }

    private static Map<String, Object> mount(String destination, String type, String source, String options) {
        Map<String, Object> mount = new LinkedHashMap<>();
        mount.put("destination", destination);
        mount.put("type", type);
        mount.put("source", source);
        if (!options.isEmpty()) {
            mount.put("options", List.of(options.split(",")));
        }
        return mount;
    }

    private static Map<String, Object> bind(Path path) {
        return mount(path.toString(), "bind", path.toString(), "rbind,ro,nosuid,nodev");
    }

    /** Removes the bundle at {@code dir}, if there; symbolic links are removed, not followed. */
    static void delete(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                throw e;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                if (e != null && !(e instanceof NoSuchFileException)) {
                    throw e;
                }
                Files.deleteIfExists(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
