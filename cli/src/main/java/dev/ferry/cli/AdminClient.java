package dev.ferry.cli;

import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Calls the dev server's admin API. */
final class AdminClient {

    private AdminClient() {}

    static HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        try (HttpClient client =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new IOException(
                    "cannot reach the admin API at " + request.uri()
                            + "; is ./ferry dev (or ferry controller) running?",
                    e);
        }
    }
}
