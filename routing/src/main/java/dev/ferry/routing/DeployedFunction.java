package dev.ferry.routing;

import dev.ferry.request.protocol.FunctionId;
import dev.ferry.request.protocol.FunctionSettings;
import dev.ferry.request.protocol.VersionKey;
import java.nio.file.Path;
import java.util.Objects;

/**
 * One function of a deployed app version: what a gateway routes to and a worker runs.
 *
 * @param app the app's name
 * @param version the app version this function belongs to
 * @param className the user's class that implements it
 * @param jar where the app's jar was stored by the controller that deployed it (a worker on
 *     another machine fetches it from the store by {@code jarDigest} instead)
 * @param jarDigest the SHA-256 of the jar's bytes, lowercase hex; its key in {@link RoutingStore#jar}
 * @param settings its settings
 */
public record DeployedFunction(
        String app, String version, String className, Path jar, String jarDigest, FunctionSettings settings) {

    public DeployedFunction {
        Objects.requireNonNull(app, "app");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(className, "className");
        Objects.requireNonNull(jar, "jar");
        Objects.requireNonNull(jarDigest, "jarDigest");
        Objects.requireNonNull(settings, "settings");
        FunctionSettings.checkName("app", app);
    }

    /** The function id, {@code <app>--<function>}. */
    public FunctionId id() {
        return FunctionId.of(app, settings.name());
    }

    /** This function at its version: what a gateway's pool and the controller's decisions are kept by. */
    public VersionKey versionKey() {
        return VersionKey.of(id(), version);
    }
}
