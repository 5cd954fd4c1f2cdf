package dev.ferry.cli;

import dev.ferry.routing.ContainerLogs;
import dev.ferry.routing.RoutingStore;
import dev.ferry.worker.ContainerLogSink;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ferry worker --redis URL}: runs the containers the controller places on this machine. */
@Command(name = "worker", mixinStandardHelpOptions = true,
        description = "Run a worker of the cluster whose state is in --redis: one per machine.")
final class WorkerCommand implements Callable<Integer> {

    @Mixin
    StoreOptions storeOptions;

    @Option(names = "--id", description = "This worker's id; keep it across restarts (default: worker-<hostname>).")
    String id;

    @Option(names = "--label", paramLabel = "KEY=VALUE", description = "A placement label; repeatable.")
    List<String> labels = List.of();

    @Option(names = "--container-host", defaultValue = "127.0.0.1", paramLabel = "ADDRESS",
            description = "The address containers listen on and gateways call them at (default: ${DEFAULT-VALUE}, for gateways on "
                    + "this machine only). Containers' gRPC has no authentication: use an address on a private network.")
    String containerHost;

    @Option(names = "--home", description = "Ferry's directory, where fetched jars are cached (default: $FERRY_HOME, else ~/.ferry).")
    Path home;

    @Override
    public Integer call() throws Exception {
        Map<String, String> labelMap = new LinkedHashMap<>();
        for (String label : labels) {
            int eq = label.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--label: \"" + label + "\" (expected: KEY=VALUE)");
            }
            labelMap.put(label.substring(0, eq), label.substring(eq + 1));
        }
        String workerId = id != null ? id : "worker-" + NodeIds.hostname();
        RoutingStore store = storeOptions.connect();
        ContainerLogs logs;
        try {
            logs = storeOptions.containerLogs();
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        ShippedLogs shipped = new ShippedLogs(logs, workerId, ContainerLogSink.console());
        WorkerRole worker;
        try {
            worker = new WorkerRole(store, new WorkerRole.Options(workerId, Home.resolve(home), labelMap,
                    InetAddress.getByName(containerHost), System.getProperty("java.class.path"), shipped, Clock.systemUTC()));
        } catch (Exception e) {
            shipped.close();
            logs.close();
            store.close();
            throw e;
        }
        System.out.println("ferry worker " + workerId + ": state in " + store.describe());
        Serving.untilStopped("worker " + workerId, () -> {
            worker.close();
            shipped.close();
            logs.close();
            store.close();
        });
        return 0;
    }
}
