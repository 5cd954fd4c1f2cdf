package dev.ferry.cli.cluster;

import dev.ferry.function.runtime.FerryFunction;
import dev.ferry.function.runtime.HttpHandler;
import dev.ferry.function.runtime.Request;
import dev.ferry.function.runtime.Response;

/**
 * The cluster tests' warm function: answers every request with {@link #BODY}. Its long
 * scaledown window keeps its one container running for the whole test class.
 */
@FerryFunction(name = "hello", maxInputs = 64, scaledownWindow = "600s")
public final class ClusterHello implements HttpHandler {

    static final String BODY = "hello from the cluster\n";

    @Override
    public Response handle(Request request) {
        return Response.text(200, BODY);
    }
}
