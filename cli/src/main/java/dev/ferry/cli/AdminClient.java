package dev.ferry.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Calls a controller's admin API, one request per connection. Blocking; not for sharing between
 * threads.
 *
 * <p>It is {@link HttpURLConnection}, not the JDK's {@code java.net.http.HttpClient}, because
 * a command is a short-lived JVM: the HttpClient builds an SSL context (reading every trusted
 * certificate) and starts a selector thread before its first request, which took 0.3 s of a
 * 0.5 s {@code ferry ls} even from an AOT cache; HttpURLConnection touches TLS only for an
 * {@code https} URL.
 */
final class AdminClient {

    /** How long to wait for the admin API to accept a connection. */
    static final int CONNECT_TIMEOUT_MILLIS = 5_000;

    /** An answer read whole: its status and its body as UTF-8 text. */
    record Response(int status, String body) {}

    private AdminClient() {}

    static Response get(URI uri) throws IOException {
        return read(open(uri, "GET"));
    }

    static Response delete(URI uri) throws IOException {
        return read(open(uri, "DELETE"));
    }

    /** Sends {@code body} as UTF-8 text of {@code contentType} with {@code method} (POST, PUT). */
    static Response send(String method, URI uri, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        HttpURLConnection connection = open(uri, method);
        connection.setDoOutput(true);
        connection.setFixedLengthStreamingMode(bytes.length);
        connection.setRequestProperty("Content-Type", contentType);
        try (OutputStream out = connect(connection).getOutputStream()) {
            out.write(bytes);
        }
        return read(connection);
    }

    /** POSTs the file at {@code path}, streamed rather than read into memory first. */
    static Response post(URI uri, String contentType, Path path) throws IOException {
        HttpURLConnection connection = open(uri, "POST");
        connection.setDoOutput(true);
        connection.setFixedLengthStreamingMode(Files.size(path));
        connection.setRequestProperty("Content-Type", contentType);
        try (OutputStream out = connect(connection).getOutputStream()) {
            Files.copy(path, out);
        }
        return read(connection);
    }

    /**
     * A request not yet sent, for a caller that reads the answer as a stream ({@code ferry logs
     * -f}); {@link #connect} sends it. {@link HttpURLConnection#disconnect()} closes it, from any
     * thread.
     */
    static HttpURLConnection open(URI uri, String method) throws IOException {
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
            throw new IOException("admin API URL: " + uri + " (expected: http:// or https://)");
        }
        HttpURLConnection connection = (HttpURLConnection) uri.toURL().openConnection();
        connection.setRequestMethod(method);
        connection.setConnectTimeout(CONNECT_TIMEOUT_MILLIS);
        connection.setUseCaches(false);
        // No "Connection: close": the admin API (the JDK's HttpServer) would then close without
        // reading a body it refuses early, and the reset that unread body causes loses its answer.
        // Each request still has a connection of its own: disconnect() closes it after the answer.
        return connection;
    }

    /** Connects, turning a refused connection into a message that says what to start. */
    static HttpURLConnection connect(HttpURLConnection connection) throws IOException {
        try {
            connection.connect();
            return connection;
        } catch (ConnectException e) {
            throw new IOException(
                    "cannot reach the admin API at " + connection.getURL()
                            + "; is ./ferry dev (or ferry controller) running?",
                    e);
        }
    }

    /** The answer's body, whatever its status: an error's body says what went wrong. */
    static InputStream body(HttpURLConnection connection) throws IOException {
        int status = connect(connection).getResponseCode();
        InputStream body = status >= 400 ? connection.getErrorStream() : connection.getInputStream();
        return body != null ? body : InputStream.nullInputStream();
    }

    private static Response read(HttpURLConnection connection) throws IOException {
        try (InputStream in = body(connection)) {
            return new Response(connection.getResponseCode(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } finally {
            connection.disconnect();
        }
    }
}
