package dev.ferry.cli;

import dev.ferry.controller.AdminApi;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ferry logs APP [FUNCTION] [-f] [--tail N]}: what an app's containers print, from every
 * worker, through the controller's {@code GET /v1/logs/APP} ({@link AdminApi#LOGS_PATH}). Lines are
 * printed as they arrive; with {@code -f} it runs until Ctrl-C (or, in process, an interrupt),
 * which ends it with status 0.
 */
@Command(
        name = "logs",
        mixinStandardHelpOptions = true,
        description = {
            "Print what an app's containers write on stdout and stderr, from every worker.",
            "The latest lines first (--tail); with -f, new lines as they come, until Ctrl-C. One line each:",
            "  TIME FUNCTION CONTAINER WORKER STREAM | TEXT"
        })
final class LogsCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "APP", description = "The app, as ferry ls lists it.")
    String app;

    @Parameters(index = "1", paramLabel = "FUNCTION", arity = "0..1", description = "Only this function of the app.")
    String function;

    @Option(
            names = {"-f", "--follow"},
            description = "Keep printing new lines as containers write them, until Ctrl-C.")
    boolean follow;

    @Option(
            names = "--tail",
            defaultValue = "" + AdminApi.DEFAULT_TAIL,
            paramLabel = "N",
            description = "How many of the latest lines to print first, 0 to " + AdminApi.MAX_TAIL
                    + " (default: ${DEFAULT-VALUE}).")
    int tail;

    @Mixin
    AdminTarget target;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        String uri = target.adminUrl() + AdminApi.LOGS_PATH + URLEncoder.encode(app, StandardCharsets.UTF_8) + "?tail="
                + tail
                + (function == null ? "" : "&function=" + URLEncoder.encode(function, StandardCharsets.UTF_8))
                + (follow ? "&follow=1" : "");
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        HttpClient client =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        try {
            return print(client, uri, out, err);
        } finally {
            client.shutdownNow(); // not close(): that would wait for a follow that an interrupt ended
        }
    }

    private int print(HttpClient client, String uri, PrintWriter out, PrintWriter err)
            throws IOException, InterruptedException {
        HttpResponse<InputStream> response;
        try {
            response = client.send(
                    HttpRequest.newBuilder(URI.create(uri)).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (ConnectException e) {
            throw new IOException(
                    "cannot reach the admin API at " + target.adminUrl()
                            + "; is ./ferry dev (or ferry controller) running?",
                    e);
        }
        try (BufferedReader lines =
                new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            if (response.statusCode() != 200) {
                err.println("ferry logs: " + String.join(" ", lines.lines().toList()));
                err.flush();
                return 1;
            }
            for (String line; (line = lines.readLine()) != null; ) {
                if (!line.isEmpty()) { // empty lines keep a quiet follow alive; every log line has its fields
                    out.println(line);
                    out.flush();
                }
            }
        } catch (IOException e) {
            if (Thread.currentThread().isInterrupted()) {
                return 0; // stopped while following
            }
            throw e;
        }
        if (follow) {
            err.println("ferry logs: the admin API at " + target.adminUrl()
                    + " ended the stream (did the controller stop?)");
            err.flush();
            return 1;
        }
        return 0;
    }
}
