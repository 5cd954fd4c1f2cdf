package dev.ferry.controller;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.autoscaler.AutoscalerSettings;
import dev.ferry.request.protocol.FunctionSettings;
import dev.ferry.routing.AppJars;
import dev.ferry.routing.AppDeployment;
import dev.ferry.routing.DeployedFunction;
import dev.ferry.routing.ScaleOverride;
import dev.ferry.routing.ScaleStatus;
import dev.ferry.routing.ContainerLogs;
import dev.ferry.routing.RoutingStore;
import dev.ferry.routing.Routes;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The controller role: the {@link Controller} loop, the {@link AppDeployer} and the admin
 * API that {@code ferry deploy}, {@code ferry ls} and {@code ferry route} talk to. Any
 * controller, leader or standby, takes deploys: a deploy is a write to the store.
 */
public final class ControllerRole implements AutoCloseable {

    /** Told after each deploy; the dev stack reissues its local certificate before answering. */
    public interface AfterDeploy {
        void deployed(AppDeployment deployment) throws IOException;
    }

    /** Makes a function's public URL. */
    public interface FunctionUrls {
        String of(String functionId);
    }

    private final RoutingStore store;
    private final Controller controller;
    private final AppDeployer deployer;
    private final ControllerRole.FunctionUrls urls;
    private final AfterDeploy afterDeploy;
    private final AdminServer admin;
    private final ContainerLogs logs;
    private final Clock clock;
    private final ControllerTimings timings;

    public ControllerRole(RoutingStore store, String id, Path home, String adminHost, int adminPort, Clock clock,
                   ControllerTimings timings, ControllerRole.FunctionUrls urls, AfterDeploy afterDeploy, ContainerLogs logs) throws IOException {
        this.store = store;
        this.logs = logs; // the caller's to close; the admin API reads container output from it
        this.clock = clock;
        this.timings = timings;
        this.urls = urls;
        this.afterDeploy = afterDeploy;
        this.deployer = new AppDeployer(store, home.resolve("apps"), clock);
        this.controller = new Controller(store, id, clock, timings, new AppJars(store, home.resolve("jars")));
        controller.start();
        try {
            this.admin = new AdminServer(this, adminHost, adminPort);
        } catch (IOException | RuntimeException e) {
            controller.close();
            throw e;
        }
    }

    public int adminPort() {
        return admin.port();
    }

    Controller controller() {
        return controller;
    }

    RoutingStore store() {
        return store;
    }

    Clock clock() {
        return clock;
    }

    ContainerLogs logs() {
        return logs;
    }

    /** Deploys {@code jar}; see {@link AppDeployer#deploy}. */
    public AppDeployment deploy(Path jar, Optional<String> name, String fileName) throws IOException {
        AppDeployment deployment = deployer.deploy(jar, name, fileName);
        afterDeploy.deployed(deployment);
        return deployment;
    }

    /**
     * Routes {@code host} to {@code function}.
     *
     * @return the host as routes keep it: lowercase, without a port
     * @throws IllegalArgumentException when the host is malformed or the function is not deployed
     */
    String route(String host, String function) {
        String h = Routes.normalizeHost(host);
        Routes.checkHost(h);
        Routes.checkFunction(function);
        String app = function.substring(0, function.indexOf("--"));
        if (store.app(app).flatMap(a -> a.function(function.substring(app.length() + 2))).isEmpty()) {
            throw new IllegalArgumentException("route target: " + function + " is not deployed (expected: a function listed by ferry ls)");
        }
        store.putRoute(h, function);
        return h;
    }

    void unroute(String host) {
        store.removeRoute(Routes.normalizeHost(host));
    }

    public ObjectNode view() {
        ObjectNode root = StackView.apps(store.apps(), store.containers(), scaling(), urls);
        ObjectNode routes = root.putObject("routes");
        store.routes().forEach(routes::put);
        StackView.workers(root.putArray("workers"), store.workers(), store.containers());
        return root;
    }

    public ObjectNode view(AppDeployment app) {
        return StackView.app(app, store.containers(), scaling(), urls);
    }

    /** The scaling side of the view: decisions, overrides and the demand gateways report now. */
    private StackView.Scaling scaling() {
        Map<String, ScaleStatus> statuses = new HashMap<>();
        store.scaleStatuses().forEach(s -> statuses.put(s.key(), s));
        Map<String, ScaleOverride> overrides = new HashMap<>();
        store.scaleOverrides().forEach(o -> overrides.put(o.key(), o));
        Map<String, FunctionLoad> loads = new HashMap<>();
        FunctionLoad.aggregate(store.demand(), clock.instant(), timings.sampleFreshness())
                .forEach(l -> loads.put(l.function() + '@' + l.version(), l));
        return new StackView.Scaling(statuses, overrides, loads);
    }

    /**
     * Changes how the current version of {@code app}'s {@code function} scales, without a
     * redeploy: the settings {@code change} gives are laid over any earlier override (the
     * next deploy starts from its own settings again).
     *
     * @return the settings now in force
     * @throws IllegalArgumentException when the function is not deployed, or the settings
     *     together are inconsistent (e.g. min above max), naming the value
     */
    Scaled scale(String app, String function, ScaleOverride change) {
        DeployedFunction f = deployed(app, function);
        ScaleOverride merged = store.scaleOverride(f.id(), f.version())
                .orElse(ScaleOverride.none(f.id(), f.version(), change.setAt()))
                .with(change);
        AutoscalerSettings effective = Autoscaling.settings(f.settings(), Optional.of(merged));
        store.putScaleOverride(merged);
        return new Scaled(f.id(), f.version(), effective, true);
    }

    /** The scaling settings in force for the current version of {@code app}'s {@code function}. */
    Scaled scaling(String app, String function) {
        DeployedFunction f = deployed(app, function);
        Optional<ScaleOverride> override = store.scaleOverride(f.id(), f.version());
        return new Scaled(f.id(), f.version(), Autoscaling.settings(f.settings(), override), override.isPresent());
    }

    private DeployedFunction deployed(String app, String function) {
        FunctionSettings.checkName("app", app);
        FunctionSettings.checkName("function", function);
        AppDeployment deployed = store.app(app).orElseThrow(() -> new IllegalArgumentException(
                "app: " + app + " is not deployed (expected: an app listed by ferry ls)"));
        return deployed.function(function).orElseThrow(() -> new IllegalArgumentException(
                "function: " + function + " is not a function of " + app + " " + deployed.version()
                        + " (expected: one of " + deployed.functions().stream().map(d -> d.settings().name()).toList() + ")"));
    }

    /**
     * The scaling settings in force for one function version.
     *
     * @param overridden whether {@code ferry scale} changed them since the deploy
     */
    record Scaled(String function, String version, AutoscalerSettings settings, boolean overridden) {}

    @Override
    public void close() {
        admin.close();
        controller.close();
    }
}
