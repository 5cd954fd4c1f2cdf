package dev.ferry.perf.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The built Ferry that the benches run: a checkout's {@code cli/target/ferry.jar} (every role,
 * and the function runtime that containers run) and {@code examples/target/examples.jar} (the
 * example app they deploy).
 *
 * @param root the checkout, absolute
 */
record FerryBuild(Path root, Path ferryJar, Path examplesJar) {

    /**
     * The build in {@code ferryRoot}.
     *
     * @throws IOException when a jar is missing; the message says how to build it
     */
    static FerryBuild of(Path ferryRoot) throws IOException {
        Path root = ferryRoot.toAbsolutePath();
        return new FerryBuild(
                root,
                requireFile(root.resolve("cli/target/ferry.jar")),
                requireFile(root.resolve("examples/target/examples.jar")));
    }

    /**
     * {@code java -jar ferry.jar ARGUMENTS --home HOME} in the checkout, with {@code FERRY_ROOT}
     * and {@code FERRY_HOME} set, so that the process neither uses nor disturbs a developer's
     * {@code ~/.ferry}; {@code home} is created.
     */
    Processes.Launch launch(List<String> arguments, Path home, Path log) throws IOException {
        Files.createDirectories(home);
        List<String> command = new ArrayList<>(List.of("-jar", ferryJar.toString()));
        command.addAll(arguments);
        command.addAll(List.of("--home", home.toString()));
        return Processes.launch(Processes.javaCommand(command), root, log)
                .env(Map.of("FERRY_ROOT", root.toString(), "FERRY_HOME", home.toString()));
    }

    private static Path requireFile(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file
                    + ": no such file (expected: built; run ./mvnw -B -DskipTests install in the repository root)");
        }
        return file;
    }
}
