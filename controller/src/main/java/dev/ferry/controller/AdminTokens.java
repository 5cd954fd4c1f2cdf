package dev.ferry.controller;

import dev.ferry.routing.AccessToken.Scope;
import dev.ferry.routing.AccessTokens;
import dev.ferry.routing.RoutingStore;
import dev.ferry.routing.StoreUnavailableException;
import java.time.Clock;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;

/** The first admin token of a cluster, so its operators are never locked out of a new one. */
final class AdminTokens {

    private static final System.Logger logger = System.getLogger(AdminTokens.class.getName());

    private AdminTokens() {}

    /**
     * Makes an admin token named {@code bootstrap-<controller>} when {@code store} holds no
     * admin token; empty when it holds one, or when the store is down (the next start tries
     * again). Several controllers starting at once on an empty store may each make one: each
     * is a valid token, and an operator revokes the spares.
     */
    static Optional<AccessTokens.Issued> bootstrap(RoutingStore store, String controllerId, Clock clock) {
        if (store.tokens().stream().anyMatch(t -> t.grants(Scope.ADMIN))) {
            return Optional.empty();
        }
        String name = ("bootstrap-" + controllerId).replaceAll("[^A-Za-z0-9._-]", "-");
        AccessTokens.Issued issued = AccessTokens.issue(
                name.length() > 64 ? name.substring(0, 64) : name, EnumSet.of(Scope.ADMIN), List.of(), clock.instant());
        try {
            store.putToken(issued.token());
        } catch (StoreUnavailableException e) {
            logger.log(System.Logger.Level.WARNING, "no admin token yet, and cannot make one: " + e.getMessage());
            return Optional.empty();
        }
        logger.log(System.Logger.Level.INFO, "made the first admin token: " + issued.token());
        return Optional.of(issued);
    }
}
