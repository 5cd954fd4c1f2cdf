package dev.ferry.function.runtime;

import dev.ferry.request.protocol.FunctionSettings;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * What a user's jar declares: its app name and its functions.
 *
 * <p>Reading loads the jar's classes without initialising them (no static initialiser of
 * user code runs) in a class loader that is closed again afterwards.
 *
 * @param appName the manifest's {@value #APP_ATTRIBUTE} attribute, if any
 * @param functions one entry per {@link FerryFunction} class, sorted by name
 */
public record AppJar(Optional<String> appName, List<Function> functions) {

    /** The manifest attribute that names the app a jar deploys as. */
    public static final String APP_ATTRIBUTE = "Ferry-App";

    /** One function in the jar. */
    public record Function(String className, FunctionSettings settings) {}

    /**
     * Reads {@code jar}.
     *
     * @throws IOException when the jar cannot be read
     * @throws IllegalArgumentException when it declares no function, a broken one, or two
     *     with the same name; the message names the class and the problem
     */
    public static AppJar read(Path jar) throws IOException {
        if (!Files.isRegularFile(jar)) {
            throw new IOException(jar + ": not a file");
        }
        Optional<String> appName;
        List<String> classNames = new ArrayList<>();
        try (JarFile file = new JarFile(jar.toFile())) {
            Manifest manifest = file.getManifest();
            appName = Optional.ofNullable(
                            manifest == null
                                    ? null
                                    : manifest.getMainAttributes().getValue(APP_ATTRIBUTE))
                    .map(String::trim)
                    .filter(s -> !s.isEmpty());
            for (Enumeration<JarEntry> entries = file.entries(); entries.hasMoreElements(); ) {
                String name = entries.nextElement().getName();
                if (name.endsWith(".class") && !name.endsWith("module-info.class") && !name.startsWith("META-INF/")) {
                    classNames.add(
                            name.substring(0, name.length() - ".class".length()).replace('/', '.'));
                }
            }
        }
        appName.ifPresent(name -> FunctionSettings.checkName(APP_ATTRIBUTE, name));
        Map<String, Function> byName = new HashMap<>();
        try (URLClassLoader loader =
                new URLClassLoader(new URL[] {jar.toUri().toURL()}, AppJar.class.getClassLoader())) {
            for (String className : classNames) {
                Class<?> type;
                try {
                    type = Class.forName(className, false, loader);
                } catch (ClassNotFoundException | LinkageError | SecurityException e) {
                    // A class that needs something the jar lacks, or that no class loader may define
                    // (a package under java., a signature that does not verify), cannot be a function we can run.
                    continue;
                }
                if (!type.isAnnotationPresent(FerryFunction.class)) {
                    continue;
                }
                FunctionClass function = FunctionClass.of(type);
                Function previous =
                        byName.put(function.settings().name(), new Function(className, function.settings()));
                if (previous != null) {
                    throw new IllegalArgumentException(
                            "function name \"" + function.settings().name() + "\" declared twice: "
                                    + previous.className() + " and " + className);
                }
            }
        }
        if (byName.isEmpty()) {
            throw new IllegalArgumentException("no class annotated with @FerryFunction");
        }
        List<Function> functions = new ArrayList<>(byName.values());
        functions.sort((a, b) -> a.settings().name().compareTo(b.settings().name()));
        return new AppJar(appName, List.copyOf(functions));
    }
}
