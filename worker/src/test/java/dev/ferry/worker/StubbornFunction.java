package dev.ferry.worker;

import dev.ferry.function.runtime.FerryFunction;
import dev.ferry.function.runtime.HttpHandler;
import dev.ferry.function.runtime.OnStart;
import dev.ferry.function.runtime.OnStop;
import dev.ferry.function.runtime.Request;
import dev.ferry.function.runtime.Response;
import java.io.IOException;
import java.util.concurrent.CountDownLatch;

/**
 * A test function that does not exit on SIGTERM, so only SIGKILL ends it: its stop hook, which
 * the runtime runs on SIGTERM, never returns. It has started a child process of its own
 * ({@code sleep}), to see that a forced kill takes that along.
 */
@FerryFunction(name = "stubborn")
public class StubbornFunction implements HttpHandler {

    static final String CHILD_LINE = "stubborn child pid ";
    static final String STOPPING_LINE = "stubborn will not stop";

    @OnStart
    public void start() throws IOException {
        Process child = new ProcessBuilder("sleep", "600").start();
        System.out.println(CHILD_LINE + child.pid());
        System.out.flush();
    }

    @OnStop
    public void stop() throws InterruptedException {
        System.out.println(STOPPING_LINE);
        System.out.flush();
        new CountDownLatch(1).await();
    }

    @Override
    public Response handle(Request request) {
        return Response.text(200, "ok");
    }
}
