package dev.ferry.controller;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.ferry.routing.AccessToken;
import dev.ferry.routing.AccessToken.Scope;
import dev.ferry.routing.AccessTokens;
import dev.ferry.routing.RoutingStore;
import dev.ferry.routing.StoreUnavailableException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code /v1/tokens} (admin scope only, {@link AdminAuth}):
 * <ul>
 *   <li>{@code GET /v1/tokens} → every token's id, name, scopes, apps and creation time: never
 *       a secret or its hash;</li>
 *   <li>{@code POST /v1/tokens} with {@code {"name": "ci", "scopes": ["deploy"], "apps": []}}
 *       → the new token, with its whole text under {@code "token"}: the only time it is
 *       shown, since the store keeps its hash;</li>
 *   <li>{@code DELETE /v1/tokens/ID} → revokes it; every controller and gateway stops
 *       accepting it when the change feed brings them the removal. The last admin token
 *       cannot be revoked, so the cluster never locks its operators out.</li>
 * </ul>
 */
final class TokensHandler implements HttpHandler {

    static final String PATH = AdminApi.TOKENS_PATH;

    private static final Set<String> FIELDS = Set.of("name", "scopes", "apps");
    private static final int MAX_BODY = 4096;

    private final RoutingStore store;
    private final Clock clock;

    TokensHandler(RoutingStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String id = path.length() > PATH.length() ? path.substring(PATH.length()) : "";
            String method = exchange.getRequestMethod();
            try {
                if (method.equals("GET") && id.isEmpty()) {
                    AdminServer.respond(exchange, 200, StackView.JSON.writeValueAsBytes(list()));
                } else if (method.equals("POST") && id.isEmpty()) {
                    AccessTokens.Issued issued = parse(body(exchange));
                    store.putToken(issued.token());
                    ObjectNode n = describe(issued.token());
                    n.put("token", issued.secret());
                    AdminServer.respond(exchange, 201, StackView.JSON.writeValueAsBytes(n));
                } else if (method.equals("DELETE") && !id.isEmpty()) {
                    revoke(exchange, id);
                } else {
                    exchange.getResponseHeaders().add("Allow", id.isEmpty() ? "GET, POST" : "DELETE");
                    AdminServer.text(
                            exchange,
                            405,
                            "method not allowed: " + method + " " + path + " (expected: GET or POST " + PATH
                                    + ", DELETE " + PATH + "ID)");
                }
            } catch (IllegalArgumentException e) {
                AdminServer.text(exchange, 400, "cannot make the token: " + e.getMessage());
            } catch (StoreUnavailableException e) {
                AdminServer.text(exchange, 503, "tokens: " + e.getMessage());
            }
        }
    }

    private void revoke(HttpExchange exchange, String id) throws IOException {
        Optional<AccessToken> token = store.token(id);
        if (token.isEmpty()) {
            AdminServer.text(exchange, 404, "no token " + id + " (ferry token ls lists them)");
            return;
        }
        if (token.get().grants(Scope.ADMIN)
                && store.tokens().stream().filter(t -> t.grants(Scope.ADMIN)).count() == 1) {
            AdminServer.text(
                    exchange,
                    409,
                    "cannot revoke " + token.get() + ": it is the last admin token (make another with"
                            + " ferry token create --scope admin first)");
            return;
        }
        store.removeToken(id);
        AdminServer.text(exchange, 200, "revoked " + token.get());
    }

    private ArrayNode list() {
        ArrayNode all = StackView.JSON.createArrayNode();
        store.tokens().forEach(t -> all.add(describe(t)));
        return all;
    }

    /** A token as the API shows it: everything but its hash. */
    static ObjectNode describe(AccessToken t) {
        ObjectNode n = StackView.JSON.createObjectNode();
        n.put("id", t.id());
        n.put("name", t.name());
        ArrayNode scopes = n.putArray("scopes");
        t.scopes().stream().sorted().forEach(s -> scopes.add(s.label()));
        ArrayNode apps = n.putArray("apps");
        t.apps().forEach(apps::add);
        n.put("createdAt", t.createdAt().toString());
        return n;
    }

    /** The token a request body asks for: a name, at least one scope, and apps for a call token. */
    AccessTokens.Issued parse(String body) {
        JsonNode n;
        try {
            n = StackView.JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(
                    "body: not JSON (expected: an object such as {\"name\": \"ci\", \"scopes\": [\"deploy\"]})");
        }
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException(
                    "body: not a JSON object (expected: an object such as {\"name\": \"ci\", \"scopes\": [\"deploy\"]})");
        }
        for (Map.Entry<String, JsonNode> e : n.properties()) {
            if (!FIELDS.contains(e.getKey())) {
                throw new IllegalArgumentException("field \"" + e.getKey() + "\" (expected: some of " + FIELDS + ")");
            }
        }
        if (!n.path("name").isTextual()) {
            throw new IllegalArgumentException("name: " + n.get("name") + " (expected: text such as \"ci\")");
        }
        Set<Scope> scopes = EnumSet.noneOf(Scope.class);
        for (String s : strings(n, "scopes")) {
            scopes.add(Scope.parse(s));
        }
        if (scopes.isEmpty()) {
            throw new IllegalArgumentException("scopes: none (expected: some of read, deploy, admin, call)");
        }
        List<String> apps = strings(n, "apps");
        if (!apps.isEmpty() && !scopes.contains(Scope.CALL)) {
            throw new IllegalArgumentException("apps: " + apps + " (expected: only with scope call; the admin API's"
                    + " scopes are for every app)");
        }
        if (!apps.isEmpty() && scopes.contains(Scope.ADMIN)) {
            throw new IllegalArgumentException(
                    "apps: " + apps + " (expected: none with scope admin, which calls every app)");
        }
        return AccessTokens.issue(n.get("name").textValue(), scopes, apps, clock.instant());
    }

    private static List<String> strings(JsonNode n, String field) {
        JsonNode v = n.get(field);
        List<String> values = new ArrayList<>();
        if (v == null) {
            return values;
        }
        if (!v.isArray()) {
            throw new IllegalArgumentException(field + ": " + v + " (expected: an array of text)");
        }
        for (JsonNode e : v) {
            if (!e.isTextual()) {
                throw new IllegalArgumentException(field + ": " + v + " (expected: an array of text)");
            }
            values.add(e.textValue());
        }
        return values;
    }

    private static String body(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            byte[] bytes = in.readNBytes(MAX_BODY + 1);
            if (bytes.length > MAX_BODY) {
                throw new IllegalArgumentException("body: over " + MAX_BODY + " bytes");
            }
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }
}
