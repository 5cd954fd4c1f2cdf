package dev.ferry.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What goes into a runc bundle; SandboxTest runs them. */
class OciBundleTest {

    @TempDir
    Path dir;

    @Test
    void configHoldsLimitsNamespacesAndReadOnlyRoot() throws Exception {
        Path jar = Files.writeString(dir.resolve("app.jar"), "jar");
        ContainerSpec spec = ContainerSpec.of("shop--checkout", "com.example.Checkout", jar)
                .withLimits(ContainerLimits.of(0.5, 256, 128));
        ContainerLaunch launch = new ContainerLaunch(
                "ct-abcd2345",
                spec.limits(),
                List.of("/usr/bin/java", "-version"),
                Map.of(),
                List.of(jar, Path.of("/usr/lib")),
                List.of());
        Path bundle = dir.resolve("bundles/ct-abcd2345");

        OciBundle.create(bundle, launch, Map.of("PATH", "/usr/bin", "FERRY_CONTAINER_ID", "ct-abcd2345"), true);

        String config = Files.readString(bundle.resolve("config.json"));
        assertThat(Files.getPosixFilePermissions(bundle)).isEqualTo(PosixFilePermissions.fromString("rwx------"));
        if (Files.isSymbolicLink(Path.of("/bin"))) {
            // merged /usr: the same link, not one more mount
            assertThat(Files.readSymbolicLink(bundle.resolve("rootfs/bin")))
                    .isEqualTo(Files.readSymbolicLink(Path.of("/bin")));
            assertThat(config).doesNotContain("\"destination\": \"/bin\"");
        }
        assertThat(config)
                .contains("\"cgroupsPath\": \"/ferry/ct-abcd2345\"")
                .contains("\"hostname\": \"ct-abcd2345\"")
                .contains("\"readonly\": true")
                .contains("\"limit\": 268435456")
                .contains("\"swap\": 268435456")
                .contains("\"quota\": 50000")
                .contains("\"period\": 100000")
                .contains("\"limit\": 128")
                .contains("\"FERRY_CONTAINER_ID=ct-abcd2345\"")
                .contains("\"destination\": \"" + jar + "\"")
                .contains("\"destination\": \"/usr\"")
                .contains("\"destination\": \"/etc\"")
                .contains("\"size=256m\"")
                .contains("\"noNewPrivileges\": true")
                .contains("\"defaultAction\": \"SCMP_ACT_ALLOW\"")
                .contains("\"ptrace\"", "\"mount\"", "\"bpf\"", "\"kexec_load\"", "\"unshare\"")
                .doesNotContain("\"type\": \"network\"")
                .doesNotContain("\"destination\": \"/usr/lib\"");
    }

    @Test
    void inAUserNamespaceRootMapsToTheContainersUserAndItsUserMakesTheMounts() throws Exception {
        Path jar = Files.writeString(dir.resolve("app.jar"), "jar");
        Path copy = Files.createDirectories(dir.resolve("own")).resolve("app.jar");
        Files.writeString(copy, "jar");
        UserNamespace namespace = new UserNamespace(
                "ct-abcd2345", new ContainerUser(1_879_048_200, 1_879_048_300), dir.resolve("own"), Map.of(jar, copy));
        ContainerLaunch launch = new ContainerLaunch(
                "ct-abcd2345",
                ContainerLimits.NONE,
                List.of("/usr/bin/java", "-version"),
                Map.of(),
                List.of(jar),
                List.of(),
                ContainerNetwork.HOST,
                null,
                namespace);
        Path bundle = dir.resolve("bundles/ct-abcd2345");

        OciBundle.create(bundle, launch, Map.of(), true);

        String config = Files.readString(bundle.resolve("config.json")).replaceAll("\\s+", " ");
        Path rootfs = dir.resolve("own/rootfs");
        assertThat(Files.getAttribute(rootfs, "unix:uid")).isEqualTo(1_879_048_200);
        assertThat(bundle.resolve("rootfs")).doesNotExist();
        assertThat(config)
                .contains("\"path\": \"" + rootfs + "\"")
                .contains("{ \"type\": \"user\" }", "{ \"type\": \"cgroup\" }")
                .contains("\"uidMappings\"", "\"gidMappings\"")
                .contains("\"hostID\": 1879048200", "\"hostID\": 1879048300")
                .contains("\"destination\": \"" + jar + "\", \"type\": \"bind\", \"source\": \"" + copy + "\"")
                // on the host's network: some of the machine's /sys, bound, without its cgroup mounts
                .contains("\"destination\": \"/sys\", \"type\": \"tmpfs\"")
                .contains("\"destination\": \"/sys/devices\", \"type\": \"bind\", \"source\": \"/sys/devices\"")
                .doesNotContain("\"type\": \"sysfs\"");
    }

    @Test
    void unlimitedContainerHasNoResourceLimits() throws Exception {
        ContainerSpec spec = ContainerSpec.of("shop--checkout", "com.example.Checkout", dir.resolve("missing.jar"));
        ContainerLaunch launch = new ContainerLaunch(
                "ct-abcd2345", spec.limits(), List.of("/usr/bin/java"), Map.of(), List.of(), List.of());
        Path bundle = dir.resolve("bundle");

        OciBundle.create(bundle, launch, Map.of(), false);

        String config = Files.readString(bundle.resolve("config.json"));
        assertThat(config)
                .doesNotContain("\"memory\"")
                .doesNotContain("\"quota\"")
                .doesNotContain("\"pids\"")
                .doesNotContainPattern("size=\\d+m\"");
        OciBundle.delete(bundle);
        assertThat(bundle).doesNotExist();
        OciBundle.delete(bundle);
    }

    @Test
    void boundPathsSkipWhatIsAlreadyBoundAndWhatIsMissing() throws Exception {
        Path lib = Files.createDirectories(dir.resolve("lib"));
        Path inLib = Files.writeString(lib.resolve("a.jar"), "a");
        Path other = Files.writeString(dir.resolve("b.jar"), "b");

        assertThat(OciBundle.boundPaths(
                        List.of(inLib, lib, other, dir.resolve("missing.jar"), Path.of("/usr/lib/jvm"))))
                .containsExactly(Path.of("/etc"), other, lib, Path.of("/usr"));
    }

    @Test
    void networkNoneGetsANamespaceOfItsOwnAndItsSocketDirectoryWritable() throws Exception {
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
        Path bundle = dir.resolve("bundles/ct-abcd2345");

        OciBundle.create(bundle, launch, Map.of("PATH", "/usr/bin"), true);

        String config = Files.readString(bundle.resolve("config.json"));
        assertThat(config)
                .contains("\"type\": \"network\"")
                .contains("\"destination\": \"" + sockets + "\"")
                .contains("\"rw\"");
    }
}
