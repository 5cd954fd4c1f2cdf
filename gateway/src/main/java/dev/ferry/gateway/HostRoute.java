package dev.ferry.gateway;

import java.util.Locale;
import java.util.Optional;

/**
 * A function address taken from a Host header: {@code <app>--<function>.<domain>[:port]}.
 *
 * @param app the app's name
 * @param function the function's name
 */
record HostRoute(String app, String function) {

    /**
     * Parses {@code host} for {@code domain}; empty when the host is not of that form
     * (another domain, no "--", a bare domain).
     */
    static Optional<HostRoute> parse(String host, String domain) {
        String h = host.toLowerCase(Locale.ROOT);
        int colon = h.lastIndexOf(':');
        if (colon >= 0 && h.indexOf(']') < colon) {
            h = h.substring(0, colon);
        }
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1); // a fully qualified name
        }
        String suffix = "." + domain.toLowerCase(Locale.ROOT);
        if (!h.endsWith(suffix)) {
            return Optional.empty();
        }
        String label = h.substring(0, h.length() - suffix.length());
        int sep = label.indexOf("--");
        if (label.indexOf('.') >= 0 || sep <= 0 || sep + 2 >= label.length()) {
            return Optional.empty();
        }
        return Optional.of(new HostRoute(label.substring(0, sep), label.substring(sep + 2)));
    }
}
