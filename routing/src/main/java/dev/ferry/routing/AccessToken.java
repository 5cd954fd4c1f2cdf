package dev.ferry.routing;

import dev.ferry.request.protocol.FunctionSettings;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A credential the cluster accepts, as the store keeps it: who it is for, what it may do, and
 * the SHA-256 of its secret, never the secret itself ({@link AccessTokens} makes and checks
 * them). Revoking a token removes its record.
 *
 * @param id the token's public part, {@link AccessTokens#ID_LENGTH} lower-case letters and
 *     digits: the key it is stored under, shown by {@code ferry token ls}
 * @param name what it is for, e.g. "ci" (letters, digits, '.', '_', '-'; at most 64); the
 *     name a function sees as its caller
 * @param scopes what it may do, at least one
 * @param apps the apps a {@link Scope#CALL} token may call; empty for every app
 * @param secretHash the lower-case hex SHA-256 of the token's secret part
 * @param createdAt when it was made
 */
public record AccessToken(
        String id, String name, Set<Scope> scopes, List<String> apps, String secretHash, Instant createdAt) {

    private static final Pattern ID = Pattern.compile("[a-z0-9]{" + AccessTokens.ID_LENGTH + "}");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Pattern HASH = Pattern.compile("[0-9a-f]{64}");

    /**
     * What a token may do. {@link #ADMIN} includes every other scope and {@link #DEPLOY}
     * includes {@link #READ}; {@link #CALL} is apart from the admin API's scopes, so a CI
     * token that deploys cannot call a private endpoint unless it is also given {@code call}.
     */
    public enum Scope {
        /** List apps, routes, scaling and secrets' names; read logs. */
        READ,
        /** Deploy, scale, route; set and remove secrets. */
        DEPLOY,
        /** Make, list and revoke tokens; everything else. */
        ADMIN,
        /** Call endpoints that require authentication ({@code requiresAuth}). */
        CALL;

        /** Its name as written on the command line and in the store: "read", "deploy", "admin", "call". */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        /**
         * Parses a scope's {@link #label}.
         *
         * @throws IllegalArgumentException naming the value and the scopes there are
         */
        public static Scope parse(String label) {
            for (Scope s : values()) {
                if (s.label().equals(label)) {
                    return s;
                }
            }
            throw new IllegalArgumentException("scope: " + (label == null ? "null" : '"' + label + '"')
                    + " (expected: read, deploy, admin or call)");
        }
    }

    public AccessToken {
        if (id == null || !ID.matcher(id).matches()) {
            throw new IllegalArgumentException(
                    "token id: " + id + " (expected: " + AccessTokens.ID_LENGTH + " lower-case letters and digits)");
        }
        checkName(name);
        if (scopes == null || scopes.isEmpty()) {
            throw new IllegalArgumentException("scopes: " + scopes + " (expected: at least one)");
        }
        scopes = Set.copyOf(EnumSet.copyOf(scopes));
        apps = List.copyOf(apps);
        for (String app : apps) {
            FunctionSettings.checkName("app", app);
        }
        if (secretHash == null || !HASH.matcher(secretHash).matches()) {
            throw new IllegalArgumentException("secretHash: expected 64 lower-case hex digits");
        }
        Objects.requireNonNull(createdAt, "createdAt");
    }

    /**
     * Checks a token's name: letters, digits, '.', '_' and '-', starting with a letter or
     * digit, at most 64.
     *
     * @throws IllegalArgumentException naming the value and the rule
     */
    public static String checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("token name: " + (name == null ? "null" : '"' + name + '"')
                    + " (expected: 1-64 letters, digits, '.', '_' and '-', starting with a letter or digit)");
        }
        return name;
    }

    /** Whether this token may act with {@code scope}: it has it, or a scope that includes it. */
    public boolean grants(Scope scope) {
        return scopes.contains(scope)
                || scopes.contains(Scope.ADMIN)
                || (scope == Scope.READ && scopes.contains(Scope.DEPLOY));
    }

    /** Whether this token may call the endpoints of {@code app} that require authentication. */
    public boolean mayCall(String app) {
        return grants(Scope.CALL) && (apps.isEmpty() || apps.contains(app));
    }

    /** The id, name, scopes and apps; never the hash. */
    @Override
    public String toString() {
        return "token " + id + " (" + name + ", "
                + scopes.stream().map(Scope::label).sorted().toList() + (apps.isEmpty() ? "" : ", apps " + apps) + ")";
    }
}
