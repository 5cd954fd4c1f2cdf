package dev.ferry.routing;

import dev.ferry.routing.AccessToken.Scope;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Makes tokens and checks presented ones against the store's copy: a map lookup by id and one
 * SHA-256, no I/O, so a gateway checks every call in microseconds and goes on checking while
 * Redis is down.
 *
 * <p>A token is written {@code ferry_<id>_<secret>}: {@link #ID_LENGTH} characters of id (the
 * record's key, not secret) and 43 of secret (32 random bytes, base64url). Split, the id is
 * the key and the secret the secret of the {@code Ferry-Key}/{@code Ferry-Secret} header pair.
 * The secret is random and long, so a plain SHA-256 is enough to keep it from the store's
 * readers (no salt or slow hash: there is nothing to guess), and the hash is compared in
 * constant time.
 */
public final class AccessTokens {

    /** Characters in a token's id. */
    public static final int ID_LENGTH = 12;
    /** What every token starts with, so it is recognisable in a leaked file or a scanner's rule. */
    public static final String PREFIX = "ferry_";

    private static final String ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
    private static final int SECRET_BYTES = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A token just made: its record for the store, and the whole token to show once. */
    public record Issued(AccessToken token, String secret) {
        @Override
        public String toString() {
            return token.toString();
        }
    }

    private AccessTokens() {}

    /**
     * A new token with a random id and secret.
     *
     * @throws IllegalArgumentException if the name, scopes or apps are not valid
     */
    public static Issued issue(String name, Set<Scope> scopes, List<String> apps, Instant now) {
        StringBuilder id = new StringBuilder(ID_LENGTH);
        for (int i = 0; i < ID_LENGTH; i++) {
            id.append(ID_ALPHABET.charAt(RANDOM.nextInt(ID_ALPHABET.length())));
        }
        byte[] bytes = new byte[SECRET_BYTES];
        RANDOM.nextBytes(bytes);
        String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        AccessToken token = new AccessToken(id.toString(), name, scopes, apps, hash(secret), now);
        return new Issued(token, PREFIX + id + "_" + secret);
    }

    /**
     * The token in {@code store} that {@code presented} ({@code ferry_<id>_<secret>}) is, if
     * any: empty for a malformed text, an unknown or revoked id, or a wrong secret (the caller
     * cannot tell which, on purpose).
     */
    public static Optional<AccessToken> verify(RoutingStore store, String presented) {
        if (presented == null
                || presented.length() != PREFIX.length() + ID_LENGTH + 1 + 43
                || !presented.startsWith(PREFIX)
                || presented.charAt(PREFIX.length() + ID_LENGTH) != '_') {
            return Optional.empty();
        }
        return verify(
                store,
                presented.substring(PREFIX.length(), PREFIX.length() + ID_LENGTH),
                presented.substring(PREFIX.length() + ID_LENGTH + 1));
    }

    /** The token with {@code id} whose secret is {@code secret}, if any (the header pair's form). */
    public static Optional<AccessToken> verify(RoutingStore store, String id, String secret) {
        if (id == null || secret == null || id.length() != ID_LENGTH) {
            return Optional.empty();
        }
        Optional<AccessToken> token = store.token(id);
        byte[] expected = token.map(t -> t.secretHash().getBytes(StandardCharsets.US_ASCII))
                .orElse(UNKNOWN);
        // Hashed and compared whether or not the id exists, so timing does not tell ids apart.
        boolean match = MessageDigest.isEqual(expected, hash(secret).getBytes(StandardCharsets.US_ASCII));
        return match && token.isPresent() ? token : Optional.empty();
    }

    /** The lower-case hex SHA-256 of {@code secret}'s UTF-8 bytes. */
    static String hash(String secret) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(sha256.digest(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JDK has SHA-256", e);
        }
    }

    private static final byte[] UNKNOWN = "0".repeat(64).getBytes(StandardCharsets.US_ASCII);
}
