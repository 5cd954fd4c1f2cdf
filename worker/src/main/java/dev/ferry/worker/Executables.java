package dev.ferry.worker;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Finds commands the way a shell does. */
final class Executables {

    private Executables() {}

    /**
     * {@code command} as the shell would run it: itself when it holds a slash, else the first
     * executable file of that name in the directories of {@code path} (a PATH value).
     */
    static Optional<Path> find(String command, String path) {
        if (command.contains("/")) {
            Path file = Path.of(command);
            return isExecutable(file) ? Optional.of(file) : Optional.empty();
        }
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path file = Path.of(dir, command);
            if (isExecutable(file)) {
                return Optional.of(file);
            }
        }
        return Optional.empty();
    }

    /** {@link #find(String, String)} on this process's PATH. */
    static Optional<Path> find(String command) {
        return find(command, System.getenv("PATH"));
    }

    private static boolean isExecutable(Path file) {
        return Files.isRegularFile(file) && Files.isExecutable(file);
    }
}
