package dev.ferry.cli.cluster;

import dev.ferry.function.runtime.FerryFunction;
import dev.ferry.function.runtime.HttpHandler;
import dev.ferry.function.runtime.Request;
import dev.ferry.function.runtime.Response;

/**
 * Function "work" as one build of an app has it: answers after {@code ?ms=} milliseconds
 * (default 0). Few inputs per container and four containers kept warm, so that calls of two
 * gateways spread over several containers, a redeploy has several to roll over, and no
 * scale-up (whose cold start the gateways' contention for slots makes hard on 2 s calls)
 * mixes with it; {@link RolloverTwo} is the next build.
 */
@FerryFunction(name = "work", maxInputs = 2, minContainers = 4, scaledownWindow = "600s")
public final class RolloverOne implements HttpHandler {

    static final String BODY = "rollover one";

    @Override
    public Response handle(Request request) throws InterruptedException {
        Thread.sleep(Integer.parseInt(request.queryParam("ms").orElse("0")));
        return Response.text(200, BODY);
    }
}
