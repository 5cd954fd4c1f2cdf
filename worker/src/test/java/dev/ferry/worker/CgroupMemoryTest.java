package dev.ferry.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading out-of-memory counts from files laid out as each cgroup version lays them out. */
class CgroupMemoryTest {

    @TempDir
    Path root;

    @Test
    void v1CountsOomKillsInOomControl() throws Exception {
        Path cgroup = Files.createDirectories(root.resolve("ferry/ct-abc"));
        Files.writeString(cgroup.resolve("memory.oom_control"), "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n");
        Files.writeString(cgroup.resolve("memory.failcnt"), "17\n");

        assertThat(new CgroupMemory(false, root).oomKills("/ferry/ct-abc")).isEqualTo(2);
    }

    @Test
    void v1WithoutOomKillLineFallsBackToTheFailCount() throws Exception {
        Path cgroup = Files.createDirectories(root.resolve("ferry/ct-old"));
        Files.writeString(cgroup.resolve("memory.oom_control"), "oom_kill_disable 0\nunder_oom 0\n");
        Files.writeString(cgroup.resolve("memory.failcnt"), "3\n");
        Path calm = Files.createDirectories(root.resolve("ferry/ct-calm"));
        Files.writeString(calm.resolve("memory.oom_control"), "oom_kill_disable 0\nunder_oom 0\n");
        Files.writeString(calm.resolve("memory.failcnt"), "0\n");

        CgroupMemory memory = new CgroupMemory(false, root);

        assertThat(memory.oomKills("/ferry/ct-old")).isEqualTo(1);
        assertThat(memory.oomKills("/ferry/ct-calm")).isZero();
    }

    @Test
    void v2CountsOomKillsInMemoryEvents() throws Exception {
        Path cgroup = Files.createDirectories(root.resolve("ferry/ct-abc"));
        Files.writeString(
                cgroup.resolve("memory.events"), "low 0\nhigh 0\nmax 12\noom 1\noom_kill 1\noom_group_kill 0\n");

        CgroupMemory memory = new CgroupMemory(true, root);

        assertThat(memory.oomKills("/ferry/ct-abc")).isEqualTo(1);
        assertThat(memory.isV2()).isTrue();
        assertThat(memory.limitsSwap()).isTrue();
    }

    @Test
    void goneCgroupCountsNothing() {
        assertThat(new CgroupMemory(false, root).oomKills("/ferry/ct-gone")).isZero();
        assertThat(new CgroupMemory(true, root).oomKills("/ferry/ct-gone")).isZero();
    }

    @Test
    void v1SwapLimitNeedsSwapAccounting() throws Exception {
        assertThat(new CgroupMemory(false, root).limitsSwap()).isFalse();
        Files.writeString(root.resolve("memory.memsw.limit_in_bytes"), "9223372036854771712\n");
        assertThat(new CgroupMemory(false, root).limitsSwap()).isTrue();
    }

    @Test
    void findsTheV1MemoryMountInMountinfo() {
        List<String> mountinfo = List.of(
                "600 599 0:61 / /sys/fs/cgroup/cpu rw,nosuid,nodev,noexec,relatime - cgroup cgroup rw,cpu",
                "601 599 0:62 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:9 - cgroup cgroup rw,memory",
                "602 599 0:63 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime - cgroup2 cgroup2 rw");

        assertThat(CgroupMemory.v1MemoryMount(mountinfo)).contains(Path.of("/sys/fs/cgroup/memory"));
        assertThat(CgroupMemory.v1MemoryMount(List.of(mountinfo.get(0), mountinfo.get(2))))
                .isEmpty();
    }

    @Test
    void thisMachineIsDetected() throws Exception {
        CgroupMemory memory = CgroupMemory.detect();

        // Asked otherwise than detect() asks: what is mounted at /sys/fs/cgroup (the unified
        // hierarchy, or a tmpfs holding one mount per v1 controller)...
        String mounted = Files.getFileStore(Path.of("/sys/fs/cgroup")).type();
        assertThat(memory.isV2()).as("/sys/fs/cgroup is a %s mount", mounted).isEqualTo(mounted.equals("cgroup2"));
        // ...and this JVM's own memory cgroup, as the kernel names it: its out-of-memory count
        // lies where the detected hierarchy puts it.
        String own = ownMemoryCgroup(memory.isV2());
        assertThat(memory.dir(own).resolve(memory.isV2() ? "memory.events" : "memory.oom_control"))
                .as("the out-of-memory count of this JVM's cgroup %s under %s", own, memory)
                .isRegularFile();
    }

    /**
     * This process's cgroup in /proc/self/cgroup: the {@code 0::} line under v2, else the line
     * of the v1 hierarchy that holds the memory controller.
     */
    private static String ownMemoryCgroup(boolean v2) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
            String[] fields = line.split(":", 3);
            boolean wanted =
                    v2 ? fields[0].equals("0") : List.of(fields[1].split(",")).contains("memory");
            if (wanted) {
                return fields[2];
            }
        }
        throw new AssertionError("no " + (v2 ? "v2" : "v1 memory") + " cgroup in /proc/self/cgroup");
    }
}
