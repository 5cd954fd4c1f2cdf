package dev.ferry.perf.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.function.runtime.AppJar;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProbeJarTest {

    @TempDir
    Path dir;

    @Test
    void theProbeAppIsTheExampleAppPlusAFunctionThatAnswersItsVersion() throws Exception {
        // surefire runs in perf/: the example app is built beside it.
        Path examples = Path.of("").toAbsolutePath().getParent().resolve("examples/target/examples.jar");

        Path jar = ProbeJar.write(dir.resolve("probe-1.jar"), examples, "v-123");

        AppJar app = AppJar.read(jar);
        assertThat(app.appName()).contains(ProbeJar.APP);
        assertThat(app.functions())
                .anySatisfy(f -> {
                    assertThat(f.settings().name()).isEqualTo(ProbeJar.FUNCTION);
                    assertThat(f.className()).isEqualTo(ProbeJar.PROBE_CLASS);
                })
                .anySatisfy(f -> assertThat(f.settings().name()).isEqualTo("hello"));
        try (JarFile file = new JarFile(jar.toFile())) {
            assertThat(new String(
                            file.getInputStream(file.getEntry(ProbeJar.TOKEN_RESOURCE))
                                    .readAllBytes(),
                            StandardCharsets.UTF_8))
                    .isEqualTo("v-123");
        }
    }

    @Test
    void theProbesNameIsWrittenOutRight() {
        assertThat(ProbeJar.PROBE_CLASS).isEqualTo(VersionProbe.class.getName());
    }
}
