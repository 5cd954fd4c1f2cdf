package dev.ferry.examples;

import dev.ferry.function.runtime.FerryFunction;
import dev.ferry.function.runtime.HttpHandler;
import dev.ferry.function.runtime.Request;
import dev.ferry.function.runtime.Response;

/**
 * {@code GET /} with a token → 200 naming the token's name; without one the gateway answers
 * 401 before the function is ever reached. Try it: {@code ferry token create --name me --scope
 * call}, then {@code curl -H "Authorization: Bearer <token>" http://examples--whoami.localhost:8080/}.
 */
@FerryFunction(name = "whoami", maxInputs = 256, requiresAuth = true)
public final class Whoami implements HttpHandler {

    @Override
    public Response handle(Request request) {
        return Response.text(200, "Hello, " + request.caller().orElse("nobody") + "!\n");
    }
}
