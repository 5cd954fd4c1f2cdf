package dev.ferry.perf.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A token the bench sends as {@code Authorization: Bearer <token>}: to the admin API of a
 * {@code ferry dev} or controller it started, the admin token that process made at its start
 * and saved in {@code <its home>/credentials} before announcing itself ({@link #read}); to a
 * function with {@code requiresAuth}, a call token it made through {@code POST /v1/tokens}
 * ({@link #issued}). That file has a line
 * {@code <admin URL> <token>} per controller; lines starting with '#' are comments (the CLI's
 * {@code Credentials} writes it). {@link #toString()} never shows the secret. Immutable.
 */
final class BearerToken {

    /** The file in a Ferry home that holds its admin tokens. */
    static final String FILE = "credentials";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String secret;
    private final String source;

    private BearerToken(String secret, String source) {
        this.secret = secret;
        this.source = source;
    }

    /** A token given as text; {@code source} says where it came from (never the text). */
    static BearerToken of(String secret, String source) {
        if (secret.isBlank() || secret.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("token from " + source + ": blank or with spaces");
        }
        return new BearerToken(secret, source);
    }

    /**
     * The token for {@code adminUrl} in {@code home}'s credentials file.
     *
     * @throws IOException when the file is missing, unreadable or malformed, or holds no token
     *     for {@code adminUrl} (the message says which file and which URLs it has)
     */
    static BearerToken read(Path home, String adminUrl) throws IOException {
        Path file = home.resolve(FILE);
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (NoSuchFileException e) {
            throw new IOException("no admin token: " + file + " does not exist (the ferry dev or controller started"
                    + " with this home writes its admin token there before it says it is up; a build from before"
                    + " access tokens writes none)");
        }
        return new BearerToken(find(parse(lines, file.toString()), adminUrl, file.toString()), file.toString());
    }

    /**
     * The tokens of a credentials file's {@code lines}, by admin URL (without a trailing '/'),
     * in file order; blank lines and '#' comments skipped.
     *
     * @throws IOException when a line is not {@code <admin URL> <token>} (the message names the
     *     line, never a token)
     */
    static Map<String, String> parse(List<String> lines, String file) throws IOException {
        Map<String, String> tokens = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] parts = line.split("\\s+");
            if (parts.length != 2) {
                throw new IOException(file + " line " + (i + 1) + ": " + parts.length
                        + " fields (expected: \"<admin URL> <token>\")");
            }
            tokens.put(normalize(parts[0]), parts[1]);
        }
        return tokens;
    }

    /**
     * The token kept for {@code adminUrl}; where none is, but the file holds exactly one token,
     * that one (the process's only controller, reached by another name such as localhost).
     *
     * @throws IOException when there is no token, or several and none for {@code adminUrl}
     */
    static String find(Map<String, String> tokens, String adminUrl, String file) throws IOException {
        String token = tokens.get(normalize(adminUrl));
        if (token != null) {
            return token;
        }
        if (tokens.size() == 1) {
            return tokens.values().iterator().next();
        }
        throw new IOException("no admin token for " + adminUrl + " in " + file
                + (tokens.isEmpty() ? " (it holds none)" : " (it holds tokens for " + tokens.keySet() + " only)"));
    }

    private static String normalize(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    /** {@code request} with this token's {@code Authorization} header. */
    HttpRequest.Builder authorize(HttpRequest.Builder request) {
        return request.header("Authorization", bearer());
    }

    /** The value of the {@code Authorization} header: {@code Bearer <token>}. */
    String bearer() {
        return "Bearer " + secret;
    }

    /** A token that {@code POST /v1/tokens} made: its id (for {@code DELETE /v1/tokens/ID}) and its whole text. */
    record Issued(String id, String name, BearerToken token) {

        /** The secret stays out of logs and reports. */
        @Override
        public String toString() {
            return "token " + id + " (" + name + ")";
        }
    }

    /**
     * The token in an answer of {@code POST /v1/tokens} ({@code {"id": ..., "name": ...,
     * "token": ...}}).
     *
     * @throws IOException when the answer is not such an object (the message leaves out the secret)
     */
    static Issued issued(String body) throws IOException {
        JsonNode n;
        try {
            n = JSON.readTree(body);
        } catch (IOException e) {
            throw new IOException("POST /v1/tokens answered something other than JSON", e);
        }
        if (n == null
                || !n.path("id").isTextual()
                || !n.path("token").isTextual()
                || n.path("token").textValue().isBlank()) {
            throw new IOException("POST /v1/tokens answered no \"id\" and \"token\" (fields: "
                    + (n == null ? "none" : iterable(n.fieldNames())) + ")");
        }
        String id = n.get("id").textValue();
        String name = n.path("name").asText(id);
        return new Issued(id, name, of(n.get("token").textValue(), "POST /v1/tokens (" + id + ")"));
    }

    private static List<String> iterable(java.util.Iterator<String> names) {
        List<String> all = new java.util.ArrayList<>();
        names.forEachRemaining(all::add);
        return all;
    }

    /** Where the token came from; never the secret. */
    @Override
    public String toString() {
        return "token from " + source;
    }
}
