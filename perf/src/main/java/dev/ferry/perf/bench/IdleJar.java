package dev.ferry.perf.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/** The app the idle bench deploys: {@link IdleWebSocket} alone, under the app name {@value #APP}. */
final class IdleJar {

    static final String APP = "idle";
    static final String FUNCTION = "idle-ws";
    /**
     * {@link IdleWebSocket}'s name, written out: naming the class would load it, and the
     * function runtime it implements is not on the bench's class path (it runs in containers).
     */
    static final String FUNCTION_CLASS = "dev.ferry.perf.bench.IdleWebSocket";

    private IdleJar() {}

    /** The Host that routes to the function. */
    static String host() {
        return APP + "--" + FUNCTION + ".localhost";
    }

    /**
     * Writes {@code jar}: a manifest naming the app {@value #APP} and {@link IdleWebSocket}'s class.
     *
     * @throws IOException when the class is not on this JVM's class path or the jar cannot be written
     */
    static Path write(Path jar) throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().putValue("Ferry-App", APP);
        String classFile = FUNCTION_CLASS.replace('.', '/') + ".class";
        Files.createDirectories(jar.toAbsolutePath().getParent());
        try (OutputStream file = Files.newOutputStream(jar);
                JarOutputStream out = new JarOutputStream(file, manifest);
                InputStream in = IdleJar.class.getClassLoader().getResourceAsStream(classFile)) {
            if (in == null) {
                throw new IOException(classFile + ": not on the bench's class path (expected: in ferry-perf.jar)");
            }
            out.putNextEntry(new JarEntry(classFile));
            in.transferTo(out);
            out.closeEntry();
        }
        return jar;
    }
}
