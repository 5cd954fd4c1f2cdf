package dev.ferry.controller;

import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.ferry.routing.AccessToken.Scope;
import dev.ferry.routing.AppDeployment;
import dev.ferry.routing.RoutingStore;
import dev.ferry.routing.StoreUnavailableException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLContext;

/**
 * The controller's API (the dev server's too):
 * <ul>
 *   <li>{@code GET /v1/apps} → the JSON of {@link StackView#apps}.</li>
 *   <li>{@code POST /v1/apps[?name=NAME][&file=FILE.jar]} with a jar as the body → deploys it;
 *       200 with the app's JSON, 400 with a one-line reason when the jar is unusable. FILE is
 *       the jar's own file name, used for the default app name and in errors.</li>
 *   <li>{@code GET /v1/routes} → custom routes, host to function.</li>
 *   <li>{@code GET /v1/scale/APP/FUNCTION} → the scaling settings in force; {@code POST} with
 *       a JSON object of some of them changes them without a redeploy ({@link ScaleHandler}).</li>
 *   <li>{@code PUT /v1/routes/HOST} with a function id as the body → routes HOST there;
 *       {@code DELETE /v1/routes/HOST} removes the route.</li>
 *   <li>{@code GET /v1/secrets} → secrets' names and keys, never values; {@code PUT
 *       /v1/secrets/NAME} with a JSON object of KEY → VALUE sets one, {@code DELETE} removes it
 *       ({@link SecretsHandler}).</li>
 * </ul>
 * and {@code GET}, {@code POST /v1/tokens}, {@code DELETE /v1/tokens/ID} ({@link TokensHandler}).
 * Every request needs a token ({@link AdminAuth}).
 * A write the store cannot take (Redis down) is answered 503 with the store's reason.
 * Uploads are capped at {@link #MAX_JAR_BYTES}.
 */
final class AdminServer implements AutoCloseable {

    static final long MAX_JAR_BYTES = 512L * 1024 * 1024;

    private final HttpServer server;
    private final ControllerRole stack;

    /**
     * Binds the API on {@code host:port}, over TLS when {@code tls} is given. Every route is
     * behind {@link AdminAuth}: reads need the read scope, changes the deploy scope, tokens
     * the admin scope.
     */
    AdminServer(ControllerRole stack, String host, int port, Optional<SSLContext> tls) throws IOException {
        this.stack = stack;
        InetSocketAddress address = new InetSocketAddress(host, port);
        if (tls.isPresent()) {
            HttpsServer https = HttpsServer.create(address, 16);
            https.setHttpsConfigurator(new HttpsConfigurator(tls.get()));
            this.server = https;
        } else {
            this.server = HttpServer.create(address, 16);
        }
        RoutingStore store = stack.store();
        guard(server.createContext("/v1/apps", this::apps), AdminAuth.READ_OR_DEPLOY);
        guard(server.createContext("/v1/routes", this::routes), AdminAuth.READ_OR_DEPLOY);
        guard(
                server.createContext(ScaleHandler.PATH, new ScaleHandler(stack, stack.clock())),
                AdminAuth.READ_OR_DEPLOY);
        guard(server.createContext(LogsHandler.PATH, new LogsHandler(store, stack.logs())), AdminAuth.READ_OR_DEPLOY);
        guard(server.createContext(SecretsHandler.PATH, new SecretsHandler(stack)), AdminAuth.READ_OR_DEPLOY);
        guard(server.createContext("/v1/tokens", new TokensHandler(store, stack.clock())), (m, p) -> Scope.ADMIN);
        // Anything else: 401 without a token, 404 with one, so the API's shape is not told to strangers.
        guard(server.createContext("/", AdminServer::notFound), (m, p) -> Scope.READ);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
    }

    private void guard(HttpContext context, AdminAuth.Rule rule) {
        context.getFilters().add(new AdminAuth(stack.store(), rule));
    }

    private static void notFound(HttpExchange exchange) throws IOException {
        try (exchange) {
            text(
                    exchange,
                    404,
                    "not found: " + exchange.getRequestURI().getPath()
                            + " (expected: /v1/apps, /v1/routes, /v1/scale, /v1/logs or /v1/tokens)");
        }
    }

    int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void apps(HttpExchange exchange) throws IOException {
        try (exchange) {
            switch (exchange.getRequestMethod()) {
                case "GET" -> respond(exchange, 200, StackView.JSON.writeValueAsBytes(stack.view()));
                case "POST" -> deploy(exchange);
                default -> {
                    exchange.getResponseHeaders().add("Allow", "GET, POST");
                    text(
                            exchange,
                            405,
                            "method not allowed: " + exchange.getRequestMethod() + " (expected: GET or POST)");
                }
            }
        }
    }

