package dev.ferry.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bwrap command line; SandboxTest runs it. */
class BwrapLauncherTest {

    @TempDir
    Path dir;

    @Test
    void bindsBackWhatTheSandboxHidesAndPassesGpuNodes() throws Exception {
        Path jar = Files.writeString(dir.resolve("app.jar"), "jar");
        Path node = Files.writeString(dir.resolve("nvidia3"), "");
        ContainerSpec spec = ContainerSpec.of("shop--checkout", "com.example.Checkout", jar);
        ContainerLaunch launch = new ContainerLaunch(
                "ct-abcd2345",
                spec.limits(),
                List.of("/usr/bin/java", "-version"),
                Map.of(),
                List.of(jar, Path.of("/usr/lib"), dir.resolve("missing.jar")),
                List.of(node));

        BwrapLauncher launcher = new BwrapLauncher(Path.of("/usr/bin/bwrap"), null);
        List<String> command;
        try {
            command = launcher.bwrapCommand(launch);
            List<String> whole = launcher.command(launch);
            assertThat(whole.subList(0, 3)).containsExactly("/bin/sh", "-c", "exec \"$@\" 9< \"$0\"");
            assertThat(whole.subList(4, whole.size())).isEqualTo(command);
            assertThat(Files.readAllBytes(Path.of(whole.get(3))))
                    .isEqualTo(SeccompProfile.bpfProgram(SeccompProfile.Arch.current()));
        } finally {
            launcher.close();
        }

        assertThat(command.subList(0, 6))
                .containsExactly(
                        "/usr/bin/bwrap",
                        "--unshare-pid",
                        "--unshare-ipc",
                        "--unshare-uts",
                        "--hostname",
                        "ct-abcd2345");
        assertThat(command)
                .containsSequence("--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp")
                .containsSequence("--ro-bind", jar.toString(), jar.toString())
                .containsSequence("--dev-bind", node.toString(), "/dev/nvidia3")
                .containsSequence("--tmpfs", "/root")
                .containsSequence("--remount-ro", "/root")
                .contains("--die-with-parent", "--new-session")
                .containsSequence("--cap-drop", "ALL")
                .containsSequence("--seccomp", "9")
                .doesNotContain("--unshare-net")
                .doesNotContain("/usr/lib", dir.resolve("missing.jar").toString())
                .endsWith("--chdir", "/tmp", "--", "/usr/bin/java", "-version");
        assertThat(Collections.indexOfSubList(command, List.of("--ro-bind", jar.toString(), jar.toString())))
                .isGreaterThan(command.indexOf("/tmp"))
                .isLessThan(command.indexOf("--remount-ro"));
        if (Files.isRegularFile(Path.of("/etc/shadow"))) {
            assertThat(command).containsSequence("--ro-bind", "/dev/null", "/etc/shadow");
        }
    }

    @Test
    void networkNoneUnsharesTheNetworkAndBindsTheSocketDirectory() throws Exception {
        Path sockets = Files.createDirectory(dir.resolve("sockets"));
        ContainerLaunch launch = new ContainerLaunch(
                "ct-abcd2345",
                ContainerLimits.NONE,
                List.of("/usr/bin/java", "-version"),
                Map.of(),
                List.of(),
                List.of(),
                ContainerNetwork.NONE,
                sockets);
        BwrapLauncher launcher = new BwrapLauncher(Path.of("/usr/bin/bwrap"), null);
        try {
            assertThat(launcher.bwrapCommand(launch))
                    .contains("--unshare-net")
                    .containsSequence("--bind", sockets.toString(), sockets.toString());
        } finally {
            launcher.close();
        }
    }
}
