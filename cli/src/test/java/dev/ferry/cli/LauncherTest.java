package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ferry} launcher script at the project root, run for real in a copy of the
 * checkout's layout: the script itself, a POM and a source, the CLI's jar (this module's
 * classes, with its dependencies on the manifest's class path), and a {@code mvnw} that only
 * notes that it was called. So a "build" is visible, and takes no time.
 */
class LauncherTest {

    private static final long PROCESS_SECONDS = 180;

    @TempDir
    Path root;

    private Path jar;
    private Path source;

    record Run(int exitCode, String out, String err) {}

    @BeforeEach
    void layOutACheckout() throws Exception {
        Path script = root.resolve("ferry");
        Files.copy(projectRoot().resolve("ferry"), script);
        executable(script);
        Path mvnw = Files.writeString(root.resolve("mvnw"), """
                #!/bin/sh
                # Notes the build; "builds" by making the jar newer than the sources.
                echo "$*" >> "$(dirname "$0")/mvnw.calls"
                touch "$(dirname "$0")/cli/target/ferry.jar"
                """);
        executable(mvnw);
        Instant past = Instant.now().minusSeconds(3600);
        source = write(root.resolve("cli/src/main/java/dev/ferry/cli/Main.java"), "// the sources", past);
        write(root.resolve("cli/pom.xml"), "<project/>", past);
        write(root.resolve("pom.xml"), "<project/>", past);
        try (Stream<Path> tree = Files.walk(root.resolve("cli/src"))) {
            for (Path dir : tree.filter(Files::isDirectory).toList()) {
                setTime(dir, past); // a directory newer than the jar means a changed source too
            }
        }
        write(root.resolve("examples/target/examples.jar"), "", past);
        write(root.resolve("perf/target/ferry-perf.jar"), "", past);
        jar = cliJar(root.resolve("cli/target"), "ferry.jar");
    }

    /** The links to the dependencies first, before JUnit, which warns about each. */
    @AfterEach
    void removeLinks() throws IOException {
        for (Path dir : List.of(root.resolve("cli/target/lib"), root.resolve("jdk-24/bin"))) {
            if (Files.isDirectory(dir)) {
                try (Stream<Path> links = Files.list(dir)) {
                    for (Path link : links.toList()) {
                        Files.delete(link);
                    }
                }
            }
        }
    }

    @Test
    void trainsTheClientCacheOnceThenStartsFromIt() throws Exception {
        Run first = ferry(Map.of(), "--version");
        assertThat(first.exitCode()).as(first.err()).isZero();
        assertThat(first.out()).isEqualTo("ferry 0.1.0\n");
        assertThat(first.err()).contains("training the CLI's start-up cache");
        Path cache = onlyCache();

        Path classes = root.resolve("class-load.log");
        Run second =
                ferry(Map.of("JDK_JAVA_OPTIONS", "-Xlog:class+load=info:file=" + classes), "ls", "--controller", "x");
        assertThat(second.err()).doesNotContain("training");
        assertThat(second.err()).contains("admin API URL: x/v1/apps (expected: http:// or https://)");
        assertThat(Files.readString(classes))
                .as("the CLI's own classes come from the cache")
                .containsPattern("dev\\.ferry\\.cli\\.LsCommand source: (shared objects file|.*aot)");
        assertThat(onlyCache()).isEqualTo(cache);
        assertThat(root.resolve("mvnw.calls")).doesNotExist();
    }

    @Test
    void trainsACdsArchiveBeforeJdk25() throws Exception {
        // This JVM under a JDK home whose release file says 24: the launcher's JDK 21-24 way.
        Path jdk = Files.createDirectories(root.resolve("jdk-24/bin"));
        Path home = Path.of(System.getProperty("java.home"));
        Files.createSymbolicLink(jdk.resolve("java"), home.resolve("bin/java"));
        Files.createSymbolicLink(jdk.resolve("javac"), home.resolve("bin/javac"));
        Files.writeString(jdk.resolveSibling("release"), "JAVA_VERSION=\"24.0.2\"\n");
        Map<String, String> jdk24 = Map.of("JAVA_HOME", jdk.getParent().toString());

        Run first = ferry(jdk24, "--version");
        assertThat(first.out()).isEqualTo("ferry 0.1.0\n");
        assertThat(first.err()).contains("training the CLI's start-up cache");
        Path archive = root.resolve("cli/target/aot/client-jdk-24-24.0.2.jsa");
        assertThat(archive).isNotEmptyFile();

        Path classes = root.resolve("class-load.log");
        Map<String, String> logged = new HashMap<>(jdk24);
        logged.put("JDK_JAVA_OPTIONS", "-Xlog:class+load=info:file=" + classes);
        assertThat(ferry(logged, "ls", "--controller", "x").exitCode()).isEqualTo(1);
        assertThat(Files.readString(classes)).contains("dev.ferry.cli.LsCommand source: shared objects file (top)");

        Files.writeString(archive, "not an archive");
        assertThat(ferry(jdk24, "--version")).isEqualTo(new Run(0, "ferry 0.1.0\n", ""));
    }

    @Test
    void runsInSilenceFromACorruptOrMismatchedCache() throws Exception {
        assertThat(ferry(Map.of(), "--version").exitCode()).isZero();
        Path cache = onlyCache();

        Files.writeString(cache, "not a cache"); // and newer than the jar: the script keeps it
        Run corrupt = ferry(Map.of(), "--version");
        assertThat(corrupt).isEqualTo(new Run(0, "ferry 0.1.0\n", ""));

        // The jar written again, with a time older than the cache's: the script keeps the cache,
        // the JVM refuses it (the jar's time is not the one it was trained with).
        Files.delete(cache);
        assertThat(ferry(Map.of(), "--version").exitCode()).isZero();
        cache = onlyCache();
        jar = cliJar(root.resolve("cli/target"), "ferry.jar");
        setTime(jar, Files.getLastModifiedTime(cache).toInstant().minusSeconds(60));
        Run mismatched = ferry(Map.of(), "--version");
        assertThat(mismatched).isEqualTo(new Run(0, "ferry 0.1.0\n", ""));
    }

    @Test
    void buildsWhenASourceChangesAndOnlyThen() throws Exception {
        Map<String, String> noCache = Map.of("FERRY_AOT", "off");
        Run fresh = ferry(noCache, "--version");
        assertThat(fresh).isEqualTo(new Run(0, "ferry 0.1.0\n", ""));
        assertThat(root.resolve("mvnw.calls")).doesNotExist();

        setTime(source, Instant.now()); // edited after the build
        Run edited = ferry(noCache, "--version");
        assertThat(edited.out()).isEqualTo("ferry 0.1.0\n");
        assertThat(edited.err()).contains("ferry: building");
        assertThat(Files.readAllLines(root.resolve("mvnw.calls")))
                .containsExactly("-B -q -DskipTests -Dspotless.check.skip=true install");

        assertThat(ferry(noCache, "--version").err()).isEmpty(); // built: nothing newer now

        setTime(jar, Instant.now().minusSeconds(60));
        Files.writeString(source.resolveSibling("Added.java"), "// a new file"); // its directory is newer too
        assertThat(ferry(noCache, "--version").err()).contains("ferry: building");

        Files.delete(root.resolve("examples/target/examples.jar"));
        assertThat(ferry(noCache, "--version").err()).contains("ferry: building");
        assertThat(Files.readAllLines(root.resolve("mvnw.calls"))).hasSize(3);
    }

    private Run ferry(Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(root.resolve("ferry").toString()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile(root, "out", ".txt");
        Path err = Files.createTempFile(root, "err", ".txt");
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(root.toFile())
                .redirectOutput(out.toFile())
                .redirectError(err.toFile());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().put("FERRY_HOME", root.resolve("home").toString());
        builder.environment().remove("JDK_JAVA_OPTIONS");
        builder.environment().putAll(env);
        Process process = builder.start();
        try {
            if (!process.waitFor(PROCESS_SECONDS, TimeUnit.SECONDS)) {
                throw new AssertionError("ferry " + String.join(" ", args) + " still running after " + PROCESS_SECONDS
                        + " s; its stderr:\n" + Files.readString(err));
            }
        } finally {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
        String stderr = Files.readString(err).replaceAll("(?m)^NOTE: Picked up JDK_JAVA_OPTIONS: .*\n", "");
        return new Run(process.exitValue(), Files.readString(out), stderr);
    }

    /** The one cache the launcher keeps for client commands: an AOT cache, or a CDS archive before JDK 25. */
    private Path onlyCache() throws IOException {
        String suffix = Runtime.version().feature() >= 25 ? ".aot" : ".jsa";
        try (Stream<Path> files = Files.list(root.resolve("cli/target/aot"))) {
            List<Path> caches = files.filter(f -> f.getFileName().toString().startsWith("client-")
                            && f.getFileName().toString().endsWith(suffix))
                    .toList();
            assertThat(caches).as("client caches in cli/target/aot").hasSize(1);
            return caches.get(0);
        }
    }

    /**
     * A jar of this module's classes that runs {@link Main}, with the rest of the test's class
     * path (dependencies) on its manifest's Class-Path, linked into {@code lib/} beside it: the
     * AOT cache needs jars, not directories.
     */
    private static Path cliJar(Path dir, String name) throws IOException {
        Path lib = Files.createDirectories(dir.resolve("lib"));
        Path classes = null;
        StringBuilder classPath = new StringBuilder();
        int jars = 0;
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path path = Path.of(entry);
            if (Files.isDirectory(path) && path.endsWith(Path.of("target", "classes"))) {
                classes = path;
            } else if (entry.endsWith(".jar") && Files.isRegularFile(path)) {
                Path link = lib.resolve(jars++ + "-" + path.getFileName()); // two jars may share a name
                if (Files.notExists(link)) {
                    Files.createSymbolicLink(link, path.toAbsolutePath());
                }
                classPath.append(classPath.isEmpty() ? "" : " ").append("lib/").append(link.getFileName());
            }
        }
        assertThat(classes).as("this module's target/classes on the class path").isNotNull();
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, Main.class.getName());
        manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH, classPath.toString());
        Path jar = dir.resolve(name);
        Path from = classes;
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest);
                Stream<Path> files = Files.walk(from)) {
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                out.putNextEntry(new JarEntry(from.relativize(file).toString().replace(File.separatorChar, '/')));
                Files.copy(file, out);
                out.closeEntry();
            }
        }
        return jar;
    }

    private static Path write(Path file, String text, Instant time) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text, StandardCharsets.UTF_8);
        setTime(file, time);
        return file;
    }

    private static void setTime(Path file, Instant time) throws IOException {
        Files.setLastModifiedTime(file, FileTime.from(time));
    }

    private static void executable(Path file) throws IOException {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** The project root (where the {@code ferry} script is), from the module directory the tests run in. */
    private static Path projectRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("ferry")) && Files.isRegularFile(dir.resolve("mvnw"))) {
                return dir;
            }
        }
        throw new AssertionError(
                "no ferry script with a mvnw beside it above " + Path.of("").toAbsolutePath());
    }
}
