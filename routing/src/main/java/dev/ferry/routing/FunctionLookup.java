package dev.ferry.routing;

/** The answer to "which function is {@code <app>--<function>}?": found, or what was missing. */
public sealed interface FunctionLookup {

    /** The function exists in the app's current version. */
    record Found(DeployedFunction function) implements FunctionLookup {}

    /** No app has that name. */
    record AppNotFound(String app) implements FunctionLookup {}

    /** The app exists but has no function with that name. */
    record FunctionNotFound(String app, String function) implements FunctionLookup {}

    /** Looks {@code function} up in {@code deployment}, the current version of {@code app} or null. */
    static FunctionLookup in(AppDeployment deployment, String app, String function) {
        if (deployment == null) {
            return new AppNotFound(app);
        }
        return deployment
                .function(function)
                .<FunctionLookup>map(Found::new)
                .orElseGet(() -> new FunctionNotFound(app, function));
    }
}
