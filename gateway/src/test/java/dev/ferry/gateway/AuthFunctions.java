package dev.ferry.gateway;

import dev.ferry.function.runtime.FerryFunction;
import dev.ferry.function.runtime.HttpHandler;
import dev.ferry.function.runtime.Request;
import dev.ferry.function.runtime.Response;

/** Functions of the endpoint auth tests, run in real container processes. */
public final class AuthFunctions {

    private AuthFunctions() {}

    /**
     * Requires a token; answers {@code <caller> <the token headers it saw>}: the caller's token
     * name, and any of authorization, ferry-key or ferry-secret that reached it (none should).
     */
    @FerryFunction(name = "private", maxInputs = 4, requiresAuth = true)
    public static final class Private implements HttpHandler {
        @Override
        public Response handle(Request request) {
            StringBuilder seen = new StringBuilder();
            for (String name : new String[] {"authorization", "ferry-key", "ferry-secret"}) {
                request.header(name)
                        .ifPresent(
                                v -> seen.append(' ').append(name).append('=').append(v));
            }
            return Response.text(
                    200,
                    request.caller().orElse("-") + seen + " x="
                            + request.header("x").orElse(""));
        }
    }

    /** Public: answers its caller, which is none. */
    @FerryFunction(name = "public", maxInputs = 4)
    public static final class Public implements HttpHandler {
        @Override
        public Response handle(Request request) {
            return Response.text(
                    200,
                    "caller=" + request.caller().orElse("-") + " auth="
                            + request.header("authorization").orElse(""));
        }
    }
}
