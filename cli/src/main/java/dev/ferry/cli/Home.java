package dev.ferry.cli;

import java.nio.file.Path;

/** Where Ferry keeps its files: {@code --home}, else $FERRY_HOME, else ~/.ferry. */
final class Home {

    private Home() {}

    static Path resolve(Path option) {
        if (option != null) {
            return option;
        }
        String env = System.getenv("FERRY_HOME");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        return Path.of(System.getProperty("user.home"), ".ferry");
    }
}
