package dev.ferry.gateway;

import dev.ferry.routing.RoutingStore;
import dev.ferry.routing.Routes;
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
     * Where a request for {@code host} goes: the custom route of that host in {@code store}
     * if it has one, else {@link #parse}. A map lookup in the store's copy, never I/O.
     */
    static Optional<HostRoute> resolve(String host, String domain, RoutingStore store) {
        String normalized = Routes.normalizeHost(host);
        Optional<String> custom = store.route(normalized);
        if (custom.isPresent()) {
            String id = custom.get();
            int sep = id.indexOf("--");
            return Optional.of(new HostRoute(id.substring(0, sep), id.substring(sep + 2)));
        }
        return parse(normalized, domain);
    }

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
