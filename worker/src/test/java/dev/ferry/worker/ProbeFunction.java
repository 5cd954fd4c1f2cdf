package dev.ferry.worker;

import dev.ferry.function.runtime.FerryFunction;
import dev.ferry.function.runtime.HttpHandler;
import dev.ferry.function.runtime.OnStart;
import dev.ferry.function.runtime.OnStop;
import dev.ferry.function.runtime.Request;
import dev.ferry.function.runtime.Response;

/**
 * A well-behaved test function: says hello on both streams while starting and goodbye when
 * stopped. Public because the runtime only runs public function classes.
 */
@FerryFunction(name = "probe")
public class ProbeFunction implements HttpHandler {

    static final String STARTING_LINE = "probe starting";
    static final String WARMING_LINE = "probe warming up";
    static final String STOPPED_LINE = "probe stopped";

    @OnStart
    public void start() {
        System.out.println(STARTING_LINE);
        System.err.println(WARMING_LINE);
    }

    @OnStop
    public void stop() {
        System.out.println(STOPPED_LINE);
        System.out.flush();
    }

    @Override
    public Response handle(Request request) {
        return Response.text(200, "ok");
    }
}
