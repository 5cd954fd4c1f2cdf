package dev.ferry.controller;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.ferry.request.protocol.FunctionSettings;
import dev.ferry.routing.AppDeployment;
import dev.ferry.routing.ContainerLogs;
import dev.ferry.routing.LogLine;
import dev.ferry.routing.RoutingStore;
import dev.ferry.routing.StoreUnavailableException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * {@code GET /v1/logs/APP[?function=F][&tail=N][&follow=1]}: what the containers of app APP
 * (of its function F only, when given) wrote, as {@code text/plain; charset=utf-8}, chunked,
 * one line per line a container wrote:
 *
 * <pre>{@code <time> <function> <container> <worker> <stdout|stderr> | <text>}</pre>
 *
 * e.g. {@code 2025-03-04T05:06:07.123Z hello ct-ab12cd34 worker-dev stdout | Hello}, where the
 * time (UTC, milliseconds) is when the worker read the line. Every line has the five fields,
 * so an empty line never is one.
 *
 * <ul>
 *   <li>{@code tail}: how many of the latest lines to send first, 0 to {@value #MAX_TAIL}
 *       (default {@value #DEFAULT_TAIL}).</li>
 *   <li>{@code follow=1} (or {@code true}): then keep the response open and send each new line as
 *       it is stored, without a gap or a repeat after the tail, until the client goes away. A
 *       client that goes away is noticed at a write; so that one is noticed while no line comes,
 *       a bare newline goes out after each {@value #KEEPALIVE_SECONDS} s of silence (clients skip
 *       empty lines), and the second write after the client left fails.</li>
 * </ul>
 *
 * <p>400 names a malformed app or function name, tail or follow value, or an unknown parameter;
 * 404 names an app that is not deployed, or a function that its current version lacks; 503
 * names the store that cannot be reached. Each is one plain-text line, sent before anything
 * else. Runs on the admin server's virtual threads: a follower holds one while it follows, and
 * its subscription is closed however the response ends.
 */
final class LogsHandler implements HttpHandler {

    static final int DEFAULT_TAIL = AdminApi.DEFAULT_TAIL;
    static final int MAX_TAIL = AdminApi.MAX_TAIL;
    static final int KEEPALIVE_SECONDS = 5;
    /** The path this handler serves, with the app after it. */
    static final String PATH = AdminApi.LOGS_PATH;

    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    /** Lines handed from the follower's thread to the response's: the follower waits when it is full. */
    private static final int PENDING = 1000;

    private final RoutingStore store;
    private final ContainerLogs logs;
    private final long keepAliveNanos;

    LogsHandler(RoutingStore store, ContainerLogs logs) {
        this(store, logs, Duration.ofSeconds(KEEPALIVE_SECONDS));
    }

    /** With another keep-alive interval: tests notice a client that left sooner. */
    LogsHandler(RoutingStore store, ContainerLogs logs, Duration keepAlive) {
        this.store = store;
        this.logs = logs;
        this.keepAliveNanos = keepAlive.toNanos();
    }

    /** One request's parameters, checked. */
    private record Query(String app, Optional<String> function, int tail, boolean follow) {}

    /** A request this handler refuses, with its status and the line that says why. */
    private static final class Refused extends Exception {
        final int status;

        Refused(int status, String reason) {
            super(reason, null, false, false);
            this.status = status;
        }
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            Query query;
            List<LogLine> latest;
            String cursor = null;
            try {
                query = query(exchange);
                latest = logs.tail(query.app(), query.function(), query.tail());
                if (query.follow()) {
                    cursor = cursor(query, latest);
                }
            } catch (Refused e) {
                text(exchange, e.status, e.getMessage());
                return;
            } catch (StoreUnavailableException e) {
                text(exchange, 503, "cannot read logs: " + e.getMessage());
                return;
            }
            exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            for (LogLine line : latest) {
                out.write(format(line));
            }
            out.flush();
            if (cursor != null) {
                follow(query, cursor, out);
            }
        } catch (IOException e) {
            // the client went away: nothing to answer, and the subscription is closed
        }
    }

    private Query query(HttpExchange exchange) throws Refused {
        if (!exchange.getRequestMethod().equals("GET")) {
            exchange.getResponseHeaders().add("Allow", "GET");
            throw new Refused(405, "method not allowed: " + exchange.getRequestMethod() + " (expected: GET)");
        }
        String path = exchange.getRequestURI().getPath();
        String app = path.startsWith(PATH) ? path.substring(PATH.length()) : "";
        if (app.isEmpty() || app.contains("/")) {
            throw new Refused(404, "no such resource: " + path + " (expected: GET " + PATH + "APP)");
        }
        Map<String, String> params = params(exchange.getRequestURI().getRawQuery());
        for (String name : params.keySet()) {
            if (!List.of("function", "tail", "follow").contains(name)) {
                throw new Refused(
                        400, "cannot read logs: unknown parameter \"" + name + "\" (expected: function, tail, follow)");
            }
        }
        Optional<String> function = Optional.ofNullable(params.get("function"));
        try {
            FunctionSettings.checkName("app", app);
            function.ifPresent(f -> FunctionSettings.checkName("function", f));
        } catch (IllegalArgumentException e) {
            throw new Refused(400, "cannot read logs: " + e.getMessage());
        }
        int tail = tail(params.get("tail"));
        boolean follow = switch (params.getOrDefault("follow", "0")) {
            case "1", "true" -> true;
            case "0", "false" -> false;
            default ->
                throw new Refused(
                        400,
                        "cannot read logs: follow: \"" + params.get("follow") + "\" (expected: 1 or true, 0 or false)");
        };
        AppDeployment deployment = store.app(app)
                .orElseThrow(() -> new Refused(
                        404,
                        "cannot read logs: app " + app + " is not deployed (expected: an app that ferry ls lists)"));
        if (function.isPresent() && deployment.function(function.get()).isEmpty()) {
            throw new Refused(
                    404,
                    "cannot read logs: app " + app + " has no function " + function.get() + " (expected: one of "
                            + deployment.functions().stream()
                                    .map(f -> f.settings().name())
                                    .collect(Collectors.joining(", "))
                            + ")");
        }
        return new Query(app, function, tail, follow);
    }

    private static int tail(String text) throws Refused {
        if (text == null) {
            return DEFAULT_TAIL;
        }
        try {
            int tail = Integer.parseInt(text);
            if (tail >= 0 && tail <= MAX_TAIL) {
                return tail;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new Refused(
                400, "cannot read logs: tail: \"" + text + "\" (expected: a whole number from 0 to " + MAX_TAIL + ")");
    }

    /**
     * Where following goes on from: after the last line sent; if none was sent, after the
     * app's last line when no tail was asked for, and from the start when the tail found no
     * line of the function among all those kept (then every line stored from now on is new).
     */
    private String cursor(Query query, List<LogLine> latest) {
        if (!latest.isEmpty()) {
            return latest.getLast().id();
        }
        if (query.tail() > 0) {
            return ContainerLogs.START;
        }
        List<LogLine> last = logs.tail(query.app(), Optional.empty(), 1);
        return last.isEmpty() ? ContainerLogs.START : last.getFirst().id();
    }

    private void follow(Query query, String cursor, OutputStream out) throws IOException {
        BlockingQueue<LogLine> pending = new ArrayBlockingQueue<>(PENDING);
        try (ContainerLogs.Subscription ignored = logs.follow(query.app(), query.function(), cursor, line -> {
            try {
                pending.put(line); // a slow client holds back its own follower, nothing else
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // closing: the follower ends
            }
        })) {
            while (true) {
                LogLine line = pending.poll(keepAliveNanos, TimeUnit.NANOSECONDS);
                if (line == null) {
                    out.write('\n');
                } else {
                    do {
                        out.write(format(line));
                    } while ((line = pending.poll()) != null);
                }
                out.flush();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the admin server is stopping
        }
    }

    /** {@code line} as the response carries it, with its newline. */
    static byte[] format(LogLine line) {
        return (TIME.format(line.at()) + ' ' + line.function() + ' ' + line.container() + ' ' + line.worker() + ' '
                        + line.stream() + " | " + line.text() + '\n')
                .getBytes(StandardCharsets.UTF_8);
    }

    private static Map<String, String> params(String rawQuery) throws Refused {
        Map<String, String> params = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return params;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String name;
            String value;
            try {
                name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw new Refused(400, "cannot read logs: malformed query: " + e.getMessage());
            }
            if (!name.isEmpty() && params.put(name, value) != null) {
                throw new Refused(400, "cannot read logs: parameter \"" + name + "\" given twice");
            }
        }
        return params;
    }

    private static void text(HttpExchange exchange, int status, String line) throws IOException {
        byte[] body = (line.replace('\n', ' ') + "\n").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
    }
}
