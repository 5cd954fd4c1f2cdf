package dev.ferry.perf.bench;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code ferry} command as a user runs it, for the rows that time the CLI ({@code ferry ls},
 * {@code ferry deploy}): either the launcher script at the checkout's root ({@code ./ferry},
 * which finds a JDK, checks the build and then runs the jar) or the command that script ends
 * in, {@code java --enable-native-access=ALL-UNNAMED -jar cli/target/ferry.jar}, on the bench's
 * own JDK. Each run is a new process with {@code FERRY_HOME} set to the dev server's home, so
 * the CLI finds that server the way it finds a user's ({@code ferry ls} with no option).
 * Thread-safe.
 */
final class FerryCli {

    /** Which command runs the CLI. */
    enum Launcher {
        /** {@code ./ferry}: what a user types; it rebuilds first when the sources are newer than the build. */
        SCRIPT,
        /** {@code java ... -jar cli/target/ferry.jar}: what the script runs once the build is current. */
        JAR;

        static Launcher parse(String value) {
            try {
                return valueOf(value.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--cli: " + value + " (expected: script or jar)");
            }
        }
    }

    /** One finished run: its exit status, wall time from the start of the process to its exit, and its output. */
    record Ran(int exit, long nanos, String output) {}

    private final FerryBuild build;
    private final Launcher launcher;

    private FerryCli(FerryBuild build, Launcher launcher) {
        this.build = build;
        this.launcher = launcher;
    }

    /**
     * The CLI of {@code build}, run by {@code launcher}.
     *
     * @throws IOException for {@link Launcher#SCRIPT} when the script is missing, or when it
     *     would build before running (see {@link #checkScriptWillNotBuild})
     */
    static FerryCli of(FerryBuild build, Launcher launcher) throws IOException {
        FerryCli cli = new FerryCli(build, launcher);
        if (launcher == Launcher.SCRIPT) {
            cli.checkScriptWillNotBuild();
        }
        return cli;
    }

    Launcher launcher() {
        return launcher;
    }

    /** The command, as the report names it. */
    String describe() {
        return launcher == Launcher.SCRIPT
                ? "./ferry (the launcher script)"
                : "java --enable-native-access=ALL-UNNAMED -jar cli/target/ferry.jar";
    }

    /** The whole command line for {@code ferry ARGUMENTS}. */
    List<String> command(List<String> arguments) {
        List<String> command = new ArrayList<>();
        if (launcher == Launcher.SCRIPT) {
            command.add(build.root().resolve("ferry").toString());
            command.addAll(arguments);
            return command;
        }
        command.addAll(List.of("-jar", build.ferryJar().toString()));
        command.addAll(arguments);
        return Processes.javaCommand(command);
    }

    /**
     * Runs {@code ferry ARGUMENTS} in the checkout with {@code FERRY_HOME=home}, its output to
     * {@code log}, and waits for it to exit; blocking.
     *
     * @throws IOException when it cannot start, does not exit within {@code timeout} (it is
     *     stopped by then), or, for the script, would build first
     */
    Ran run(List<String> arguments, Path home, Path log, Duration timeout) throws IOException {
        if (launcher == Launcher.SCRIPT) {
            checkScriptWillNotBuild(); // untimed: a build must never land in a figure
        }
        Files.deleteIfExists(log);
        Processes.Launch launch = Processes.launch(command(arguments), build.root(), log)
                .env(Map.of("FERRY_ROOT", build.root().toString(), "FERRY_HOME", home.toString()));
        long start = System.nanoTime();
        try (Processes.Child child = launch.start(timeout)) {
            int exit = child.awaitExit(timeout);
            long nanos = System.nanoTime() - start;
            return new Ran(exit, nanos, Files.readString(log).strip());
        }
    }

    /**
     * Fails when {@code ./ferry} would build before running the CLI, as its {@code stale()}
     * decides: a jar it checks for is missing, or a {@code pom.xml} or a file under a
     * {@code src/main} directory is newer than {@code cli/target/ferry.jar}. A build in a timed
     * run would be measured as the CLI's time, and on a shared machine it would install jars
     * into the local Maven repository.
     *
     * @throws IOException naming the file that makes the build stale
     */
    void checkScriptWillNotBuild() throws IOException {
        Path script = build.root().resolve("ferry");
        if (!Files.isExecutable(script)) {
            throw new IOException(
                    script + ": not an executable file (expected: the launcher script; or use --cli jar)");
        }
        Path perfJar = build.root().resolve("perf/target/ferry-perf.jar");
        if (!Files.isRegularFile(perfJar)) {
            throw new IOException(perfJar + ": no such file, so ./ferry would build before running"
                    + " (expected: built; run ./ferry bench, or use --cli jar)");
        }
        Optional<Path> newer = newerSource(build.root(), Files.getLastModifiedTime(build.ferryJar()));
        if (newer.isPresent()) {
            throw new IOException(
                    newer.get() + " is newer than " + build.ferryJar()
                            + ", so ./ferry would build before running (expected: a current build; run ./ferry bench, or use --cli jar)");
        }
    }

    /** A pom.xml, or a file under a src/main directory, modified after {@code built}; .git is skipped. */
    static Optional<Path> newerSource(Path root, FileTime built) throws IOException {
        Path[] found = new Path[1];
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) {
                return dir.equals(root.resolve(".git")) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                boolean source = file.getFileName().toString().equals("pom.xml")
                        || file.toString().contains("/src/main/");
                if (source
                        && attributes.isRegularFile()
                        && attributes.lastModifiedTime().compareTo(built) > 0) {
                    found[0] = file;
                    return FileVisitResult.TERMINATE;
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                return FileVisitResult.CONTINUE; // find(1) goes on past what it cannot read, too
            }
        });
        return Optional.ofNullable(found[0]);
    }
}
