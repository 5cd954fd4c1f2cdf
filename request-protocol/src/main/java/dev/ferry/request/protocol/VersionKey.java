package dev.ferry.request.protocol;

import java.util.Objects;

/**
 * One function at one app version: {@code <app>--<function>@<version>}, the key the
 * platform keeps per-version state under (scale overrides and decisions in the store, demand,
 * crash back-off, autoscaling history, a gateway's pools). Equal by value, usable as a map key;
 * ordered by function, then version.
 *
 * @param function the function
 * @param version the app version, e.g. {@code v3}: 1-64 letters, digits, '.', '_' and '-',
 *     starting with a letter or a digit
 */
public record VersionKey(FunctionId function, String version) implements Comparable<VersionKey> {

    private static final char SEPARATOR = '@';
    private static final String VERSION_RULE =
            "1-64 letters, digits, '.', '_' and '-', starting with a letter or a digit";

    public VersionKey {
        Objects.requireNonNull(function, "function");
        if (!isVersion(version)) {
            throw new IllegalArgumentException("version: " + (version == null ? "null" : '"' + version + '"')
                    + " (expected: " + VERSION_RULE + ", e.g. \"v3\")");
        }
    }

    /**
     * {@code function} at {@code version}.
     *
     * @throws IllegalArgumentException naming the version, unless it is one
     */
    public static VersionKey of(FunctionId function, String version) {
        return new VersionKey(function, version);
    }

    /**
     * Parses {@code <app>--<function>@<version>}.
     *
     * @throws IllegalArgumentException naming the text and the form expected
     */
    public static VersionKey parse(String text) {
        int at = text == null ? -1 : text.indexOf(SEPARATOR);
        if (at >= 0) {
            var function = FunctionId.tryParse(text.substring(0, at));
            String version = text.substring(at + 1);
            if (function.isPresent() && isVersion(version)) {
                return new VersionKey(function.get(), version);
            }
        }
        throw new IllegalArgumentException("version key: " + (text == null ? "null" : '"' + text + '"')
                + " (expected: app--function@version, e.g. \"shop--cart@v3\")");
    }

    /** By function ({@link FunctionId#compareTo}), then version. */
    @Override
    public int compareTo(VersionKey other) {
        int byFunction = function.compareTo(other.function);
        return byFunction != 0 ? byFunction : version.compareTo(other.version);
    }

    /** {@code <app>--<function>@<version>}, e.g. {@code shop--cart@v3}: the form stores keep it in. */
    @Override
    public String toString() {
        return function.toString() + SEPARATOR + version;
    }

    private static boolean isVersion(String version) {
        int n = version == null ? 0 : version.length();
        if (n == 0 || n > 64 || !Character.isLetterOrDigit(version.charAt(0))) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = version.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || c == '.'
                    || c == '_'
                    || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
