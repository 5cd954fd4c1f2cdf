package dev.ferry.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.logging.FerryLogging;
import dev.ferry.routing.AppDeployment;
import dev.ferry.worker.MachineCapacity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ferry dev}: the whole platform in this process, with the example app deployed. */
@Command(
        name = "dev",
        mixinStandardHelpOptions = true,
        description = "Start gateway, controller and one worker in this process and deploy the example app.")
final class DevCommand implements Callable<Integer> {

    @Mixin
    EdgeOptions edge;

    @Mixin
    StoreOptions storeOptions;

    @Option(
            names = "--admin-port",
            defaultValue = "0",
            description =
                    "Admin API port; 0 picks a free one, which deploy and ls find through the home directory (default: ${DEFAULT-VALUE}).")
    int adminPort;

    @Mixin
    HomeOption home;

    @Option(
            names = "--examples",
            description = "The example app's jar (default: examples/target/examples.jar under $FERRY_ROOT).")
    Path examples;

    @Option(names = "--no-examples", description = "Do not deploy the example app.")
    boolean noExamples;

    @Mixin
    WarmPoolOption pool;

    @Override
    public Integer call() throws Exception {
        // One process, every role: each line names the role of the code that logged it.
        FerryLogging.installByPackage("dev");
        Path ferryHome = home.resolve();
        DevStack stack = DevStack.builder()
                .gateway(edge.gatewayOptions())
                .host(edge.host)
                .adminPort(adminPort)
                .home(ferryHome)
                .redis(storeOptions.endpoint())
                .cluster(storeOptions.cluster)
                .warmUpGateway(true)
                .worker(worker -> pool.applyTo(
                        worker, Runtime.getRuntime().availableProcessors(), MachineCapacity.totalMemoryMib()))
                .build()
                .start();
        long pid = ProcessHandle.current().pid();
        String adminUrl = stack.adminUrl();
        new DevState(adminUrl, pid).write(ferryHome);
        System.out.println("ferry dev: gateway on http://" + edge.host + ":" + stack.httpPort() + " and https://"
                + edge.host + ":"
                + stack.httpsPort() + ", admin API on " + adminUrl + " (its token in " + Credentials.file(ferryHome)
                + "), state in "
                + stack.store().describe());
        stack.localCertificates().ifPresent(local -> System.out.println(local.trustInstructions(stack.httpsPort())));
        if (!noExamples) {
            Path jar = examples != null ? examples : defaultExamples();
            AppDeployment app = stack.deploy(jar, Optional.empty());
            printApp(stack.view(app));
        }
        stack.awaitWarm(); // ready means a first request is served about as fast as later ones
        System.out.println("Deploy your own: ./ferry deploy PATH.jar    List: ./ferry ls    Stop: Ctrl-C");
        Serving.untilStopped("the dev server", () -> {
            stack.close();
            DevState.clear(ferryHome, pid);
        });
        return 0;
    }

    static void printApp(JsonNode app) {
        System.out.println(
                "app " + app.path("name").asText() + " " + app.path("version").asText() + ":");
        for (JsonNode f : app.path("functions")) {
            System.out.printf(
                    "  %-12s %s%n", f.path("name").asText(), f.path("url").asText());
        }
    }

    private static Path defaultExamples() {
        String root = System.getenv("FERRY_ROOT");
        Path jar = Path.of(root == null ? "." : root, "examples", "target", "examples.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("example app not found at " + jar
                    + " (expected: built by ./ferry; or pass --examples PATH or --no-examples)");
        }
        return jar;
    }
}
