package dev.ferry.cli.cluster;

import dev.ferry.function.runtime.FerryFunction;
import dev.ferry.function.runtime.HttpHandler;
import dev.ferry.function.runtime.Request;
import dev.ferry.function.runtime.Response;

/** Function "version" as the next build of the app of {@link VersionOne} has it. */
@FerryFunction(name = "version", maxInputs = 64, scaledownWindow = "600s")
public final class VersionTwo implements HttpHandler {

    static final String BODY = "version two";

    @Override
    public Response handle(Request request) {
        return Response.text(200, BODY);
    }
}
