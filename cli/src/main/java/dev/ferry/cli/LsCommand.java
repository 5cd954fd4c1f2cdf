package dev.ferry.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ferry ls}: apps, functions, URLs and containers with their state. */
@Command(name = "ls", mixinStandardHelpOptions = true, description = "List apps, functions, URLs and containers.")
final class LsCommand implements Callable<Integer> {

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Mixin
    AdminTarget target;

    @Override
    public Integer call() throws Exception {
        AdminClient.Response response = target.client().get("/v1/apps");
        if (response.status() != 200) {
            System.err.print("ferry ls: " + response.body());
            return 1;
        }
        JsonNode root = Json.parse(response.body());
        if (json) {
            System.out.println(Json.write(root, true));
            return 0;
        }
        System.out.println(format(root));
        return 0;
    }

    static String format(JsonNode root) {
        StringBuilder out = new StringBuilder();
        String row = "%-12s %-8s %-12s %-48s %7s %8s %5s %9s %6s%n";
        out.append(String.format(
                row, "APP", "VERSION", "FUNCTION", "URL", "DESIRED", "STARTING", "READY", "IN-FLIGHT", "QUEUED"));
        for (JsonNode app : root.path("apps")) {
            for (JsonNode f : app.path("functions")) {
                StringBuilder containers = new StringBuilder();
                for (JsonNode c : f.path("containers")) {
                    if (!containers.isEmpty()) {
                        containers.append(", ");
                    }
                    containers
                            .append(c.path("id").asText())
                            .append(' ')
                            .append(c.path("state").asText());
                    if (!c.path("worker").asText().isEmpty()) {
                        containers.append(" on ").append(c.path("worker").asText());
                    }
                    if (c.path("gpus").size() > 0) {
                        containers.append(" gpus ").append(Json.write(c.path("gpus"), false));
                    }
                    containers.append(" (").append(c.path("version").asText()).append(')');
                    if (c.has("reason")) {
                        containers.append(": ").append(c.path("reason").asText());
                    }
                }
                JsonNode scaling = f.path("scaling");
                out.append(String.format(
                        row,
                        app.path("name").asText(),
                        app.path("version").asText(),
                        f.path("name").asText(),
                        f.path("url").asText(),
                        scaling.path("desired").asText("-"),
                        scaling.path("starting").asText("-"),
                        scaling.path("ready").asText("-"),
                        scaling.path("inFlight").asText("-"),
                        scaling.path("queued").asText("-")));
                if (scaling.has("decision")) {
                    JsonNode d = scaling.path("decision");
                    out.append("    autoscaler: ")
                            .append(d.path("reason").asText())
                            .append(" (at ")
                            .append(clock(d.path("at").asText()))
                            .append(")\n");
                }
                if (scaling.path("settings").path("overridden").asBoolean()) {
                    JsonNode s = scaling.path("settings");
                    out.append("    scale: min ")
                            .append(s.path("minContainers").asText())
                            .append(", max ")
                            .append(
                                    s.path("maxContainers").asInt() == 0
                                            ? "none"
                                            : s.path("maxContainers").asText())
                            .append(", buffer ")
                            .append(s.path("bufferContainers").asText())
                            .append(", target ")
                            .append(s.path("targetInputs").asText())
                            .append(" inputs, scaledown window ")
                            .append(s.path("scaledownWindowSeconds").asText())
                            .append(" s (ferry scale)\n");
                }
                out.append("    containers: ")
                        .append(containers.isEmpty() ? "-" : containers)
                        .append('\n');
            }
        }
        if (root.path("workers").size() > 0) {
            out.append(String.format(
                    "%n%-24s %-6s %-10s %-5s %-8s %-30s %s%n",
                    "WORKER", "CPUS", "MEMORY", "CTRS", "POOL", "GPUS", "LABELS"));
            for (JsonNode w : root.path("workers")) {
                StringBuilder gpus = new StringBuilder();
                for (JsonNode g : w.path("gpus")) {
                    gpus.append(gpus.isEmpty() ? "" : ",")
                            .append(g.path("index").asText())
                            .append(':')
                            .append(g.path("model").asText());
                }
                StringBuilder labels = new StringBuilder();
                w.path("labels")
                        .properties()
                        .forEach(e -> labels.append(labels.isEmpty() ? "" : ",")
                                .append(e.getKey())
                                .append('=')
                                .append(e.getValue().asText()));
                JsonNode pool = w.path("pool");
                // idle/size: members warm and waiting, of those the worker keeps
                String poolText = pool.path("size").asInt() == 0
                        ? "-"
                        : pool.path("idle").asText() + "/" + pool.path("size").asText();
                out.append(String.format(
                        "%-24s %-6s %-10s %-5s %-8s %-30s %s%n",
                        w.path("id").asText(),
                        w.path("cpus").asText(),
                        w.path("memoryMib").asText() + "Mi",
                        w.path("containers").asText(),
                        poolText,
                        gpus.isEmpty() ? "-" : gpus,
                        labels.isEmpty() ? "-" : labels));
            }
        }
        return out.toString().stripTrailing();
    }

    /** "12:00:01" from an instant's text; the text itself if it is not one. */
    private static String clock(String instant) {
        try {
            return java.time.format.DateTimeFormatter.ofPattern("HH:mm:ss")
                    .withZone(java.time.ZoneOffset.UTC)
                    .format(java.time.Instant.parse(instant));
        } catch (java.time.DateTimeException e) {
            return instant;
        }
    }
}
