package dev.ferry.cli.cluster;

import dev.ferry.function.runtime.FerryFunction;
import dev.ferry.function.runtime.HttpHandler;
import dev.ferry.function.runtime.Request;
import dev.ferry.function.runtime.Response;

/** Answers its worker's id; runs only on workers labelled {@code pool=general}. */
@FerryFunction(name = "general", maxInputs = 16, scaledownWindow = "600s", workerLabels = "pool=general")
public final class GeneralHello implements HttpHandler {

    @Override
    public Response handle(Request request) {
        return Response.text(200, "served by " + System.getenv("FERRY_WORKER_ID") + "\n");
    }
}
