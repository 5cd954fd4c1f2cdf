package dev.ferry.worker;

import dev.ferry.function.runtime.FerryFunction;
import dev.ferry.function.runtime.HttpHandler;
import dev.ferry.function.runtime.OnStart;
import dev.ferry.function.runtime.Request;
import dev.ferry.function.runtime.Response;

/** A test function that exits while starting, with the code in {@link #EXIT_CODE}. */
@FerryFunction(name = "exiting")
public class ExitingFunction implements HttpHandler {

    static final String EXIT_CODE = "FERRY_TEST_EXIT_CODE";

    @OnStart
    public void start() {
        Runtime.getRuntime().halt(Integer.parseInt(System.getenv(EXIT_CODE)));
    }

    @Override
    public Response handle(Request request) {
        return Response.text(200, "unreachable");
    }
}
