package dev.ferry.cli;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code ferry route}: custom domains for functions. */
@Command(
        name = "route",
        mixinStandardHelpOptions = true,
        description = "Route custom domains to functions.",
        subcommands = {RouteCommand.Add.class, RouteCommand.Remove.class, RouteCommand.List.class})
final class RouteCommand implements Runnable {

    @Override
    public void run() {
        System.out.println("ferry route add HOST APP--FUNCTION | ferry route rm HOST | ferry route ls");
    }

    @Command(
            name = "add",
            mixinStandardHelpOptions = true,
            description = "Route HOST to a function, replacing its earlier route.")
    static final class Add implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "HOST", description = "A domain such as api.example.com.")
        String host;

        @Parameters(index = "1", paramLabel = "APP--FUNCTION", description = "The function's id, as ferry ls shows it.")
        String function;

        @Mixin
        AdminTarget target;

        @Override
        public Integer call() throws Exception {
            return target.client()
                    .send("PUT", routePath(host), "text/plain; charset=utf-8", function)
                    .print("route add");
        }
    }

    @Command(name = "rm", mixinStandardHelpOptions = true, description = "Remove the route of HOST.")
    static final class Remove implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "HOST")
        String host;

        @Mixin
        AdminTarget target;

        @Override
        public Integer call() throws Exception {
            return target.client().delete(routePath(host)).print("route rm");
        }
    }

    @Command(name = "ls", mixinStandardHelpOptions = true, description = "List custom routes.")
    static final class List implements Callable<Integer> {
        @Mixin
        AdminTarget target;

        @Override
        public Integer call() throws Exception {
            AdminClient.Response response = target.client().get("/v1/routes");
            if (response.status() != 200) {
                System.err.print("ferry route ls: " + response.body());
                return 1;
            }
            Json.parse(response.body())
                    .properties()
                    .forEach(e -> System.out.printf(
                            "%-40s %s%n", e.getKey(), e.getValue().asText()));
            return 0;
        }
    }

    private static String routePath(String host) {
        return "/v1/routes/" + URLEncoder.encode(host, StandardCharsets.UTF_8);
    }
}
