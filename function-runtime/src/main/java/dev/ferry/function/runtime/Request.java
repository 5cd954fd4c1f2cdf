package dev.ferry.function.runtime;

import dev.ferry.request.protocol.Header;
import dev.ferry.request.protocol.HttpScope;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * An HTTP request as a simple handler sees it. The body is read once, as a stream; not
 * thread-safe (it belongs to the input's thread).
 */
public final class Request {

    private final HttpScope scope;
    private final InputStream body;

    Request(HttpScope scope, InputStream body) {
        this.scope = scope;
        this.body = body;
    }

    /** The full ASGI scope. */
    public HttpScope scope() {
        return scope;
    }

    /** The method, upper case. */
    public String method() {
        return scope.getMethod();
    }

    /** The percent-decoded path. */
    public String path() {
        return scope.getPath();
    }

    /** The query string as received (still percent-encoded), without '?'; "" when none. */
    public String query() {
        return scope.getQueryString().toString(StandardCharsets.ISO_8859_1);
    }

    /** The first value of query parameter {@code name}, form-decoded. */
    public Optional<String> queryParam(String name) {
        for (String pair : query().split("&")) {
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            if (decode(key).equals(name)) {
                return Optional.of(eq < 0 ? "" : decode(pair.substring(eq + 1)));
            }
        }
        return Optional.empty();
    }

    /**
     * The name of the access token the caller presented, for a function with {@code
     * requiresAuth}; empty for a public function. The token itself never reaches the function.
     */
    public Optional<String> caller() {
        return scope.getCaller().isEmpty() ? Optional.empty() : Optional.of(scope.getCaller());
    }

    /** The first value of header {@code name} (case-insensitive). */
    public Optional<String> header(String name) {
        List<String> values = headers(name);
        return values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    /** Every value of header {@code name} (case-insensitive), in the order received. */
    public List<String> headers(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        List<String> values = new ArrayList<>(1);
        for (Header header : scope.getHeadersList()) {
            if (header.getName().toString(StandardCharsets.ISO_8859_1).equals(lower)) {
                values.add(header.getValue().toString(StandardCharsets.ISO_8859_1));
            }
        }
        return values;
    }

    /**
     * The body as it arrives. Reads block until the next chunk; they throw an
     * {@link IOException} when the client has gone away.
     */
    public InputStream body() {
        return body;
    }

    /** Reads the whole body into memory. */
    public byte[] bodyBytes() {
        try {
            return body.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads the whole body as UTF-8 text. */
    public String bodyText() {
        return new String(bodyBytes(), StandardCharsets.UTF_8);
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s; // a malformed escape is left as written rather than failing the request
        }
    }
}
