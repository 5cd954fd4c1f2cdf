package dev.ferry.routing;

import java.util.Locale;
import java.util.regex.Pattern;

/** Checks of custom route hosts (their targets are {@link dev.ferry.request.protocol.FunctionId}s). */
public final class Routes {

    private static final Pattern HOST = Pattern.compile(
            "(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");

    private Routes() {}

    /** {@code host} in the form routes are kept in: lowercase, without a port or a trailing dot. */
    public static String normalizeHost(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (!h.startsWith("[")) {
            int colon = h.lastIndexOf(':');
            if (colon >= 0) {
                h = h.substring(0, colon);
            }
        }
        return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
    }

    /** @throws IllegalArgumentException unless {@code host} is a lowercase DNS name without a port */
    public static void checkHost(String host) {
        if (host == null || !HOST.matcher(host).matches()) {
            throw new IllegalArgumentException("route host: " + (host == null ? null : '"' + host + '"')
                    + " (expected: a lowercase DNS name like api.example.com, without a port)");
        }
    }
}
