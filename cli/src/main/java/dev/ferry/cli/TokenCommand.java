package dev.ferry.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.controller.AdminApi;
import java.util.ArrayList;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ferry token}: the cluster's access tokens (needs an admin token). */
@Command(
        name = "token",
        mixinStandardHelpOptions = true,
        description = "Make, list and revoke access tokens (an admin token's job).",
        subcommands = {TokenCommand.Create.class, TokenCommand.List.class, TokenCommand.Revoke.class})
final class TokenCommand implements Runnable {

    @Override
    public void run() {
        System.out.println("ferry token create --name NAME --scope SCOPE… [--app APP…] | ferry token ls"
                + " | ferry token revoke ID");
    }

    @Command(
            name = "create",
            mixinStandardHelpOptions = true,
            description = "Make a token and print it: the only time it is shown; the cluster keeps its hash.")
    static final class Create implements Callable<Integer> {
        @Option(
                names = "--name",
                required = true,
                description = "What it is for, e.g. ci; a function sees it as its caller.")
        String name;

        @Option(
                names = "--scope",
                required = true,
                split = ",",
                description = "read (ls, logs), deploy (deploy, scale, routes, secrets; and read), admin (tokens;"
                        + " everything), call (endpoints with requiresAuth). Repeat or separate with commas.")
        java.util.List<String> scopes;

        @Option(
                names = "--app",
                split = ",",
                description = "With --scope call: the apps it may call (default: every app).")
        java.util.List<String> apps = new ArrayList<>();

        @Mixin
        AdminTarget target;

        @Override
        public Integer call() throws Exception {
            ObjectNode body = Json.object().put("name", name);
            ArrayNode s = body.putArray("scopes");
            scopes.forEach(s::add);
            ArrayNode a = body.putArray("apps");
            apps.forEach(a::add);
            AdminClient.Response response =
                    target.client().send("POST", AdminApi.TOKENS_PATH, "application/json", Json.write(body, false));
            if (response.status() != 201) {
                System.err.print("ferry token create: " + response.body());
                return 1;
            }
            JsonNode token = Json.parse(response.body());
            System.err.println("made " + describe(token) + "; it is shown once, keep it now:");
            System.out.println(token.path("token").asText());
            return 0;
        }
    }

    @Command(
            name = "ls",
            mixinStandardHelpOptions = true,
            description = "List tokens: ids, names, scopes; never secrets.")
    static final class List implements Callable<Integer> {
        @Mixin
        AdminTarget target;

        @Override
        public Integer call() throws Exception {
            AdminClient.Response response = target.client().get(AdminApi.TOKENS_PATH);
            if (response.status() != 200) {
                System.err.print("ferry token ls: " + response.body());
                return 1;
            }
            System.out.printf("%-14s %-24s %-22s %-20s %s%n", "ID", "NAME", "SCOPES", "APPS", "CREATED");
            for (JsonNode t : Json.parse(response.body())) {
                System.out.printf(
                        "%-14s %-24s %-22s %-20s %s%n",
                        t.path("id").asText(),
                        t.path("name").asText(),
                        join(t.path("scopes")),
                        t.path("apps").isEmpty() ? "-" : join(t.path("apps")),
                        t.path("createdAt").asText());
            }
            return 0;
        }
    }

    @Command(
            name = "revoke",
            mixinStandardHelpOptions = true,
            description = "Revoke a token: every controller and gateway refuses it within a second.")
    static final class Revoke implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "ID", description = "The token's id, as ferry token ls shows it.")
        String id;

        @Mixin
        AdminTarget target;

        @Override
        public Integer call() throws Exception {
            return target.client().delete(AdminApi.TOKENS_PATH + id).print("token revoke");
        }
    }

    private static String describe(JsonNode token) {
        return "token " + token.path("id").asText() + " (" + token.path("name").asText() + ", "
                + join(token.path("scopes"))
                + (token.path("apps").isEmpty() ? "" : ", apps " + join(token.path("apps")))
                + ")";
    }

    private static String join(JsonNode values) {
        java.util.List<String> all = new ArrayList<>();
        values.forEach(v -> all.add(v.asText()));
        return String.join(",", all);
    }
}
