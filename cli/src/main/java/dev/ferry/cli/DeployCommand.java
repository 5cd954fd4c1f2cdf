package dev.ferry.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ferry deploy PATH.jar}: deploys or redeploys an app into the running dev server. */
@Command(name = "deploy", mixinStandardHelpOptions = true, description = "Deploy or redeploy an app jar.")
final class DeployCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "PATH.jar", description = "The app's jar.")
    Path jar;

    @Option(
            names = "--name",
            description = "App name (default: the jar's Ferry-App manifest entry, else its file name).")
    String name;

    @Mixin
    AdminTarget target;

    @Override
    public Integer call() throws Exception {
        if (!Files.isRegularFile(jar)) {
            System.err.println("ferry deploy: " + jar + ": no such file");
            return 2;
        }
        String uri = "/v1/apps?file="
                + URLEncoder.encode(jar.getFileName().toString(), StandardCharsets.UTF_8)
                + (name == null ? "" : "&name=" + URLEncoder.encode(name, StandardCharsets.UTF_8));
        AdminClient.Response response = target.client().post(uri, "application/java-archive", jar);
        if (response.status() != 200) {
            System.err.print("ferry deploy: " + response.body());
            return 1;
        }
        JsonNode app = Json.parse(response.body());
        DevCommand.printApp(app);
        return 0;
    }
}
