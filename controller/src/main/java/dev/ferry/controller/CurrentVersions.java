package dev.ferry.controller;

import dev.ferry.routing.DeployedFunction;
import dev.ferry.routing.RoutingStore;
import java.util.Optional;

/** Which function versions are current: those of each app's latest deploy. */
final class CurrentVersions {

    private CurrentVersions() {}

    /** The function {@code functionId} if {@code version} is its app's current version. */
    static Optional<DeployedFunction> function(RoutingStore store, String functionId, String version) {
        int sep = functionId.indexOf("--");
        return store.app(functionId.substring(0, sep))
                .filter(app -> app.version().equals(version))
                .flatMap(app -> app.function(functionId.substring(sep + 2)));
    }
}
