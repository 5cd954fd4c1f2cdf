package dev.ferry.perf.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * The app the deploy row deploys, one jar per trial: the example app's classes plus
 * {@link VersionProbe}, whose answer is the version token written into the jar, under the app
 * name {@value #APP}. So a deploy costs what the example app's does, and the first answer
 * from the new version is told from the old one's by its body.
 */
final class ProbeJar {

    static final String APP = "probe";
    static final String FUNCTION = "version";
    /** The resource, at the jar's root, that holds the version token {@link VersionProbe} answers. */
    static final String TOKEN_RESOURCE = "ferry-bench-version.txt";
    /**
     * {@link VersionProbe}'s name, written out: naming the class would load it, and the
     * function runtime it implements is not on the bench's class path (it runs in containers).
     */
    static final String PROBE_CLASS = "dev.ferry.perf.bench.VersionProbe";

    private ProbeJar() {}

    /**
     * Writes {@code jar}: {@code examplesJar}'s entries but its manifest and signatures,
     * {@link VersionProbe}'s class, {@code token} as {@value #TOKEN_RESOURCE}, and a manifest
     * naming the app {@value #APP}.
     *
     * @throws IOException when the example jar cannot be read, the probe's class is not on
     *     this JVM's class path, or the jar cannot be written
     */
    static Path write(Path jar, Path examplesJar, String token) throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().putValue("Ferry-App", APP);
        String probeClass = PROBE_CLASS.replace('.', '/') + ".class";
        Files.createDirectories(jar.toAbsolutePath().getParent());
        try (OutputStream file = Files.newOutputStream(jar);
                JarOutputStream out = new JarOutputStream(file, manifest);
                JarFile examples = new JarFile(examplesJar.toFile())) {
            for (Enumeration<JarEntry> entries = examples.entries(); entries.hasMoreElements(); ) {
                JarEntry entry = entries.nextElement();
                String name = entry.getName();
                if (name.equalsIgnoreCase(JarFile.MANIFEST_NAME)
                        || name.equals(probeClass)
                        || (name.startsWith("META-INF/") && name.matches("(?i).*\\.(sf|dsa|rsa)"))) {
                    continue;
                }
                out.putNextEntry(new JarEntry(name));
                if (!entry.isDirectory()) {
                    try (InputStream in = examples.getInputStream(entry)) {
                        in.transferTo(out);
                    }
                }
                out.closeEntry();
            }
            out.putNextEntry(new JarEntry(probeClass));
            try (InputStream in = ProbeJar.class.getClassLoader().getResourceAsStream(probeClass)) {
                if (in == null) {
                    throw new IOException(probeClass + ": not on the bench's class path (expected: in ferry-perf.jar)");
                }
                in.transferTo(out);
            }
            out.closeEntry();
            out.putNextEntry(new JarEntry(TOKEN_RESOURCE));
            out.write(token.getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
        }
        return jar;
    }
}
