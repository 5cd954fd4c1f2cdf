package dev.ferry.cli;

import java.io.IOException;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Which controller's admin API a client command talks to: {@code --controller}, else the dev server's. */
final class AdminTarget {

    @Option(
            names = "--controller",
            paramLabel = "URL",
            description =
                    "A controller's admin API, e.g. http://10.0.0.2:7070 (default: the dev server or controller recorded in the home).")
    String controller;

    @Mixin
    HomeOption home;

    String adminUrl() throws IOException {
        if (controller != null) {
            return controller.endsWith("/") ? controller.substring(0, controller.length() - 1) : controller;
        }
        return DevState.read(home.resolve()).adminUrl();
    }
}
