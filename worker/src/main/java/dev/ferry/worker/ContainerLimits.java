package dev.ferry.worker;

/**
 * Resource limits of one container. Zero means unlimited, for each limit on its own. Only a
 * {@link Sandbox#runc(java.nio.file.Path) runc} worker enforces them (a cgroup per container);
 * the {@code process} and {@code bwrap} sandboxes run the container without limits and only
 * carry them along.
 *
 * @param cpu CPU cores, e.g. 0.5 (a CFS quota of 50 ms per 100 ms period); 0 for no limit,
 *     else at least {@link #MIN_CPU}
 * @param memoryMib memory in MiB, swap excluded: the container cannot swap, and one that needs
 *     more is killed by the kernel and reported {@link ContainerExit#outOfMemory() out of
 *     memory}; 0 for no limit, else at least {@link #MIN_MEMORY_MIB}
 * @param pids the most processes and threads at once (a JVM needs a few dozen threads to
 *     start); 0 for no limit
 */
public record ContainerLimits(double cpu, long memoryMib, int pids) {

    /** No limits at all. */
    public static final ContainerLimits NONE = new ContainerLimits(0, 0, 0);

    /** The smallest CPU limit: 1 ms of CPU time per 100 ms period. */
    public static final double MIN_CPU = 0.01;

    /** The smallest memory limit, in MiB; below it not even a JVM's own start-up fits. */
    public static final long MIN_MEMORY_MIB = 16;

    public ContainerLimits {
        if (!Double.isFinite(cpu) || cpu < 0 || (cpu > 0 && cpu < MIN_CPU)) {
            throw new IllegalArgumentException("cpu: " + cpu + " (expected: 0 for no limit, or >= " + MIN_CPU + ")");
        }
        if (memoryMib < 0 || (memoryMib > 0 && memoryMib < MIN_MEMORY_MIB)) {
            throw new IllegalArgumentException(
                    "memoryMib: " + memoryMib + " (expected: 0 for no limit, or >= " + MIN_MEMORY_MIB + ")");
        }
        if (pids < 0) {
            throw new IllegalArgumentException("pids: " + pids + " (expected: 0 for no limit, or > 0)");
        }
    }

    /** Limits of {@code cpu} cores, {@code memoryMib} MiB and {@code pids} processes; 0 for no limit. */
    public static ContainerLimits of(double cpu, long memoryMib, int pids) {
        return new ContainerLimits(cpu, memoryMib, pids);
    }

    /** Whether no limit is set at all. */
    public boolean isUnlimited() {
        return cpu == 0 && memoryMib == 0 && pids == 0;
    }
}
