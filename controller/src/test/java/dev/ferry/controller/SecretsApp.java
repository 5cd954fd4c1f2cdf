package dev.ferry.controller;

import dev.ferry.function.runtime.FerryFunction;
import dev.ferry.function.runtime.HttpHandler;
import dev.ferry.function.runtime.Request;
import dev.ferry.function.runtime.Response;

/** The app {@code secretsapp}, for the tests of secrets: a function that answers what its secret gave it. */
public final class SecretsApp {

    public static final String NAME = "secretsapp";

    private SecretsApp() {}

    /** Answers {@code DB_USER=… PASSWORD=…} from its environment, as secret {@code db} set them. */
    @FerryFunction(
            name = "show",
            maxInputs = 4,
            secrets = {"db"})
    public static final class Show implements HttpHandler {
        @Override
        public Response handle(Request request) {
            System.out.println("show called"); // a line of output, which must not hold the values
            return Response.text(200, "DB_USER=" + System.getenv("DB_USER") + " PASSWORD=" + System.getenv("PASSWORD"));
        }
    }
}
