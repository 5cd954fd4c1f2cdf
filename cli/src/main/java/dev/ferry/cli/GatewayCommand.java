package dev.ferry.cli;

import dev.ferry.gateway.GatewayRole;
import dev.ferry.logging.FerryLogging;
import dev.ferry.routing.RoutingStore;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code ferry gateway --redis URL}: one edge server of a cluster. */
@Command(
        name = "gateway",
        mixinStandardHelpOptions = true,
        description = "Run a gateway of the cluster whose state is in --redis. Run as many as you like.")
final class GatewayCommand implements Callable<Integer> {

    @Mixin
    EdgeOptions edge;

    @Mixin
    RoleOptions role;

    @Override
    public Integer call() throws Exception {
        FerryLogging.install("gateway");
        String gatewayId = role.id(() -> NodeIds.of("gateway"));
        // Gateways in a cluster report demand at the role's default interval, once a second.
        GatewayRole.Builder options = GatewayRole.builder().id(gatewayId).home(role.home.resolve());
        edge.gatewayOptions().accept(options);
        RoutingStore store = role.store.connect();
        GatewayRole gateway;
        try {
            gateway = options.store(store).build().start();
        } catch (Exception e) {
            store.close();
            throw e;
        }
        GatewayWarmUp.run(gateway);
        System.out.println("ferry gateway " + gatewayId + ": http://" + edge.host + ":" + gateway.httpPort()
                + " and https://" + edge.host + ":" + gateway.httpsPort() + ", state in " + store.describe());
        Serving.untilStopped("gateway " + gatewayId, () -> {
            gateway.close();
            store.close();
        });
        return 0;
    }
}
