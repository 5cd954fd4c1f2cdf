package dev.ferry.cli;

import dev.ferry.gateway.EdgeLimits;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.worker.ContainerLogSink;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DevStackTest {

    @TempDir
    Path home;

    private DevStack.Options options(String classpath) {
        return new DevStack.Options("127.0.0.1", 0, 0, null, 0, "localhost", home, Duration.ofSeconds(1), EdgeLimits.DEFAULTS, classpath,
                Clock.systemUTC(), ContainerLogSink.console());
    }

    @Test
    void archivesTheClassesOfAJarOnlyClasspathUnderTheHome() throws Exception {
        Path a = Files.createFile(home.resolve("a.jar"));
        Path b = Files.createFile(home.resolve("b.jar"));

        Path archive = DevStack.classDataArchive(options(a + File.pathSeparator + b)).orElseThrow();

        assertThat(archive.getParent()).isEqualTo(home.resolve("cds"));
        assertThat(archive.getFileName().toString()).startsWith("container-").endsWith(".jsa");
        assertThat(DevStack.classDataArchive(options(a.toString()))).isNotEqualTo(DevStack.classDataArchive(options(b.toString())));
    }

    @Test
    void archivesNothingWhenTheClasspathHasADirectory() throws Exception {
        Path jar = Files.createFile(home.resolve("a.jar"));
        Path classes = Files.createDirectory(home.resolve("classes"));

        assertThat(DevStack.classDataArchive(options(jar + File.pathSeparator + classes))).isEmpty();
    }
}