    private void deploy(HttpExchange exchange) throws IOException {
        String query = exchange.getRequestURI().getRawQuery();
        Optional<String> name;
        String fileName;
        try {
            name = queryParam(query, "name");
            fileName = uploadFileName(queryParam(query, "file"));
        } catch (IllegalArgumentException e) {
            text(exchange, 400, "cannot deploy: " + e.getMessage());
            return;
        }
        Path upload = Files.createTempFile("ferry-upload-", ".jar");
        try {
            try (InputStream in = exchange.getRequestBody();
                    OutputStream out = Files.newOutputStream(upload)) {
                byte[] buffer = new byte[64 * 1024];
                long total = 0;
                for (int n; (n = in.read(buffer)) > 0; ) {
                    total += n;
                    if (total > MAX_JAR_BYTES) {
                        text(exchange, 413, "jar larger than " + MAX_JAR_BYTES / (1024 * 1024) + " MiB");
                        return;
                    }
                    out.write(buffer, 0, n);
                }
            }
            AppDeployment deployment;
            try {
                deployment = stack.deploy(upload, name, fileName);
            } catch (IllegalArgumentException | IOException e) {
                text(exchange, 400, "cannot deploy: " + e.getMessage());
                return;
            } catch (StoreUnavailableException e) {
                text(exchange, 503, "cannot deploy: " + e.getMessage());
                return;
            }
            respond(exchange, 200, StackView.JSON.writeValueAsBytes(stack.view(deployment)));
        } finally {
            Files.deleteIfExists(upload);
        }
    }

    private void routes(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String host = path.length() > "/v1/routes/".length() ? path.substring("/v1/routes/".length()) : "";
            String method = exchange.getRequestMethod();
            try {
                if (method.equals("GET") && host.isEmpty()) {
                    respond(
                            exchange,
                            200,
                            StackView.JSON.writeValueAsBytes(stack.view().path("routes")));
                } else if (method.equals("PUT") && !host.isEmpty()) {
                    String function;
                    try (InputStream in = exchange.getRequestBody()) {
                        function = new String(in.readNBytes(256), StandardCharsets.UTF_8).strip();
                    }
                    text(exchange, 200, "routed " + stack.route(host, function) + " to " + function);
                } else if (method.equals("DELETE") && !host.isEmpty()) {
                    stack.unroute(host);
                    text(exchange, 200, "removed the route of " + host);
                } else {
                    exchange.getResponseHeaders().add("Allow", host.isEmpty() ? "GET" : "PUT, DELETE");
                    text(
                            exchange,
                            405,
                            "method not allowed: " + method + " " + path
                                    + " (expected: GET /v1/routes, PUT or DELETE /v1/routes/HOST)");
                }
            } catch (IllegalArgumentException e) {
                text(exchange, 400, "cannot route: " + e.getMessage());
            } catch (StoreUnavailableException e) {
                text(exchange, 503, "cannot route: " + e.getMessage());
            }
        }
    }

    /**
     * The file name a deploy keeps of its {@code file} parameter: what follows the last '/'. Cut
     * as text, not as a {@link Path}: a client's name for its jar is no path here ("/" has no
     * file name, and a NUL is no path at all).
     */
    static String uploadFileName(Optional<String> file) {
        return file.map(f -> f.substring(f.lastIndexOf('/') + 1)).orElse("upload.jar");
    }

    /**
     * The value of parameter {@code name} in {@code query} (raw, may be null), URL-decoded.
     *
     * @throws IllegalArgumentException when a parameter's name or value is not URL-encoded text
     */
    static Optional<String> queryParam(String query, String name) {
        if (query == null) {
            return Optional.empty();
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && urlDecoded(pair.substring(0, eq)).equals(name)) {
                return Optional.of(urlDecoded(pair.substring(eq + 1)));
            }
        }
        return Optional.empty();
    }

    private static String urlDecoded(String text) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "query: \"" + text + "\" (expected: URL-encoded text, '%' followed by two hex digits)");
        }
    }

    static void text(HttpExchange exchange, int status, String line) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        respond(exchange, status, (line.replace('\n', ' ') + "\n").getBytes(StandardCharsets.UTF_8));
    }

    static void respond(HttpExchange exchange, int status, byte[] body) throws IOException {
        if (!exchange.getResponseHeaders().containsKey("Content-Type")) {
            exchange.getResponseHeaders().set("Content-Type", "application/json");
        }
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
    }
}
