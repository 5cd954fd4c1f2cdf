package dev.ferry.examples;

import dev.ferry.function.runtime.FerryFunction;
import dev.ferry.function.runtime.HttpHandler;
import dev.ferry.function.runtime.Request;
import dev.ferry.function.runtime.Response;

/**
 * Answers with the GPUs its container was given and where it runs, as JSON:
 * <pre>{"worker": "gpu-1", "container": "ct-abcd2345",
 *  "cuda_visible_devices": "GPU-dfa0340b-...", "nvidia_visible_devices": "GPU-dfa0340b-...", "held_ms": 0}</pre>
 * {@code ?ms=N} holds the call N milliseconds first (at most 600000), so that a test or a
 * demo can keep the container busy and see the next call go to another container, with
 * another GPU. One input per container: a busy container takes no second call.
 *
 * <p>The worker sets {@code FERRY_CONTAINER_ID} and the two device variables (the GPUs'
 * UUIDs, or {@code ""} and {@code void} for none); {@code FERRY_WORKER_ID} comes with the
 * spec where the worker's agent puts it; {@code null} for a variable that is not set.
 */
@FerryFunction(name = "gpu-info", gpu = "any", maxInputs = 1)
public final class GpuInfo implements HttpHandler {

    @Override
    public Response handle(Request request) throws InterruptedException {
        int ms;
        try {
            ms = Sse.intParam(request, "ms", 0, 0, 600_000);
        } catch (IllegalArgumentException e) {
            return Response.text(400, e.getMessage() + "\n");
        }
        Thread.sleep(ms);
        String json = "{\"worker\": " + quoted(System.getenv("FERRY_WORKER_ID"))
                + ", \"container\": " + quoted(System.getenv("FERRY_CONTAINER_ID"))
                + ", \"cuda_visible_devices\": " + quoted(System.getenv("CUDA_VISIBLE_DEVICES"))
                + ", \"nvidia_visible_devices\": " + quoted(System.getenv("NVIDIA_VISIBLE_DEVICES"))
                + ", \"held_ms\": " + ms + "}\n";
        return Response.builder(200)
                .header("content-type", "application/json")
                .body(json)
                .build();
    }

    /** {@code value} as a JSON string, or {@code null}. */
    static String quoted(String value) {
        if (value == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder("\"");
        for (char c : value.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }
}
