package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DevStackTest {

    @TempDir
    Path home;

    /** A stack built, not started: where its containers' archive would be is known before. */
    private DevStack stack(String classpath) {
        return DevStack.builder().home(home).runtimeClasspath(classpath).build();
    }

    @Test
    void archivesTheClassesOfAJarOnlyClasspathUnderTheHome() throws Exception {
        Path a = Files.createFile(home.resolve("a.jar"));
        Path b = Files.createFile(home.resolve("b.jar"));

        Path archive = stack(a + File.pathSeparator + b).classDataArchive().orElseThrow();

        assertThat(archive.getParent()).isEqualTo(home.resolve("cds"));
        assertThat(archive.getFileName().toString()).startsWith("container-").endsWith(".jsa");
        assertThat(stack(a.toString()).classDataArchive())
                .isNotEqualTo(stack(b.toString()).classDataArchive());
    }

    @Test
    void aRebuiltJarAtTheSamePathGetsANewArchive() throws Exception {
        Path jar = Files.writeString(home.resolve("ferry.jar"), "one build");
        Path before = stack(jar.toString()).classDataArchive().orElseThrow();

        Files.writeString(jar, "another build");
        Files.setLastModifiedTime(
                jar, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 60_000));

        // The JVM would refuse the old one, silently: the worker must not hand it out.
        assertThat(stack(jar.toString()).classDataArchive()).isNotEqualTo(java.util.Optional.of(before));
    }

    @Test
    void archivesNothingWhenTheClasspathHasADirectory() throws Exception {
        Path jar = Files.createFile(home.resolve("a.jar"));
        Path classes = Files.createDirectory(home.resolve("classes"));

        assertThat(stack(jar + File.pathSeparator + classes).classDataArchive()).isEmpty();
    }

    @Test
    void aBuiltStackOpensNothingUntilStartedAndNeedsAHome() {
        DevStack stack = stack("a.jar");

        assertThatThrownBy(stack::httpPort)
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("dev stack: not started (expected: start() first)");
        stack.close();
        assertThatThrownBy(() -> DevStack.builder().build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("home: null (expected: the Ferry home directory)");
    }

    @Test
    void aRoleOptionThatCannotWorkFailsTheStartNamingIt() {
        DevStack stack = DevStack.builder()
                .home(home)
                .gateway(gateway -> gateway.httpPort(0).httpsPort(0).maxRequestLine(10))
                .adminPort(0)
                .build();

        assertThatThrownBy(stack::start)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxRequestLine: 10 (expected: >= 256)");
        assertThatThrownBy(stack::store).isInstanceOf(IllegalStateException.class);
    }
}
