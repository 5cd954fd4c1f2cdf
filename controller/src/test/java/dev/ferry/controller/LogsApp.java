package dev.ferry.controller;

import dev.ferry.function.runtime.FerryFunction;
import dev.ferry.function.runtime.HttpHandler;
import dev.ferry.function.runtime.Request;
import dev.ferry.function.runtime.Response;

/** The app {@code logsapp}, for the tests of {@code ferry logs}: a function that prints what it is asked to. */
public final class LogsApp {

    public static final String NAME = "logsapp";

    private LogsApp() {}

    /** {@code GET /?TEXT} prints {@code out TEXT} on standard output and {@code err TEXT} on standard error. */
    @FerryFunction(name = "say", maxInputs = 4)
    public static final class Say implements HttpHandler {
        @Override
        public Response handle(Request request) {
            System.out.println("out " + request.query());
            System.err.println("err " + request.query());
            return Response.text(200, "said " + request.query());
        }
    }

    /** Prints nothing. */
    @FerryFunction(name = "quiet", maxInputs = 4)
    public static final class Quiet implements HttpHandler {
        @Override
        public Response handle(Request request) {
            return Response.text(200, "shh");
        }
    }
}
