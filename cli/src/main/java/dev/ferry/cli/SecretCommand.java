package dev.ferry.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.controller.AdminApi;
import dev.ferry.request.protocol.FunctionSettings;
import dev.ferry.routing.FunctionSecret;
import java.io.ByteArrayOutputStream;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ferry secret}: named sets of environment variables for functions
 * ({@code @FerryFunction(secrets = "db")}), kept encrypted with the cluster key. Nothing here
 * prints a value, nor echoes an argument that may hold one.
 */
@Command(
        name = "secret",
        mixinStandardHelpOptions = true,
        description = "Set, list and remove secrets: environment variables for the functions that name them.",
        subcommands = {SecretCommand.Set.class, SecretCommand.List.class, SecretCommand.Remove.class})
final class SecretCommand implements Runnable {

    @Override
    public void run() {
        System.out.println("ferry secret set NAME KEY=VALUE… | ferry secret ls | ferry secret rm NAME");
    }

    @Command(
            name = "set",
            mixinStandardHelpOptions = true,
            description = {
                "Set secret NAME to the given keys, replacing all it held before.",
                "KEY=VALUE takes VALUE as it is; KEY=@FILE reads the value from FILE; KEY=- reads it from standard input "
                        + "(one line, so that it stays out of the shell's history)."
            })
    static final class Set implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NAME", description = "The secret's name, as functions name it.")
        String name;

        @Parameters(index = "1..*", arity = "1..*", paramLabel = "KEY=VALUE")
        java.util.List<String> pairs = new ArrayList<>();

        @Mixin
        AdminTarget target;

        @Override
        public Integer call() throws Exception {
            if (name.contains("=")) {
                // Never echoed: it may be a KEY=VALUE given without a name.
                throw new IllegalArgumentException(
                        "NAME: holds '=' (expected: ferry secret set NAME KEY=VALUE…, NAME first)");
            }
            FunctionSettings.checkName("secret", name);
            ObjectNode body = Json.object();
            for (Map.Entry<String, String> e : values(pairs, System.in).entrySet()) {
                body.put(e.getKey(), e.getValue());
            }
            return target.client()
                    .send("PUT", path(name), "application/json", Json.write(body, false))
                    .print("secret set");
        }
    }

    @Command(name = "ls", mixinStandardHelpOptions = true, description = "List secrets: names and keys, never values.")
    static final class List implements Callable<Integer> {
        @Option(names = "--json", description = "Print the admin API's JSON.")
        boolean json;

        @Mixin
        AdminTarget target;

        @Override
        public Integer call() throws Exception {
            AdminClient.Response response = target.client().get(AdminApi.SECRETS_PATH);
            if (response.status() != 200) {
                System.err.print("ferry secret ls: " + response.body());
                return 1;
            }
            JsonNode root = Json.parse(response.body());
            if (json) {
                System.out.println(Json.write(root, true));
                return 0;
            }
            System.out.printf("%-24s %-32s %s%n", "NAME", "UPDATED", "KEYS");
            for (JsonNode s : root.path("secrets")) {
                java.util.List<String> keys = new ArrayList<>();
                s.path("keys").forEach(k -> keys.add(k.asText()));
                System.out.printf(
                        "%-24s %-32s %s%n",
                        s.path("name").asText(), s.path("updatedAt").asText(), String.join(", ", keys));
            }
            return 0;
        }
    }

    @Command(name = "rm", mixinStandardHelpOptions = true, description = "Remove secret NAME.")
    static final class Remove implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Mixin
        AdminTarget target;

        @Override
        public Integer call() throws Exception {
            FunctionSettings.checkName("secret", name);
            return target.client().delete(path(name)).print("secret rm");
        }
    }

    /**
     * KEY → VALUE from {@code KEY=VALUE}, {@code KEY=@FILE} and {@code KEY=-} arguments, the
     * last reading one line of {@code stdin} (at most one key may). Errors name the argument's
     * position or key, never what follows the '='.
     */
    static Map<String, String> values(java.util.List<String> pairs, InputStream stdin) throws IOException {
        Map<String, String> values = new LinkedHashMap<>();
        boolean stdinUsed = false;
        for (int i = 0; i < pairs.size(); i++) {
            String pair = pairs.get(i);
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException(
                        "KEY=VALUE argument " + (i + 1) + ": no KEY= (expected: KEY=VALUE, " + "KEY=@FILE or KEY=-)");
            }
            String key = FunctionSecret.checkKey(pair.substring(0, eq));
            String value = pair.substring(eq + 1);
            if (value.equals("-")) {
                if (stdinUsed) {
                    throw new IllegalArgumentException(key + "=-: standard input is read for one key only");
                }
                stdinUsed = true;
                value = fromStdin(key, stdin);
            } else if (value.startsWith("@")) {
                Path file = Path.of(value.substring(1));
                try {
                    value = Files.readString(file, StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new IOException(
                            key + "=@" + file + ": cannot read the file ("
                                    + e.getClass().getSimpleName() + ")",
                            e);
                }
            }
            if (values.put(key, value) != null) {
                throw new IllegalArgumentException("key " + key + " given twice (expected: each key once)");
            }
        }
        return values;
    }

    /**
     * The value of {@code key} from standard input: asked for without echo on a terminal (where
     * the JDK gives a console: both standard input and output are one), else
     * the first line of {@code in} (read up to its line break only, without it).
     */
    private static String fromStdin(String key, InputStream in) throws IOException {
        Console console = System.console();
        if (in == System.in && console != null) {
            char[] typed = console.readPassword("%s: ", key);
            if (typed == null) {
                throw new IOException(key + "=-: standard input ended before a value");
            }
            return new String(typed);
        }
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != -1 && b != '\n'; b = in.read()) {
            line.write(b);
        }
        String value = line.toString(StandardCharsets.UTF_8);
        return value.endsWith("\r") ? value.substring(0, value.length() - 1) : value;
    }

    private static String path(String name) {
        return AdminApi.SECRETS_PATH + "/" + java.net.URLEncoder.encode(name, java.nio.charset.StandardCharsets.UTF_8);
    }
}
