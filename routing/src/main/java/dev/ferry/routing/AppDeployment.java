package dev.ferry.routing;

import dev.ferry.request.protocol.FunctionSettings;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One deployed version of an app.
 *
 * @param app the app's name
 * @param version an id unique among this app's deployments
 * @param functions its functions, sorted by name
 * @param deployedAt when it was deployed
 */
public record AppDeployment(String app, String version, List<DeployedFunction> functions, Instant deployedAt) {

    public AppDeployment {
        FunctionSettings.checkName("app", app);
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(deployedAt, "deployedAt");
        functions = List.copyOf(functions);
        for (DeployedFunction function : functions) {
            if (!function.app().equals(app) || !function.version().equals(version)) {
                throw new IllegalArgumentException("function " + function.id() + " version " + function.version()
                        + " (expected: app " + app + " version " + version + ")");
            }
        }
    }

    /** The function named {@code name}. */
    public Optional<DeployedFunction> function(String name) {
        return functions.stream().filter(f -> f.settings().name().equals(name)).findFirst();
    }
}
