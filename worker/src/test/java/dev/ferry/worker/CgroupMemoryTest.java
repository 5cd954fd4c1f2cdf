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
        Files.writeString(cgroup.resolve("memory.events"), "low 0\nhigh 0\nmax 12\noom 1\noom_kill 1\noom_group_kill 0\n");

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
        assertThat(CgroupMemory.v1MemoryMount(List.of(mountinfo.get(0), mountinfo.get(2)))).isEmpty();
    }

    @Test
    void thisMachineIsDetected() {
        CgroupMemory memory = CgroupMemory.detect();

        assertThat(memory.isV2()).isEqualTo(Files.exists(Path.of("/sys/fs/cgroup/cgroup.controllers")));
        assertThat(memory.dir("/ferry/ct-x").toString()).endsWith("/ferry/ct-x");
    }
}
