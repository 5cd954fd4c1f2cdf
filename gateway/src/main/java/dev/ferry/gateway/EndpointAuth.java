package dev.ferry.gateway;

import dev.ferry.request.protocol.CallError;
import dev.ferry.request.protocol.CallErrors;
import dev.ferry.request.protocol.ErrorCode;
import dev.ferry.request.protocol.Header;
import dev.ferry.request.protocol.HttpScope;
import dev.ferry.request.protocol.WebSocketScope;
import dev.ferry.routing.AccessToken;
import dev.ferry.routing.AccessTokens;
import dev.ferry.routing.RoutingStore;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;
import java.util.Optional;

/**
 * The token check of a function with {@code requiresAuth} (Modal's proxy auth), made before
 * its request is queued or any container is started: {@code Authorization: Bearer <token>},
 * or the pair {@code Ferry-Key: <id>} and {@code Ferry-Secret: <secret>}, checked against the
 * store's in-process copy (no I/O, so it costs microseconds and works while Redis is down).
 * The token must have the call scope for the function's app.
 *
 * <p>What the function then sees: the token's name as its scope's {@code caller}, and the
 * request's headers without the three that carry the token, so no secret reaches user code.
 */
final class EndpointAuth {

    /** The {@code WWW-Authenticate} value of a 401 (RFC 6750). */
    static final String CHALLENGE = "Bearer realm=\"ferry\"";

    static final String KEY_HEADER = "ferry-key";
    static final String SECRET_HEADER = "ferry-secret";

    private static final String BEARER = "Bearer ";

    /** The checked token, or why the request is refused. */
    sealed interface Outcome {}

    record Allowed(AccessToken token) implements Outcome {}

    record Refused(CallError error) implements Outcome {}

    private EndpointAuth() {}

    /** Checks the request with {@code headers} to a function of {@code app}. */
    static Outcome check(HttpHeaders headers, String app, RoutingStore store) {
        String authorization = headers.get(HttpHeaderNames.AUTHORIZATION);
        String key = headers.get(KEY_HEADER);
        Optional<AccessToken> token;
        if (authorization != null) {
            if (!authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
                return refused(
                        ErrorCode.UNAUTHENTICATED, "Authorization: not a bearer token (expected: Bearer <token>)");
            }
            token = AccessTokens.verify(
                    store, authorization.substring(BEARER.length()).strip());
        } else if (key != null) {
            token = AccessTokens.verify(store, key.strip(), strip(headers.get(SECRET_HEADER)));
        } else {
            return refused(
                    ErrorCode.UNAUTHENTICATED,
                    "this function requires a token: send Authorization: Bearer <token>, or Ferry-Key and Ferry-Secret");
        }
        if (token.isEmpty()) {
            return refused(ErrorCode.UNAUTHENTICATED, "unknown or revoked token");
        }
        if (!token.get().mayCall(app)) {
            return refused(
                    ErrorCode.PERMISSION_DENIED,
                    token.get() + " may not call app " + app + " (expected: scope call"
                            + (token.get().apps().isEmpty() ? "" : " for " + app) + ")");
        }
        return new Allowed(token.get());
    }

    /** {@code scope} as the function sees it: its caller named, the headers that carry the token left out. */
    static HttpScope seenBy(HttpScope scope, AccessToken caller) {
        return scope.toBuilder()
                .clearHeaders()
                .addAllHeaders(withoutToken(scope.getHeadersList()))
                .setCaller(caller.name())
                .build();
    }

    /** As {@link #seenBy(HttpScope, AccessToken)}, for a WebSocket. */
    static WebSocketScope seenBy(WebSocketScope scope, AccessToken caller) {
        return scope.toBuilder()
                .clearHeaders()
                .addAllHeaders(withoutToken(scope.getHeadersList()))
                .setCaller(caller.name())
                .build();
    }

    /** Whether a scope header carries a token: left out of what the function sees. */
    private static boolean carriesToken(Header header) {
        String name = header.getName().toStringUtf8();
        return name.equals("authorization") || name.equals(KEY_HEADER) || name.equals(SECRET_HEADER);
    }

    private static List<Header> withoutToken(List<Header> headers) {
        return headers.stream().filter(h -> !carriesToken(h)).toList();
    }

    private static String strip(String value) {
        return value == null ? null : value.strip();
    }

    private static Refused refused(ErrorCode code, String detail) {
        return new Refused(CallErrors.of(code, detail));
    }
}
