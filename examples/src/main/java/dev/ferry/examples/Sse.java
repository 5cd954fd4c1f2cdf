package dev.ferry.examples;

import dev.ferry.function.runtime.FerryFunction;
import dev.ferry.function.runtime.HttpHandler;
import dev.ferry.function.runtime.Request;
import dev.ferry.function.runtime.Response;

/**
 * Server-sent events: {@code ?n=} events (default 5, at most 10000), one every
 * {@code ?interval_ms=} milliseconds (default 1000, at most 60000), each reaching the client
 * as it is produced.
 */
@FerryFunction(name = "sse", maxInputs = 256, timeout = "1h")
public final class Sse implements HttpHandler {

    @Override
    public Response handle(Request request) throws InterruptedException {
        int n;
        long intervalMs;
        try {
            n = intParam(request, "n", 5, 0, 10_000);
            intervalMs = intParam(request, "interval_ms", 1000, 0, 60_000);
        } catch (IllegalArgumentException e) {
            return Response.text(400, e.getMessage() + "\n");
        }
        return Response.builder(200)
                .header("content-type", "text/event-stream")
                .header("cache-control", "no-cache")
                .streamingBody(out -> {
                    for (int i = 1; i <= n; i++) {
                        if (i > 1) {
                            Thread.sleep(intervalMs);
                        }
                        out.write("id: " + i + "\nevent: tick\ndata: {\"n\": " + i + ", \"at_ms\": "
                                + System.currentTimeMillis() + "}\n\n");
                    }
                })
                .build();
    }

    static int intParam(Request request, String name, int defaultValue, int min, int max) {
        String text = request.queryParam(name).orElse(null);
        if (text == null) {
            return defaultValue;
        }
        try {
            int value = Integer.parseInt(text);
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(name + ": " + text + " (expected: a whole number " + min + "-" + max + ")");
    }
}
