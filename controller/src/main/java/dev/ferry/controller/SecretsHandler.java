package dev.ferry.controller;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.ferry.routing.FunctionSecret;
import dev.ferry.routing.StoreUnavailableException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code /v1/secrets}: {@code GET /v1/secrets} answers every secret's name, keys and when it
 * was set, as {@code {"secrets": [{"name": "db", "keys": ["PASSWORD"], "updatedAt": "…"}]}};
 * {@code PUT /v1/secrets/NAME} with a JSON object of KEY → VALUE (strings) replaces secret NAME;
 * {@code DELETE /v1/secrets/NAME} removes it, unless a deployed function names it (409).
 * Other answers are one line of text.
 *
 * <p>No answer and no log line holds a value: errors name the secret and the key only, and a
 * body that is not the expected JSON is refused without quoting it.
 */
final class SecretsHandler implements HttpHandler {

    static final String PATH = AdminApi.SECRETS_PATH;

    /** Room for {@link FunctionSecret#MAX_TOTAL_BYTES} of values, escaped, and their keys. */
    static final int MAX_BODY = 2 * FunctionSecret.MAX_TOTAL_BYTES;

    private final ControllerRole stack;

    SecretsHandler(ControllerRole stack) {
        this.stack = stack;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            String name = path.startsWith(PATH + "/") ? path.substring(PATH.length() + 1) : "";
            if (!path.equals(PATH) && !path.equals(PATH + "/") && (name.isEmpty() || name.contains("/"))) {
                text(exchange, 404, "not found: " + path + " (expected: " + PATH + " or " + PATH + "/NAME)");
                return;
            }
            try {
                if (name.isEmpty()) {
                    if (method.equals("GET")) {
                        respond(exchange, 200, list());
                    } else {
                        exchange.getResponseHeaders().add("Allow", "GET");
                        text(
                                exchange,
                                405,
                                "method not allowed: " + method + " " + path + " (expected: GET " + PATH
                                        + ", PUT or DELETE " + PATH + "/NAME)");
                    }
                    return;
                }
                switch (method) {
                    case "PUT" -> {
                        FunctionSecret secret = stack.setSecret(name, parse(body(exchange)));
                        text(exchange, 200, "secret " + name + " set: " + String.join(", ", secret.keys()));
                    }
                    case "DELETE" -> remove(exchange, name);
                    default -> {
                        exchange.getResponseHeaders().add("Allow", "PUT, DELETE");
                        text(
                                exchange,
                                405,
                                "method not allowed: " + method + " " + path + " (expected: PUT or DELETE)");
                    }
                }
            } catch (BodyTooLargeException e) {
                text(exchange, 413, "cannot set secret " + name + ": " + e.getMessage());
            } catch (IllegalArgumentException e) {
                text(exchange, 400, "cannot set secret " + name + ": " + e.getMessage());
            } catch (StoreUnavailableException e) {
                text(exchange, 503, "secret " + name + ": " + e.getMessage());
            } catch (IOException e) {
                // The cluster key file: unreadable, malformed, or not creatable. Its path, never a key.
                text(exchange, 500, "cannot set secret " + name + ": " + e.getMessage());
            }
        }
    }

    private void remove(HttpExchange exchange, String name) throws IOException {
        boolean removed;
        try {
            removed = stack.removeSecret(name);
        } catch (IllegalStateException e) {
            text(exchange, 409, "cannot remove secret " + name + ": " + e.getMessage());
            return;
        }
        if (removed) {
            text(exchange, 200, "removed secret " + name);
        } else {
            text(exchange, 404, "no secret " + name + " (expected: one listed by ferry secret ls)");
        }
    }

    private byte[] list() throws JsonProcessingException {
        ObjectNode root = StackView.JSON.createObjectNode();
        ArrayNode secrets = root.putArray("secrets");
        for (FunctionSecret s : stack.store().secrets()) {
            ObjectNode n = secrets.addObject();
            n.put("name", s.name());
            s.keys().forEach(n.putArray("keys")::add);
            n.put("updatedAt", s.updatedAt().toString());
        }
        return StackView.JSON.writeValueAsBytes(root);
    }

    /** KEY → VALUE from the body; refuses anything else without quoting it (it may hold a value). */
    static Map<String, String> parse(String body) {
        JsonNode n;
        try {
            n = StackView.JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("body: not JSON (expected: an object of KEY to VALUE, both strings)");
        }
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException(
                    "body: not a JSON object (expected: an object of KEY to VALUE, both strings)");
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : n.properties()) {
            FunctionSecret.checkKey(e.getKey());
            if (!e.getValue().isTextual()) {
                throw new IllegalArgumentException("value of " + e.getKey() + ": a JSON "
                        + e.getValue().getNodeType().name().toLowerCase() + " (expected: a string)");
            }
            values.put(e.getKey(), e.getValue().textValue());
        }
        return values;
    }

    private static String body(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            byte[] bytes = in.readNBytes(MAX_BODY + 1);
            if (bytes.length > MAX_BODY) {
                throw new BodyTooLargeException("body larger than " + MAX_BODY + " bytes");
            }
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    private static final class BodyTooLargeException extends IllegalArgumentException {
        BodyTooLargeException(String message) {
            super(message);
        }
    }

    private static void text(HttpExchange exchange, int status, String line) throws IOException {
        byte[] body = (line.replace('\n', ' ') + "\n").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
    }

    private static void respond(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
    }
}
