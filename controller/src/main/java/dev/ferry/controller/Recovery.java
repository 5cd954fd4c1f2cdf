package dev.ferry.controller;

import dev.ferry.request.protocol.FunctionId;
import dev.ferry.routing.AccessToken;
import dev.ferry.routing.AppDeployment;
import dev.ferry.routing.AppJars;
import dev.ferry.routing.DeployedFunction;
import dev.ferry.routing.FunctionSecret;
import dev.ferry.routing.RoutingStore;
import dev.ferry.routing.StoreUnavailableException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Recovers from a store that lost its data: keeps a copy of every deployed jar while all is
 * well, and after a loss writes back the apps, jars, routes, tokens and secrets this controller knew. Lettuce
 * reconnects its connections one by one, so the first writes after a loss may still find one
 * of them down: the restore is retried until every write went through. Controller thread only.
 */
final class Recovery {

    private static final System.Logger logger = System.getLogger(Recovery.class.getName());

    private final RoutingStore store;
    private final AppJars jars;
    private final StoreWrites writes;
    /** A restore after a data loss that has not gone through yet. */
    private boolean pending;

    Recovery(RoutingStore store, AppJars jars, StoreWrites writes) {
        this.store = store;
        this.jars = jars;
        this.writes = writes;
    }

    /**
     * Keeps a copy of every jar of {@code deployment}: if the store loses its data after the
     * deploying controller is gone, this one can still write the jar back.
     */
    void keepJars(AppDeployment deployment) {
        deployment.functions().forEach(f -> {
            try {
                jars.localJar(f);
            } catch (IOException | StoreUnavailableException e) {
                writes.warnOnce(
                        "jar:" + f.jarDigest(),
                        "cannot keep a copy of the jar of " + f.id() + " " + f.version() + ": " + e.getMessage());
            }
        });
    }

    /** The store came back empty: writes back what this controller knew, now or on a later {@link #retry}. */
    void dataLost() {
        logger.log(
                System.Logger.Level.WARNING,
                store.describe() + " lost its data; restoring " + store.apps().size() + " apps and "
                        + store.routes().size() + " routes");
        pending = true;
        retry();
    }

    /** Retries a restore that has not gone through yet; does nothing otherwise. */
    void retry() {
        if (pending && restore()) {
            pending = false;
            logger.log(
                    System.Logger.Level.INFO,
                    "restored the apps, jars, routes, tokens and secrets in " + store.describe());
        }
    }

    /** Writes back the apps, jars, routes, tokens and secrets this controller knows; true when every write went through. */
    private boolean restore() {
        List<AppDeployment> apps = store.apps();
        Map<String, FunctionId> routes = store.routes();
        boolean done = true;
        for (AppDeployment app : apps) {
            for (DeployedFunction f : app.functions()) {
                Optional<Path> jar = jars.localCopy(f);
                if (jar.isEmpty()) {
                    writes.warnOnce(
                            "no-jar:" + f.jarDigest(),
                            "no copy of the jar of " + f.id() + " " + f.version() + " (" + f.jarDigest()
                                    + ") here to write back; workers that have it write it back, others cannot start it");
                    continue;
                }
                done &= writes.write(() -> {
                    try {
                        store.putJar(f.jarDigest(), Files.readAllBytes(jar.get()));
                    } catch (IOException e) {
                        logger.log(System.Logger.Level.ERROR, "cannot read " + jar.get() + " to write it back: " + e);
                    }
                });
            }
            done &= writes.write(() -> store.deploy(app));
        }
        for (Map.Entry<String, FunctionId> route : routes.entrySet()) {
            done &= writes.write(() -> store.putRoute(route.getKey(), route.getValue()));
        }
        // Without them every client and caller would be locked out; a token revoked before
        // the loss is not in the copy, so it stays revoked.
        for (AccessToken token : store.tokens()) {
            done &= writes.write(() -> store.putToken(token));
        }
        // Still sealed: the controller writes back what it copied, and never opens a value.
        for (FunctionSecret secret : store.secrets()) {
            done &= writes.write(() -> store.putSecret(secret));
        }
        return done;
    }
}
