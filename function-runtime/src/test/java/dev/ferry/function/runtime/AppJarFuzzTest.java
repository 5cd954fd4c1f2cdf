package dev.ferry.function.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

/**
 * Coverage-guided fuzzing of a deployed jar as {@link AppJar#read} scans it: its manifest
 * ({@code Ferry-App}), its entries' names, and what they hold. A deploy either gets the jar's
 * functions, or an {@link IOException} (not a jar) or an {@link IllegalArgumentException} naming
 * what is wrong, which the admin API answers with 400; anything else would escape the handler.
 *
 * <p>One fuzz test for the module, because Jazzer fuzzes one per JVM; see {@code docs/fuzzing.md}.
 */
class AppJarFuzzTest {

    private static final byte[] HELLO = classBytes(TestFunctions.Hello.class);

    /** Pieces of a manifest and of entry names, which random bytes would take long to hit. */
    @DictionaryEntries({
        "Manifest-Version: 1.0",
        "Ferry-App: ",
        "META-INF/",
        ".class",
        "module-info.class",
        "java/",
        "dev/ferry/function/runtime/TestFunctions$Hello.class",
        "$",
        "/"
    })
    @FuzzTest(maxDuration = "3s")
    void jarsGiveFunctionsOrSayWhatIsWrong(FuzzedDataProvider data) throws IOException {
        Path jar = Files.createTempFile("ferry-fuzz-", ".jar");
        try {
            if (data.consumeInt(0, 9) == 0) {
                Files.write(jar, data.consumeRemainingAsBytes());
            } else {
                write(jar, data);
            }
            try {
                AppJar read = AppJar.read(jar);
                assertThat(read.functions()).isNotEmpty();
            } catch (IOException e) {
                // not a jar: the deploy says so
            } catch (IllegalArgumentException e) {
                assertThat(e.getMessage()).as("message of %s", e).isNotBlank();
            }
        } finally {
            Files.deleteIfExists(jar);
        }
    }

    /** A jar of a fuzzed manifest and entries, with or without a real function class among them. */
    private static void write(Path jar, FuzzedDataProvider data) throws IOException {
        try (OutputStream file = Files.newOutputStream(jar);
                JarOutputStream out = new JarOutputStream(file)) {
            Set<String> names = new HashSet<>();
            if (data.consumeBoolean()) {
                names.add("META-INF/MANIFEST.MF");
                out.putNextEntry(new JarEntry("META-INF/MANIFEST.MF"));
                String manifest = data.consumeString(200);
                if (data.consumeBoolean()) {
                    manifest = "Manifest-Version: 1.0\r\nFerry-App: " + manifest + "\r\n";
                }
                out.write(manifest.getBytes(StandardCharsets.UTF_8));
            }
            if (data.consumeBoolean()) {
                String name = TestFunctions.Hello.class.getName().replace('.', '/') + ".class";
                names.add(name);
                out.putNextEntry(new JarEntry(name));
                out.write(HELLO);
            }
            for (int i = data.consumeInt(0, 3); i > 0; i--) {
                String name = data.consumeString(60);
                if (name.isEmpty() || name.getBytes(StandardCharsets.UTF_8).length > 0xffff || !names.add(name)) {
                    continue;
                }
                out.putNextEntry(new JarEntry(name));
                out.write(data.consumeBoolean() ? HELLO : data.consumeBytes(200));
            }
        }
    }

    private static byte[] classBytes(Class<?> type) {
        String resource = "/" + type.getName().replace('.', '/') + ".class";
        try (InputStream in = type.getResourceAsStream(resource)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
