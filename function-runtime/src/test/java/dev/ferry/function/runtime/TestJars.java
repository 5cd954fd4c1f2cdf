package dev.ferry.function.runtime;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;

/**
 * For tests of every module: packs test function classes into a user jar, and finds the
 * class path that container processes run on.
 */
public final class TestJars {

    private TestJars() {}

    /**
     * A jar at {@code jar} holding {@code classes} (with their nested classes), taken from the
     * compiled test classes, with {@code Ferry-App: app} in its manifest.
     */
    public static Path jar(Path jar, String app, Class<?>... classes) throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().putValue(AppJar.APP_ATTRIBUTE, app);
        Files.createDirectories(jar.getParent());
        try (OutputStream file = Files.newOutputStream(jar);
                JarOutputStream out = new JarOutputStream(file, manifest)) {
            for (Class<?> type : classes) {
                Path source = codeSource(type);
                // A class may come from a classes directory or, in a reactor build, from a jar.
                try (FileSystem jarFs = Files.isDirectory(source) ? null : FileSystems.newFileSystem(source)) {
                    Path root = jarFs == null ? source : jarFs.getPath("/");
                    Path classFile = root.resolve(type.getName().replace('.', '/') + ".class");
                    List<Path> files = new ArrayList<>(List.of(classFile));
                    try (DirectoryStream<Path> nested =
                            Files.newDirectoryStream(classFile.getParent(), type.getSimpleName() + "$*.class")) {
                        nested.forEach(files::add);
                    }
                    String packagePath = type.getPackageName().replace('.', '/');
                    for (Path path : files) {
                        out.putNextEntry(new JarEntry(packagePath + "/" + path.getFileName()));
                        Files.copy(path, out);
                        out.closeEntry();
                    }
                }
            }
        }
        return jar;
    }

    /**
     * The test class path without the code sources (class directories or jars) of
     * {@code exclude}: it holds the function runtime, while test functions must come from
     * their jar only. Surefire runs tests from a manifest-only jar, so {@code java.class.path}
     * alone would not do.
     */
    public static String runtimeClasspath(Class<?>... exclude) {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<Path> excluded = Arrays.stream(exclude).map(TestJars::codeSource).toList();
        return Arrays.stream(classpath.split(File.pathSeparator))
                .filter(entry -> !entry.isBlank())
                .filter(entry ->
                        !excluded.contains(Path.of(entry).toAbsolutePath().normalize()))
                .collect(Collectors.joining(File.pathSeparator));
    }

    /** Where {@code type} was loaded from: a classes directory or a jar. */
    public static Path codeSource(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain()
                            .getCodeSource()
                            .getLocation()
                            .toURI())
                    .toAbsolutePath()
                    .normalize();
        } catch (URISyntaxException e) {
            throw new UncheckedIOException(new IOException(e));
        }
    }
}
