package dev.ferry.examples;

import dev.ferry.function.runtime.FerryFunction;
import dev.ferry.function.runtime.HttpHandler;
import dev.ferry.function.runtime.Request;
import dev.ferry.function.runtime.Response;

/** {@code GET /} → 200 with a short greeting. The smallest possible function. */
@FerryFunction(name = "hello", maxInputs = 256)
public final class Hello implements HttpHandler {

    @Override
    public Response handle(Request request) {
        return Response.text(200, "Hello from Ferry!\n");
    }
}
