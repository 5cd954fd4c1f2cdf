package dev.ferry.cli.cluster;

import dev.ferry.function.runtime.FerryFunction;
import dev.ferry.function.runtime.HttpHandler;
import dev.ferry.function.runtime.Request;
import dev.ferry.function.runtime.Response;

/** Function "work" as the build after {@link RolloverOne} has it. */
@FerryFunction(name = "work", maxInputs = 2, minContainers = 4, scaledownWindow = "600s")
public final class RolloverTwo implements HttpHandler {

    static final String BODY = "rollover two";

    @Override
    public Response handle(Request request) throws InterruptedException {
        // Not RolloverOne's helper: each build's jar holds its own class only.
        Thread.sleep(Integer.parseInt(request.queryParam("ms").orElse("0")));
        return Response.text(200, BODY);
    }
}
