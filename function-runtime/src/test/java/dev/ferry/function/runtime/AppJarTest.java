package dev.ferry.function.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AppJarTest {

    @TempDir
    Path dir;

    @Test
    void readsTheAppNameAndEveryFunctionWithItsSettings() throws Exception {
        Path jar = TestJars.jar(dir.resolve("a.jar"), "shop", TestFunctions.Hello.class, TestFunctions.Block.class);

        AppJar app = AppJar.read(jar);

        assertThat(app.appName()).contains("shop");
        assertThat(app.functions()).extracting(f -> f.settings().name()).containsExactly("block", "hello");
        AppJar.Function block = app.functions().get(0);
        assertThat(block.className()).isEqualTo(TestFunctions.Block.class.getName());
        assertThat(block.settings().maxInputs()).isEqualTo(1);
        assertThat(block.settings().timeout()).isEqualTo(Duration.ofMillis(300));
        assertThat(block.settings().scaledownWindow()).isEqualTo(Duration.ofSeconds(60));
    }

    /**
     * Found while writing AppJarFuzzTest (its property covers it): a class under java/ made
     * ClassLoader.defineClass throw SecurityException ("Prohibited package name"), which is no
     * LinkageError, so it escaped the scan and the deploy handler.
     */
    @Test
    void skipsAClassInAPackageNoLoaderMayDefine() throws Exception {
        Path jar = TestJars.jar(dir.resolve("java.jar"), "shop", TestFunctions.Hello.class);
        try (FileSystem zip = FileSystems.newFileSystem(jar)) {
            Path evil = zip.getPath("/java/evil/Evil.class");
            Files.createDirectories(evil.getParent());
            Files.write(evil, new byte[] {(byte) 0xca, (byte) 0xfe, (byte) 0xba, (byte) 0xbe});
        }

        assertThat(AppJar.read(jar).functions())
                .extracting(f -> f.settings().name())
                .containsExactly("hello");
    }

    @Test
    void rejectsAJarWithoutFunctions() throws Exception {
        Path jar = TestJars.jar(dir.resolve("empty.jar"), "shop", ContainerCalls.class);

        assertThatThrownBy(() -> AppJar.read(jar)).hasMessageContaining("no class annotated with @FerryFunction");
    }

    @Test
    void rejectsTwoFunctionsWithOneName() throws Exception {
        Path jar = TestJars.jar(dir.resolve("dup.jar"), "shop", TestFunctions.Hello.class, Twin.class);

        assertThatThrownBy(() -> AppJar.read(jar)).hasMessageContaining("function name \"hello\" declared twice");
    }

    @Test
    void rejectsAFunctionWithInvalidSettings() throws Exception {
        Path jar = TestJars.jar(dir.resolve("bad.jar"), "shop", BadSettings.class);

        assertThatThrownBy(() -> AppJar.read(jar))
                .hasMessageContaining("BadSettings")
                .hasMessageContaining("maxInputs: 0 (expected: > 0)");
    }

    @Test
    void rejectsAnUnknownGpuNamingTheValueAndTheAcceptedForms() throws Exception {
        Path jar = TestJars.jar(dir.resolve("gpu.jar"), "shop", BadGpu.class);

        assertThatThrownBy(() -> AppJar.read(jar))
                .hasMessageContaining("BadGpu")
                .hasMessageContaining(
                        "gpu: \"X100:2\" (expected: one of T4, L4, A10, L40S, A100, A100-40GB, A100-80GB, H100, H200,"
                                + " B200 or any, with an optional count :1 to :8");
    }

    @Test
    void readsGpuFallbacksInCanonicalFormAndWorkerLabels() throws Exception {
        Path jar = TestJars.jar(dir.resolve("gpu.jar"), "shop", GoodGpu.class);

        AppJar.Function f = AppJar.read(jar).functions().getFirst();

        assertThat(f.settings().gpu()).containsExactly("H100:2", "A100-80GB:2", "any");
        assertThat(f.settings().workerLabels()).containsExactly("zone=eu");
        assertThat(f.settings().cpu()).isEqualTo(2.5);
        assertThat(f.settings().memoryMib()).isEqualTo(4096);
    }

    @Test
    void rejectsAMalformedWorkerLabel() throws Exception {
        Path jar = TestJars.jar(dir.resolve("label.jar"), "shop", BadLabel.class);

        assertThatThrownBy(() -> AppJar.read(jar)).hasMessageContaining("workerLabels: \"zone\" (expected: key=value");
    }

    @FerryFunction(
            name = "bad-gpu",
            gpu = {"H100", "X100:2"})
    public static final class BadGpu implements HttpHandler {
        @Override
        public Response handle(Request request) {
            return Response.text(200, "bad");
        }
    }

    @FerryFunction(
            name = "good-gpu",
            gpu = {"h100:2", "a100-80gb:2", "ANY"},
            workerLabels = "zone=eu",
            cpu = 2.5,
            memoryMib = 4096)
    public static final class GoodGpu implements HttpHandler {
        @Override
        public Response handle(Request request) {
            return Response.text(200, "good");
        }
    }

    @FerryFunction(name = "bad-label", workerLabels = "zone")
    public static final class BadLabel implements HttpHandler {
        @Override
        public Response handle(Request request) {
            return Response.text(200, "bad");
        }
    }

    @Test
    void rejectsAClassThatIsNotAnApp() throws Exception {
        Path jar = TestJars.jar(dir.resolve("bad.jar"), "shop", NotAnApp.class);

        assertThatThrownBy(() -> AppJar.read(jar)).hasMessageContaining("expected to implement");
    }

    @FerryFunction(name = "hello")
    public static final class Twin implements HttpHandler {
        @Override
        public Response handle(Request request) {
            return Response.text(200, "twin");
        }
    }

    @FerryFunction(name = "bad", maxInputs = 0)
    public static final class BadSettings implements HttpHandler {
        @Override
        public Response handle(Request request) {
            return Response.text(200, "bad");
        }
    }

    @FerryFunction(name = "not-an-app")
    public static final class NotAnApp {}
}
