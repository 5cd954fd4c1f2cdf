package dev.ferry.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * {@code --home}, where Ferry keeps its files: the option, declared once for every command
 * that uses the home, and its resolution ({@code --home}, else $FERRY_HOME, else ~/.ferry).
 * A command that says more about what it keeps there gives its own description under
 * {@code ferry.<command>.home} in {@code Help.properties}.
 */
final class HomeOption {

    @Option(names = "--home", description = "Ferry's directory (default: $FERRY_HOME, else ~/.ferry).")
    Path home;

    /** The home directory: the option's, else $FERRY_HOME, else ~/.ferry. */
    Path resolve() {
        if (home != null) {
            return home;
        }
        String env = System.getenv("FERRY_HOME");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        return Path.of(System.getProperty("user.home"), ".ferry");
    }
}
