package dev.ferry.cli.cluster;

import dev.ferry.function.runtime.FerryFunction;
import dev.ferry.function.runtime.HttpHandler;
import dev.ferry.function.runtime.Request;
import dev.ferry.function.runtime.Response;

/** Wants four H100s, which no worker of the test cluster has: it can never be placed. */
@FerryFunction(name = "gpu-quad", gpu = "H100:4")
public final class GpuQuad implements HttpHandler {

    @Override
    public Response handle(Request request) {
        return Response.text(200, "four GPUs\n");
    }
}
