package dev.ferry.cli;

import dev.ferry.controller.AdminApi;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.net.HttpURLConnection;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
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
    int tail = AdminApi.DEFAULT_TAIL;

    @Mixin
    AdminTarget target;

    /** Set by picocli; null when {@link ClientArguments} made the command. */
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        AdminClient client = target.client();
        String uri = AdminApi.LOGS_PATH + URLEncoder.encode(app, StandardCharsets.UTF_8) + "?tail="
                + tail
                + (function == null ? "" : "&function=" + URLEncoder.encode(function, StandardCharsets.UTF_8))
                + (follow ? "&follow=1" : "");
        // picocli's writers, which a test may set; else the process's own.
        PrintWriter out = spec != null
                ? spec.commandLine().getOut()
                : new PrintWriter(new OutputStreamWriter(System.out, System.out.charset()), true);
        PrintWriter err = spec != null
                ? spec.commandLine().getErr()
                : new PrintWriter(new OutputStreamWriter(System.err, System.err.charset()), true);
        HttpURLConnection connection = client.open(uri, "GET");
        // A socket read on a platform thread ignores an interrupt, and disconnect() from another
        // thread waits for the read to let go of the stream; on a virtual thread an interrupt
        // closes the socket. So the lines are read on one, and an interrupt of this thread is
        // passed on to it.
        FutureTask<Integer> printing = new FutureTask<>(() -> print(client, connection, out, err));
        Thread reader = Thread.ofVirtual().name("ferry-logs").start(printing);
        try {
            return printing.get();
        } catch (InterruptedException e) {
            reader.interrupt();
            reader.join(); // so that nothing prints after the command returned
            return 0; // stopped while following
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        } finally {
            connection.disconnect();
        }
    }

    private int print(AdminClient client, HttpURLConnection connection, PrintWriter out, PrintWriter err)
            throws IOException {
        try (BufferedReader lines =
                new BufferedReader(new InputStreamReader(AdminClient.body(connection), StandardCharsets.UTF_8))) {
            if (connection.getResponseCode() != 200) {
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
        }
        if (follow) {
            err.println("ferry logs: the admin API at " + client.baseUrl()
                    + " ended the stream (did the controller stop?)");
            err.flush();
            return 1;
        }
        return 0;
    }
}
