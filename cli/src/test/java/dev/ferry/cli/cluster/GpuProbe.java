package dev.ferry.cli.cluster;

import dev.ferry.function.runtime.FerryFunction;
import dev.ferry.function.runtime.HttpHandler;
import dev.ferry.function.runtime.Request;
import dev.ferry.function.runtime.Response;

/**
 * Answers {@code <worker> <NVIDIA_VISIBLE_DEVICES> <CUDA_VISIBLE_DEVICES>} after holding the
 * call {@code ?ms=} milliseconds: one GPU of any type per container, one call at a time, so
 * concurrent calls need containers of their own.
 */
@FerryFunction(name = "gpu-probe", maxInputs = 1, gpu = "any", scaledownWindow = "600s")
public final class GpuProbe implements HttpHandler {

    @Override
    public Response handle(Request request) throws InterruptedException {
        String ms = request.query().replaceFirst("^.*ms=(\\d+).*$", "$1");
        if (!ms.isEmpty() && ms.chars().allMatch(Character::isDigit)) {
            Thread.sleep(Long.parseLong(ms));
        }
        return Response.text(
                200,
                System.getenv("FERRY_WORKER_ID") + " " + System.getenv("NVIDIA_VISIBLE_DEVICES") + " "
                        + System.getenv("CUDA_VISIBLE_DEVICES") + "\n");
    }
}
