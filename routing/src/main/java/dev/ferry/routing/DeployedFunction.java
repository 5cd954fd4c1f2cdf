package dev.ferry.routing;

import dev.ferry.request.protocol.FunctionSettings;
import java.nio.file.Path;
import java.util.Objects;

/**
 * One function of a deployed app version: what a gateway routes to and a worker runs.
 *
 * @param app the app's name
 * @param version the app version this function belongs to
 * @param className the user's class that implements it
 * @param jar the app's jar
 * @param settings its settings
 */
public record DeployedFunction(String app, String version, String className, Path jar, FunctionSettings settings) {

    public DeployedFunction {
        Objects.requireNonNull(app, "app");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(className, "className");
        Objects.requireNonNull(jar, "jar");
        Objects.requireNonNull(settings, "settings");
        FunctionSettings.checkName("app", app);
    }

    /** The function id, {@code <app>--<function>}. On the request path: no validation here. */
    public String id() {
        return app + "--" + settings.name();
    }
}
