package dev.ferry.examples;

import dev.ferry.function.runtime.FerryFunction;
import dev.ferry.function.runtime.HttpHandler;
import dev.ferry.function.runtime.Request;
import dev.ferry.function.runtime.Response;

/**
 * Answers after {@code ?ms=} milliseconds (default 1000, at most 600000). At most 4 inputs
 * run per container, so a fifth concurrent call waits for a slot.
 */
@FerryFunction(name = "slow", maxInputs = 4, timeout = "15m")
public final class Slow implements HttpHandler {

    @Override
    public Response handle(Request request) throws InterruptedException {
        int ms;
        try {
            ms = Sse.intParam(request, "ms", 1000, 0, 600_000);
        } catch (IllegalArgumentException e) {
            return Response.text(400, e.getMessage() + "\n");
        }
        Thread.sleep(ms);
        return Response.text(200, "slept " + ms + " ms\n");
    }
}
