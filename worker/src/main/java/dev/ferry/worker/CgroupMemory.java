package dev.ferry.worker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Where the kernel counts a cgroup's out-of-memory kills, under cgroup v1 or v2. runc sets
 * the limits from config.json under either; reading what happened is the worker's part.
 *
 * <ul>
 *   <li>v2 (the unified hierarchy, {@code /sys/fs/cgroup/cgroup.controllers} exists): the
 *       {@code oom_kill} line of {@code <cgroup>/memory.events}.</li>
 *   <li>v1 (also a "hybrid" machine, whose controllers are v1): the {@code oom_kill} line of
 *       {@code <memory mount>/<cgroup>/memory.oom_control} (Linux 4.13 and later); on older
 *       kernels, which lack it, {@code memory.failcnt} (times the limit was hit) stands in:
 *       a container that hit its limit and then died of SIGKILL was, in all likelihood, killed
 *       for memory.</li>
 * </ul>
 *
 * The files exist only as long as the cgroup does, so they are read after the container's
 * processes have exited and before runc deletes it (the worker runs runc with {@code --keep}).
 */
final class CgroupMemory {

    private final boolean v2;
    private final Path root;

    CgroupMemory(boolean v2, Path root) {
        this.v2 = v2;
        this.root = root;
    }

    /** This machine's: v2 at {@code /sys/fs/cgroup}, else v1's memory controller where /proc/self/mountinfo says it is mounted. */
    static CgroupMemory detect() {
        Path unified = Path.of("/sys/fs/cgroup");
        if (Files.exists(unified.resolve("cgroup.controllers"))) {
            return new CgroupMemory(true, unified);
        }
        Path memory = Path.of("/sys/fs/cgroup/memory");
        try {
            memory = v1MemoryMount(Files.readAllLines(Path.of("/proc/self/mountinfo")))
                    .orElse(memory);
        } catch (IOException e) {
            // keep the usual place
        }
        return new CgroupMemory(false, memory);
    }

    /** The mount point of the v1 memory controller in {@code mountinfo} lines, if mounted. */
    static Optional<Path> v1MemoryMount(List<String> mountinfo) {
        for (String line : mountinfo) {
            int separator = line.indexOf(" - ");
            if (separator < 0) {
                continue;
            }
            String[] before = line.substring(0, separator).split(" ");
            String[] after = line.substring(separator + 3).split(" ");
            if (before.length >= 5
                    && after.length >= 3
                    && after[0].equals("cgroup")
                    && List.of(after[2].split(",")).contains("memory")) {
                return Optional.of(Path.of(before[4]));
            }
        }
        return Optional.empty();
    }

    boolean isV2() {
        return v2;
    }

    /** The directory of cgroup {@code cgroupsPath} (absolute, as in config.json) for the memory controller. */
    Path dir(String cgroupsPath) {
        return root.resolve(cgroupsPath.replaceFirst("^/+", ""));
    }

    /**
     * Whether memory+swap can be limited: a container given a memory limit must not escape
     * it into swap. v1 needs swap accounting in the kernel ({@code memory.memsw.*}); under v2
     * {@code memory.swap.max} is assumed.
     */
    boolean limitsSwap() {
        return v2 || Files.exists(root.resolve("memory.memsw.limit_in_bytes"));
    }

    /**
     * How many processes of cgroup {@code cgroupsPath} the kernel killed for want of memory;
     * 0 when the cgroup or its files are gone.
     */
    long oomKills(String cgroupsPath) {
        Path dir = dir(cgroupsPath);
        try {
            if (v2) {
                return field(Files.readAllLines(dir.resolve("memory.events")), "oom_kill")
                        .orElse(0L);
            }
            Optional<Long> kills = field(Files.readAllLines(dir.resolve("memory.oom_control")), "oom_kill");
            if (kills.isPresent()) {
                return kills.get();
            }
            return Long.parseLong(Files.readString(dir.resolve("memory.failcnt"))
                                    .trim())
                            > 0
                    ? 1
                    : 0;
        } catch (NoSuchFileException e) {
            return 0;
        } catch (IOException | NumberFormatException e) {
            System.getLogger(CgroupMemory.class.getName())
                    .log(System.Logger.Level.WARNING, "cannot read the out-of-memory count of cgroup " + dir, e);
            return 0;
        }
    }

    /** The value of the {@code name value} line named {@code name}. */
    static Optional<Long> field(List<String> lines, String name) {
        for (String line : lines) {
            String[] parts = line.trim().split("\\s+");
            if (parts.length == 2 && parts[0].equals(name)) {
                return Optional.of(Long.parseLong(parts[1]));
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return "cgroup " + (v2 ? "v2" : "v1") + " memory at " + root;
    }
}
