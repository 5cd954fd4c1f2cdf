package dev.ferry.worker;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How a worker isolates its containers; one per worker ({@link Worker.Builder#sandbox(Sandbox)}).
 * Immutable. worker/README.md compares them; in short:
 *
 * <ul>
 *   <li>{@link #process()}: a plain child process, sharing the worker's file system, process
 *       table and environment. No isolation and no limits; the fastest start. The default.</li>
 *   <li>{@link #bwrap()}: bubblewrap. The container gets its own process, IPC and host-name
 *       namespaces and a read-only view of the machine's file system with a private
 *       {@code /tmp}, {@code /dev} and {@code /proc}, no capabilities, no new privileges, the
 *       {@link SeccompProfile} filter and a minimal environment; for a worker that is root, a
 *       {@link UserNamespaces user namespace} with an unprivileged user of its own per container
 *       (where the kernel allows one); the host's network, or
 *       under {@link ContainerNetwork#NONE} a network namespace of its own. No resource
 *       limits.</li>
 *   <li>{@link #runc(Path)}: an OCI container run by runc, in a cgroup of its own: all of
 *       bwrap's isolation over a root file system that holds only the system directories,
 *       the JDK, the runtime's class path and the function's jar, all read-only; plus the
 *       spec's {@link ContainerLimits} (CPU quota, memory without swap, process count), with
 *       out-of-memory kills reported in {@link ContainerExit}. Needs root.</li>
 * </ul>
 *
 * Every sandbox passes a container exactly its GPUs: the {@code CUDA_VISIBLE_DEVICES} and
 * {@code NVIDIA_VISIBLE_DEVICES} variables, and under bwrap and runc the device nodes.
 */
public final class Sandbox {

    /** The names {@link #parse(String, Path)} accepts, in order of isolation. */
    public static final List<String> NAMES = List.of("process", "bwrap", "runc");

    private static final Sandbox PROCESS = new Sandbox("process", null);
    private static final Sandbox BWRAP = new Sandbox("bwrap", null);

    private final String name;
    private final Path stateDir;

    private Sandbox(String name, Path stateDir) {
        this.name = name;
        this.stateDir = stateDir;
    }

    /** Containers as plain child processes of the worker: no isolation, no limits. */
    public static Sandbox process() {
        return PROCESS;
    }

    /** Containers in bubblewrap ({@code bwrap} on the PATH): namespaces and a read-only file system, no limits. */
    public static Sandbox bwrap() {
        return BWRAP;
    }

    /**
     * Containers run by runc ({@code runc} on the PATH), with cgroup limits. The worker keeps
     * an OCI bundle per running container and runc's state under {@code stateDir}, and holds
     * a lock there: two workers cannot share one. Containers a killed worker left behind in it
     * are removed when the next worker with the same state directory is built.
     */
    public static Sandbox runc(Path stateDir) {
        Objects.requireNonNull(stateDir, "stateDir");
        return new Sandbox("runc", stateDir.toAbsolutePath().normalize());
    }

    /**
     * The sandbox called {@code name}: {@code process}, {@code bwrap} or {@code runc}
     * (case-insensitive); {@code stateDir} is used by runc only.
     *
     * @throws IllegalArgumentException naming the value and the accepted ones
     */
    public static Sandbox parse(String name, Path stateDir) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(stateDir, "stateDir");
        return switch (name.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "process" -> process();
            case "bwrap" -> bwrap();
            case "runc" -> runc(stateDir);
            default ->
                throw new IllegalArgumentException(
                        "sandbox: \"" + name + "\" (expected: one of " + String.join(", ", NAMES) + ")");
        };
    }

    /** {@code process}, {@code bwrap} or {@code runc}. */
    public String name() {
        return name;
    }

    /** Where a runc sandbox keeps bundles and state; empty for the others. */
    public Optional<Path> stateDir() {
        return Optional.ofNullable(stateDir);
    }

    /** Whether containers are held to their {@link ContainerLimits} (runc only). */
    public boolean enforcesLimits() {
        return stateDir != null;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Sandbox other && name.equals(other.name) && Objects.equals(stateDir, other.stateDir);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, stateDir);
    }

    @Override
    public String toString() {
        return stateDir == null ? name : name + " (" + stateDir + ")";
    }
}
