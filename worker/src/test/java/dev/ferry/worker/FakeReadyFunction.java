package dev.ferry.worker;

import dev.ferry.function.runtime.FerryFunction;
import dev.ferry.function.runtime.HttpHandler;
import dev.ferry.function.runtime.OnStart;
import dev.ferry.function.runtime.Request;
import dev.ferry.function.runtime.Response;
import java.util.concurrent.CountDownLatch;

/**
 * A test function whose start hook prints lines that look like the ready line but are not,
 * then never finishes, so the container never becomes ready.
 */
@FerryFunction(name = "fake-ready")
public class FakeReadyFunction implements HttpHandler {

    static final String DONE_LINE = "fake ready lines printed";

    @OnStart
    public void start() throws InterruptedException {
        String token = System.getenv("FERRY_READY_TOKEN");
        System.out.println("ferry-ready not-the-token");
        System.out.println("ferry-ready");
        System.out.println("ferry-ready " + token + " ");
        System.out.println(" ferry-ready " + token);
        System.out.println(DONE_LINE);
        System.out.flush();
        new CountDownLatch(1).await();
    }

    @Override
    public Response handle(Request request) {
        return Response.text(200, "unreachable");
    }
}
