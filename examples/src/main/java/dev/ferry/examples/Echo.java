package dev.ferry.examples;

import dev.ferry.function.runtime.FerryFunction;
import dev.ferry.function.runtime.HttpHandler;
import dev.ferry.function.runtime.Request;
import dev.ferry.function.runtime.Response;

/**
 * Streams the request body back unchanged, whatever its size, chunk by chunk as it arrives;
 * the request's method, path and query come back in {@code x-echo-*} headers.
 */
@FerryFunction(name = "echo", maxInputs = 64, timeout = "30m")
public final class Echo implements HttpHandler {

    @Override
    public Response handle(Request request) {
        return Response.builder(200)
                .header("content-type", request.header("content-type").orElse("application/octet-stream"))
                .header("x-echo-method", request.method())
                .header("x-echo-path", request.path())
                .header("x-echo-query", request.query())
                .streamingBody(out -> request.body().transferTo(out))
                .build();
    }
}
