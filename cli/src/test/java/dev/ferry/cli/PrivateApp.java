package dev.ferry.cli;

import dev.ferry.function.runtime.FerryFunction;
import dev.ferry.function.runtime.HttpHandler;
import dev.ferry.function.runtime.Request;
import dev.ferry.function.runtime.Response;

/** A function that requires a token and answers its caller's name. */
@FerryFunction(name = "who", requiresAuth = true)
public final class PrivateApp implements HttpHandler {
    @Override
    public Response handle(Request request) {
        return Response.text(200, request.caller().orElse("-"));
    }
}
