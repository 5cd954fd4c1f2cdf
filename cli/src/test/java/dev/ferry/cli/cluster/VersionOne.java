package dev.ferry.cli.cluster;

import dev.ferry.function.runtime.FerryFunction;
import dev.ferry.function.runtime.HttpHandler;
import dev.ferry.function.runtime.Request;
import dev.ferry.function.runtime.Response;

/** Function "version" as one build of an app has it; {@link VersionTwo} is the next build. */
@FerryFunction(name = "version", maxInputs = 64, scaledownWindow = "600s")
public final class VersionOne implements HttpHandler {

    static final String BODY = "version one";

    @Override
    public Response handle(Request request) {
        return Response.text(200, BODY);
    }
}
