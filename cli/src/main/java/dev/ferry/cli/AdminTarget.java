package dev.ferry.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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

    /** A client of the admin API with the token for it: $FERRY_TOKEN, else the home's credentials for its URL. */
    AdminClient client() throws IOException {
        String url = adminUrl();
        Path ferryHome = home.resolve();
        // The local authority exists where ferry dev (or a controller with --admin-tls-local) ran.
        Path authority = ferryHome.resolve("tls").resolve("ca.crt");
        authority = url.startsWith("https:") && Files.isRegularFile(authority) ? authority : null;
        String env = System.getenv(Credentials.ENV);
        String token = env != null && !env.isBlank()
                ? env.strip()
                : Credentials.read(ferryHome).token(url).orElse(null);
        return new AdminClient(url, token, authority);
    }

    String adminUrl() throws IOException {
        if (controller != null) {
            return controller.endsWith("/") ? controller.substring(0, controller.length() - 1) : controller;
        }
        return DevState.read(home.resolve()).adminUrl();
    }
}
