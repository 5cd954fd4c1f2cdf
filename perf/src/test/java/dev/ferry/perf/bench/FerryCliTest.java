package dev.ferry.perf.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FerryCliTest {

    private static final Instant BUILT = Instant.parse("2026-01-01T00:00:00Z");

    @TempDir
    Path root;

    private Path file(String path, Instant modified) throws IOException {
        Path file = root.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, path);
        Files.setLastModifiedTime(file, FileTime.from(modified));
        return file;
    }

    /** A checkout the script would run as it is: its jars, its script, sources older than the build. */
    private FerryBuild checkout() throws IOException {
        Path jar = file("cli/target/ferry.jar", BUILT);
        file("examples/target/examples.jar", BUILT);
        file("perf/target/ferry-perf.jar", BUILT);
        file("pom.xml", BUILT.minusSeconds(60));
        file("cli/src/main/java/Main.java", BUILT.minusSeconds(60));
        Path script = file("ferry", BUILT.minusSeconds(60));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return new FerryBuild(root, jar, root.resolve("examples/target/examples.jar"));
    }

    @Test
    void theJarIsRunAsTheScriptEndsInIt() throws IOException {
        FerryBuild build = checkout();
        List<String> command = FerryCli.of(build, FerryCli.Launcher.JAR).command(List.of("ls"));

        assertThat(command.subList(1, command.size()))
                .containsExactly(
                        "--enable-native-access=ALL-UNNAMED",
                        "-jar",
                        build.ferryJar().toString(),
                        "ls");
        assertThat(FerryCli.of(build, FerryCli.Launcher.SCRIPT).command(List.of("ls")))
                .containsExactly(root.resolve("ferry").toString(), "ls");
    }

    @Test
    void findsASourceNewerThanTheBuildAsTheScriptWould() throws IOException {
        checkout();
        FileTime built = FileTime.from(BUILT);
        file(".git/src/main/Ignored.java", BUILT.plusSeconds(60));
        file("cli/target/classes/Compiled.class", BUILT.plusSeconds(60));

        assertThat(FerryCli.newerSource(root, built)).isEmpty();

        Path edited = file("worker/src/main/java/Worker.java", BUILT.plusSeconds(1));
        assertThat(FerryCli.newerSource(root, built)).contains(edited);
    }

    @Test
    void refusesTheScriptWhenItWouldBuildFirst() throws IOException {
        FerryBuild build = checkout();
        file("perf/pom.xml", BUILT.plusSeconds(1));

        assertThatThrownBy(() -> FerryCli.of(build, FerryCli.Launcher.SCRIPT))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("perf/pom.xml is newer than")
                .hasMessageContaining("so ./ferry would build before running")
                .hasMessageContaining("or use --cli jar");
        Files.delete(root.resolve("perf/pom.xml"));
        Files.delete(root.resolve("perf/target/ferry-perf.jar"));
        assertThatThrownBy(() -> FerryCli.of(build, FerryCli.Launcher.SCRIPT))
                .hasMessageContaining("ferry-perf.jar: no such file, so ./ferry would build before running");
    }

    @Test
    void namesTheLauncherThatIsNotKnown() {
        assertThat(FerryCli.Launcher.parse("Script")).isEqualTo(FerryCli.Launcher.SCRIPT);
        assertThatThrownBy(() -> FerryCli.Launcher.parse("native"))
                .hasMessage("--cli: native (expected: script or jar)");
    }
}
