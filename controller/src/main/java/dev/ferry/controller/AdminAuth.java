package dev.ferry.controller;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import dev.ferry.routing.AccessToken;
import dev.ferry.routing.AccessToken.Scope;
import dev.ferry.routing.AccessTokens;
import dev.ferry.routing.RoutingStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Lets a request to the admin API through only with a token whose scopes allow it: 401 (with
 * {@code WWW-Authenticate}) without a token or with one the store does not hold (unknown,
 * revoked, malformed), 403 when its scopes do not include what the route needs. Each answer is
 * one line saying why. A refused request is answered before its handler runs, so nothing of it
 * is acted on and its body is never read.
 *
 * <p>The token is checked against the store's in-process copy, so a revocation reaches this
 * controller with the change feed (milliseconds), and checking costs no I/O.
 */
final class AdminAuth extends Filter {

    /** The scope a request needs, by its method and path. */
    interface Rule {
        Scope required(String method, String path);
    }

    /** A rule for a route that only reads with GET (and HEAD) and changes with every other method. */
    static final Rule READ_OR_DEPLOY =
            (method, path) -> method.equals("GET") || method.equals("HEAD") ? Scope.READ : Scope.DEPLOY;

    /** The attribute under which a let-through exchange carries its {@link AccessToken}. */
    static final String TOKEN_ATTRIBUTE = "ferry.token";

    private static final String BEARER = "Bearer ";

    private final RoutingStore store;
    private final Rule rule;

    AdminAuth(RoutingStore store, Rule rule) {
        this.store = store;
        this.rule = rule;
    }

    /** The token a request that this filter let through came with. */
    static AccessToken token(HttpExchange exchange) {
        return (AccessToken) exchange.getAttribute(TOKEN_ATTRIBUTE);
    }

    @Override
    public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
        Scope needed = rule.required(
                exchange.getRequestMethod(), exchange.getRequestURI().getPath());
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        if (header == null) {
            unauthorized(
                    exchange,
                    "no token: send Authorization: Bearer <token> (the ferry commands read FERRY_TOKEN"
                            + " or the home's credentials file; ferry token create makes one)");
            return;
        }
        if (!header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            unauthorized(exchange, "Authorization: not a bearer token (expected: Bearer <token>)");
            return;
        }
        Optional<AccessToken> token =
                AccessTokens.verify(store, header.substring(BEARER.length()).strip());
        if (token.isEmpty()) {
            unauthorized(exchange, "unknown or revoked token");
            return;
        }
        if (!token.get().grants(needed)) {
            refuse(
                    exchange,
                    403,
                    token.get() + " lacks scope " + needed.label() + " (needed for " + exchange.getRequestMethod() + " "
                            + exchange.getRequestURI().getPath() + ")");
            return;
        }
        exchange.setAttribute(TOKEN_ATTRIBUTE, token.get());
        chain.doFilter(exchange);
    }

    @Override
    public String description() {
        return "admin API tokens";
    }

    private static void unauthorized(HttpExchange exchange, String reason) throws IOException {
        exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"ferry\"");
        refuse(exchange, 401, reason);
    }

    private static void refuse(HttpExchange exchange, int status, String reason) throws IOException {
        try (exchange) {
            byte[] body = (reason + "\n").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
        }
    }
}
