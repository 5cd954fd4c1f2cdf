package dev.ferry.controller;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.ferry.autoscaler.AutoscalerSettings;
import dev.ferry.request.protocol.FunctionId;
import dev.ferry.request.protocol.FunctionSettings;
import dev.ferry.routing.ScaleOverride;
import dev.ferry.routing.StoreUnavailableException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * {@code /v1/scale/APP/FUNCTION}: {@code GET} answers the scaling settings in force for the
 * function's current version; {@code POST} with a JSON object such as
 * {@code {"maxContainers": 5, "scaledownWindow": "30s"}} changes them without a redeploy
 * (fields: minContainers, maxContainers, bufferContainers, targetInputs, scaledownWindow).
 * Answers one line of text: the settings in force, or why not.
 */
final class ScaleHandler implements HttpHandler {

    static final String PATH = AdminApi.SCALE_PATH;

    private static final Set<String> FIELDS =
            Set.of("minContainers", "maxContainers", "bufferContainers", "targetInputs", "scaledownWindow");
    private static final int MAX_BODY = 4096;

    private final ControllerRole stack;
    private final Clock clock;

    ScaleHandler(ControllerRole stack, Clock clock) {
        this.stack = stack;
        this.clock = clock;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String[] parts =
                    exchange.getRequestURI().getPath().substring(PATH.length()).split("/", -1);
            if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
                text(
                        exchange,
                        404,
                        "not found: " + exchange.getRequestURI().getPath() + " (expected: " + PATH + "APP/FUNCTION)");
                return;
            }
            String method = exchange.getRequestMethod();
            try {
                switch (method) {
                    case "GET" -> text(exchange, 200, describe(stack.scaling(parts[0], parts[1])));
                    case "POST" ->
                        text(
                                exchange,
                                200,
                                describe(stack.scale(
                                        parts[0], parts[1], parse(FunctionId.of(parts[0], parts[1]), body(exchange)))));
                    default -> {
                        exchange.getResponseHeaders().add("Allow", "GET, POST");
                        text(exchange, 405, "method not allowed: " + method + " (expected: GET or POST)");
                    }
                }
            } catch (IllegalArgumentException e) {
                text(exchange, 400, "cannot scale: " + e.getMessage());
            } catch (StoreUnavailableException e) {
                text(exchange, 503, "cannot scale: " + e.getMessage());
            }
        }
    }

    /** The change a request body asks for; every field optional, at least one given. */
    ScaleOverride parse(FunctionId function, String body) {
        JsonNode n;
        try {
            n = StackView.JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("body: not JSON (expected: an object such as {\"maxContainers\": 5})");
        }
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException(
                    "body: not a JSON object (expected: an object such as {\"maxContainers\": 5})");
        }
        for (Map.Entry<String, JsonNode> e : n.properties()) {
            if (!FIELDS.contains(e.getKey())) {
                throw new IllegalArgumentException("field \"" + e.getKey() + "\" (expected: some of " + FIELDS + ")");
            }
        }
        if (n.isEmpty()) {
            throw new IllegalArgumentException("nothing to change (expected: some of " + FIELDS + ")");
        }
        Duration window = null;
        if (n.has("scaledownWindow")) {
            if (!n.get("scaledownWindow").isTextual()) {
                throw new IllegalArgumentException(
                        "scaledownWindow: " + n.get("scaledownWindow") + " (expected: a duration such as \"30s\")");
            }
            window = FunctionSettings.parseDuration(
                    "scaledownWindow", n.get("scaledownWindow").textValue());
        }
        return new ScaleOverride(
                function,
                "",
                count(n, "minContainers"),
                count(n, "maxContainers"),
                count(n, "bufferContainers"),
                count(n, "targetInputs"),
                window,
                clock.instant());
    }

    private static Integer count(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null) {
            return null;
        }
        if (!v.isInt()) {
            throw new IllegalArgumentException(field + ": " + v + " (expected: a whole number)");
        }
        return v.intValue();
    }

    /** One line: {@code examples--slow v3: min 0, max 10, buffer 0, target 4 of 4 inputs, scaledown window 30 s (set by ferry scale)}. */
    static String describe(ControllerRole.Scaled scaled) {
        AutoscalerSettings s = scaled.settings();
        return scaled.function() + " " + scaled.version() + ": min " + s.minContainers() + ", max "
                + (s.maxContainers() == 0 ? "none" : Integer.toString(s.maxContainers())) + ", buffer "
                + s.bufferContainers()
                + ", target " + s.targetInputs() + " of " + s.maxInputs() + " inputs per container, scaledown window "
                + s.scaledownWindow().toSeconds() + " s"
                + (scaled.overridden() ? " (changed by ferry scale; the next deploy resets it)" : "");
    }

    private static String body(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            byte[] bytes = in.readNBytes(MAX_BODY + 1);
            if (bytes.length > MAX_BODY) {
                throw new IllegalArgumentException("body larger than " + MAX_BODY + " bytes");
            }
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    private static void text(HttpExchange exchange, int status, String line) throws IOException {
        byte[] body = (line.replace('\n', ' ') + "\n").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
    }
}
