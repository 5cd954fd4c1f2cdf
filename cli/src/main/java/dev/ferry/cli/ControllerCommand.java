package dev.ferry.cli;

import dev.ferry.controller.AdminTlsContext;
import dev.ferry.controller.ControllerRole;
import dev.ferry.gateway.GatewayRole;
import dev.ferry.gateway.LocalCertificates;
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
            names = "--admin-tls-cert",
            paramLabel = "FILE",
            description = "The admin API's certificate chain (PEM); with --admin-tls-key, it speaks HTTPS.")
    Path tlsCertificate;

    @Option(names = "--admin-tls-key", paramLabel = "FILE", description = "The key of --admin-tls-cert (PKCS#8 PEM).")
    Path tlsKey;

    @Option(
            names = "--admin-tls-local",
            description = "Serve the admin API over HTTPS with a certificate from the local authority in the home"
                    + " (the one ferry dev makes); clients on this machine trust it.")
    boolean tlsLocal;

    @Option(
            names = "--admin-behind-tls-proxy",
            description = "Allow plain HTTP on a --host other than loopback because a proxy in front terminates TLS.")
    boolean behindTlsProxy;

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
                .functionUrls(f -> GatewayRole.url(f, domain, gatewayPort))
                .adminBehindTlsProxy(behindTlsProxy);
        if ((tlsCertificate == null) != (tlsKey == null)) {
            throw new IllegalArgumentException("--admin-tls-cert and --admin-tls-key: give both or neither");
        }
        if (tlsCertificate != null && tlsLocal) {
            throw new IllegalArgumentException("--admin-tls-local: not with --admin-tls-cert (expected: one of them)");
        }
        if (tlsCertificate != null) {
            options.adminTls(AdminTlsContext.fromPem(tlsCertificate, tlsKey));
        } else if (tlsLocal) {
            LocalCertificates.Pem pem = LocalCertificates.open(ferryHome).issue(java.util.List.of(host), "admin");
            options.adminTls(AdminTlsContext.fromPem(pem.certificate(), pem.key()));
        }
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
        String adminUrl = (controller.adminTls() ? "https://" : "http://") + host + ":" + controller.adminPort();
        new DevState(adminUrl, pid).write(ferryHome);
        if (controller.bootstrapToken().isPresent()) {
            // Saved before the announcement, so whoever waits for it finds the token.
            Credentials.save(
                    ferryHome, adminUrl, controller.bootstrapToken().get().secret());
        }
        System.out.println(
                "ferry controller " + controllerId + ": admin API on " + adminUrl + ", state in " + store.describe());
        if (controller.bootstrapToken().isPresent()) {
            System.out.println("ferry controller: made the cluster's first admin token ("
                    + controller.bootstrapToken().get().token().id() + ") and saved it in "
                    + Credentials.file(ferryHome) + "; copy it to the machines you run ferry commands on, or"
                    + " make tokens for them with ferry token create");
        }
        Serving.untilStopped("controller " + controllerId, () -> {
            controller.close();
            logs.close();
            store.close();
            DevState.clear(ferryHome, pid);
        });
        return 0;
    }
}
