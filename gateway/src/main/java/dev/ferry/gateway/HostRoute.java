package dev.ferry.gateway;

import dev.ferry.request.protocol.FunctionId;
import dev.ferry.routing.Routes;
import dev.ferry.routing.RoutingStore;
import java.util.Locale;
import java.util.Optional;

/** The function a Host header names: {@code <app>--<function>.<domain>[:port]}, or a custom route. */
final class HostRoute {

    private HostRoute() {}

    /**
     * Where a request for {@code host} goes: the custom route of that host in {@code store}
     * if it has one, else {@link #parse}. A map lookup in the store's copy, never I/O.
     */
    static Optional<FunctionId> resolve(String host, String domain, RoutingStore store) {
        String normalized = Routes.normalizeHost(host);
        Optional<FunctionId> custom = store.route(normalized);
        return custom.isPresent() ? custom : parse(normalized, domain);
    }

    /**
     * Parses {@code host} for {@code domain}; empty when the host is not of that form
     * (another domain, a bare domain, a label that is no function id).
     */
    static Optional<FunctionId> parse(String host, String domain) {
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
        return FunctionId.tryParse(h.substring(0, h.length() - suffix.length()));
    }
}
