package dev.ferry.cli;

import dev.ferry.controller.ControllerRole;
import dev.ferry.gateway.GatewayRole;
import dev.ferry.logging.FerryLogging;
import dev.ferry.routing.ContainerLogs;
import dev.ferry.routing.RoutingStore;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ferry controller --redis URL}: the cluster's controller, or a hot standby for it. */
@Command(
        name = "controller",
        mixinStandardHelpOptions = true,
        description = "Run a controller of the cluster whose state is in --redis: one leads, others stand by.")
final class ControllerCommand implements Callable<Integer> {

    @Mixin
    RoleOptions role;

    @Option(
            names = "--host",
            defaultValue = "127.0.0.1",
            description = "Address of the admin API (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(
            names = "--admin-port",
            defaultValue = "7070",
            description = "Admin API port; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int adminPort;

    @Option(
            names = "--domain",
            defaultValue = "localhost",
            description = "The gateways' function domain, for URLs (default: ${DEFAULT-VALUE}).")
    String domain;

    @Option(
            names = "--gateway-port",
            defaultValue = "8080",
            description = "The gateways' HTTP port, for URLs (default: ${DEFAULT-VALUE}).")
    int gatewayPort;

    @Option(
            names = "--cluster-key",
            paramLabel = "FILE",
            description = "The cluster key, which seals secrets' values; every controller and worker needs the same "
                    + "(default: <home>/cluster.key, made at the first ferry secret set).")
    Path clusterKey;

    @Override
    public Integer call() throws Exception {
        FerryLogging.install("controller");
        String controllerId = role.id(() -> NodeIds.of("controller"));
        Path ferryHome = role.home.resolve();
        ControllerRole.Builder options = ControllerRole.builder()
                .id(controllerId)
                .home(ferryHome)
                .adminHost(host)
                .adminPort(adminPort)
                .functionUrls(f -> GatewayRole.url(f, domain, gatewayPort));
        if (clusterKey != null) {
            options.clusterKey(clusterKey);
        }
        RoutingStore store = role.store.connect();
        ContainerLogs logs;
        ControllerRole controller;
        try {
            logs = role.store.containerLogs();
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        try {
            controller = options.store(store).logs(logs).build().start();
        } catch (Exception e) {
            logs.close();
            store.close();
            throw e;
        }
        long pid = ProcessHandle.current().pid();
        new DevState("http://" + host + ":" + controller.adminPort(), pid).write(ferryHome);
        System.out.println("ferry controller " + controllerId + ": admin API on http://" + host + ":"
                + controller.adminPort() + ", state in " + store.describe());
        Serving.untilStopped("controller " + controllerId, () -> {
            controller.close();
            logs.close();
            store.close();
            DevState.clear(ferryHome, pid);
        });
        return 0;
    }
}
