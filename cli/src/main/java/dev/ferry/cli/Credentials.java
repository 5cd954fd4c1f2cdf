package dev.ferry.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The admin tokens the {@code ferry} commands send, one per controller URL, kept in
 * {@code <home>/credentials} (readable by its owner only): one line per controller,
 * {@code <admin URL> <token>}; lines starting with '#' are comments. {@code $FERRY_TOKEN}
 * overrides it. {@code ferry dev} and a controller that made a cluster's first admin token
 * write theirs here, so the commands find it with nothing more to do.
 */
record Credentials(Path file, Map<String, String> tokens) {

    /** The environment variable that gives the token instead of the file. */
    static final String ENV = "FERRY_TOKEN";

    static Path file(Path home) {
        return home.resolve("credentials");
    }

    /** The home's credentials; none when the file does not exist. */
    static Credentials read(Path home) throws IOException {
        Path file = file(home);
        Map<String, String> tokens = new LinkedHashMap<>();
        try {
            List<String> lines = Files.readAllLines(file);
            for (int i = 0; i < lines.size(); i++) {
                String l = lines.get(i).strip();
                if (l.isEmpty() || l.startsWith("#")) {
                    continue;
                }
                String[] parts = l.split("\\s+");
                if (parts.length != 2) {
                    // Says where, not what: the line may hold a token.
                    throw new IOException(file + ", line " + (i + 1) + ": not \"<admin URL> <token>\"");
                }
                tokens.put(normalize(parts[0]), parts[1]);
            }
        } catch (NoSuchFileException e) {
            // no credentials yet
        }
        return new Credentials(file, tokens);
    }

    /** The token kept for the admin API at {@code url}. */
    Optional<String> token(String url) {
        return Optional.ofNullable(tokens.get(normalize(url)));
    }

    /**
     * Keeps {@code token} for {@code url} in the home's credentials, replacing the one kept for
     * that URL; the file is replaced whole and readable by its owner only.
     */
    static void save(Path home, String url, String token) throws IOException {
        Credentials current = read(home);
        Map<String, String> tokens = new LinkedHashMap<>(current.tokens());
        tokens.put(normalize(url), token);
        StringBuilder text = new StringBuilder("# ferry admin tokens: <admin URL> <token> (keep this file private)\n");
        tokens.forEach((u, t) -> text.append(u).append(' ').append(t).append('\n'));
        Files.createDirectories(home);
        Path tmp = Files.createTempFile(
                home,
                "credentials",
                ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.writeString(tmp, text);
            Files.move(tmp, current.file(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static String normalize(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    /** The URLs only: never print the tokens. */
    @Override
    public String toString() {
        return "credentials " + file + " for " + tokens.keySet();
    }
}
