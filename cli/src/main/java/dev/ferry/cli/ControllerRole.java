package dev.ferry.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.routing.AppDeployment;
import dev.ferry.routing.ContainerLogs;
import dev.ferry.routing.RoutingStore;
import dev.ferry.routing.Routes;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;

/**
 * The controller role: the {@link Controller} loop, the {@link AppDeployer} and the admin
 * API that {@code ferry deploy}, {@code ferry ls} and {@code ferry route} talk to. Any
 * controller, leader or standby, takes deploys: a deploy is a write to the store.
 */
final class ControllerRole implements AutoCloseable {

    /** Told after each deploy; the dev stack reissues its local certificate before answering. */
    interface AfterDeploy {
        void deployed(AppDeployment deployment) throws IOException;
    }

    private final RoutingStore store;
    private final Controller controller;
    private final AppDeployer deployer;
    private final StackView.FunctionUrls urls;
    private final AfterDeploy afterDeploy;
    private final AdminServer admin;
    private final ContainerLogs logs;

    ControllerRole(RoutingStore store, String id, Path home, String adminHost, int adminPort, Clock clock,
                   Controller.Timings timings, StackView.FunctionUrls urls, AfterDeploy afterDeploy, ContainerLogs logs) throws IOException {
        this.store = store;
        this.logs = logs; // the caller's to close; the admin API reads container output from it
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

    int adminPort() {
        return admin.port();
    }

    Controller controller() {
        return controller;
    }

    RoutingStore store() {
        return store;
    }

    ContainerLogs logs() {
        return logs;
    }

    /** Deploys {@code jar}; see {@link AppDeployer#deploy}. */
    AppDeployment deploy(Path jar, Optional<String> name, String fileName) throws IOException {
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

    ObjectNode view() {
        ObjectNode root = StackView.apps(store.apps(), store.containers(), urls);
        ObjectNode routes = root.putObject("routes");
        store.routes().forEach(routes::put);
        StackView.workers(root.putArray("workers"), store.workers(), store.containers());
        return root;
    }

    ObjectNode view(AppDeployment app) {
        return StackView.app(app, store.containers(), urls);
    }

    @Override
    public void close() {
        admin.close();
        controller.close();
    }
}
