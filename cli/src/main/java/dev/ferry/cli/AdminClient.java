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
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * Calls a controller's admin API with a token ({@code Authorization: Bearer}), one request per
 * connection. Blocking; not for sharing between threads.
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
    record Response(int status, String body) {

        /**
         * What a command that changes one thing prints: the answer's line on stdout when it is
         * 200 (exit code 0), else {@code ferry <command>: <the answer>} on stderr (1).
         */
        int print(String command) {
            if (status != 200) {
                System.err.print("ferry " + command + ": " + body);
                return 1;
            }
            System.out.print(body);
            return 0;
        }
    }

    private final String baseUrl;
    /** Null when none was found: the API's 401 then says where a token comes from. */
    private final String token;

    private final Path authority;

    /**
     * A client of the API at {@code baseUrl} (no trailing slash) that sends {@code token},
     * or none when it is null.
     */
    AdminClient(String baseUrl, String token) {
        this(baseUrl, token, null);
    }

    /**
     * A client that, over HTTPS, also trusts the certificate authority in {@code authority}
     * (the home's local one, which {@code ferry dev} and {@code ferry controller
     * --admin-tls-local} sign the admin API's certificate with), or only the JVM's when null.
     */
    AdminClient(String baseUrl, String token, Path authority) {
        this.baseUrl = baseUrl;
        this.token = token;
        this.authority = authority;
    }

    /** The API's base URL, for messages. */
    String baseUrl() {
        return baseUrl;
    }

    Response get(String path) throws IOException {
        return read(open(path, "GET"));
    }

    Response delete(String path) throws IOException {
        return read(open(path, "DELETE"));
    }

    /** Sends {@code body} as UTF-8 text of {@code contentType} with {@code method} (POST, PUT). */
    Response send(String method, String path, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        HttpURLConnection connection = open(path, method);
        connection.setDoOutput(true);
        connection.setFixedLengthStreamingMode(bytes.length);
        connection.setRequestProperty("Content-Type", contentType);
        try (OutputStream out = connect(connection).getOutputStream()) {
            out.write(bytes);
        }
        return read(connection);
    }

    /** POSTs the file at {@code path}, streamed rather than read into memory first. */
    Response post(String path, String contentType, Path file) throws IOException {
        HttpURLConnection connection = open(path, "POST");
        connection.setDoOutput(true);
        connection.setFixedLengthStreamingMode(Files.size(file));
        connection.setRequestProperty("Content-Type", contentType);
        try (OutputStream out = connect(connection).getOutputStream()) {
            Files.copy(file, out);
        }
        return read(connection);
    }

    /**
     * A request not yet sent, for a caller that reads the answer as a stream ({@code ferry logs
     * -f}); {@link #connect} sends it. {@link HttpURLConnection#disconnect()} closes it, from any
     * thread.
     */
    HttpURLConnection open(String path, String method) throws IOException {
        URI uri = URI.create(baseUrl + path);
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
            throw new IOException("admin API URL: " + uri + " (expected: http:// or https://)");
        }
        HttpURLConnection connection = (HttpURLConnection) uri.toURL().openConnection();
        connection.setRequestMethod(method);
        connection.setConnectTimeout(CONNECT_TIMEOUT_MILLIS);
        connection.setUseCaches(false);
        if (token != null) {
            connection.setRequestProperty("Authorization", "Bearer " + token);
        }
        if (authority != null && connection instanceof HttpsURLConnection https) {
            https.setSSLSocketFactory(trusting(authority));
        }
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

    /** Sockets that trust the JVM's authorities and the one in {@code file}. */
    private static SSLSocketFactory trusting(Path file) throws IOException {
        try {
            KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
            trusted.load(null, null);
            TrustManagerFactory defaults = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            defaults.init((KeyStore) null);
            int n = 0;
            for (TrustManager m : defaults.getTrustManagers()) {
                if (m instanceof X509TrustManager x509) {
                    for (X509Certificate c : x509.getAcceptedIssuers()) {
                        trusted.setCertificateEntry("jvm-" + n++, c);
                    }
                }
            }
            try (InputStream in = Files.newInputStream(file)) {
                for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                    trusted.setCertificateEntry("local-" + n++, c);
                }
            }
            TrustManagerFactory all = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            all.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, all.getTrustManagers(), null);
            return context.getSocketFactory();
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot trust the local authority in " + file + ": " + e.getMessage(), e);
        }
    }

    private static Response read(HttpURLConnection connection) throws IOException {
        try (InputStream in = body(connection)) {
            return new Response(connection.getResponseCode(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } finally {
            connection.disconnect();
        }
    }
}
