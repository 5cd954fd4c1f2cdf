package dev.ferry.cli;

import dev.ferry.logging.FerryLogging;
import dev.ferry.request.protocol.FunctionSettings;
import dev.ferry.routing.ContainerLogs;
import dev.ferry.routing.RoutingStore;
import dev.ferry.worker.ContainerLogSink;
import dev.ferry.worker.ContainerNetwork;
import dev.ferry.worker.MachineCapacity;
import dev.ferry.worker.Sandbox;
import dev.ferry.worker.ShippedLogs;
import dev.ferry.worker.WorkerRole;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ferry worker --redis URL}: runs the containers the controller places on this machine. */
@Command(
        name = "worker",
        mixinStandardHelpOptions = true,
        description = "Run a worker of the cluster whose state is in --redis: one per machine.")
final class WorkerCommand implements Callable<Integer> {

    @Mixin
    RoleOptions role;

    @Option(names = "--label", paramLabel = "KEY=VALUE", description = "A placement label; repeatable.")
    List<String> labels = List.of();

    @Option(
            names = "--container-host",
            defaultValue = "127.0.0.1",
            paramLabel = "ADDRESS",
            description =
                    "The address containers listen on and gateways call them at (default: ${DEFAULT-VALUE}, for gateways on "
                            + "this machine only). Containers' gRPC has no authentication: use an address on a private network.")
    String containerHost;

    @Option(
            names = "--sandbox",
            defaultValue = "process",
            paramLabel = "process|bwrap|runc",
            description =
                    "How containers are isolated: process (plain child processes, the fastest), bwrap (bubblewrap "
                            + "namespaces and a read-only view of the system) or runc (an OCI container with a read-only root and cgroup "
                            + "limits on memory, CPU and processes; needs root) (default: ${DEFAULT-VALUE}).")
    String sandbox;

    @Option(
            names = "--container-network",
            defaultValue = "host",
            paramLabel = "none|host",
            description =
                    "The network of containers whose function does not choose one (@FerryFunction(network = ...)): host "
                            + "(the machine's) or none (a network namespace with loopback only: the container reaches nothing, "
                            + "and only gateways on this machine can call it, over a socket file; needs --sandbox bwrap or runc) "
                            + "(default: ${DEFAULT-VALUE}).")
    String containerNetwork;

    @Option(
            names = "--nvidia-smi",
            paramLabel = "PATH",
            description =
                    "The nvidia-smi that lists this machine's GPUs (default: $FERRY_NVIDIA_SMI, else nvidia-smi on the PATH; "
                            + "without one the worker offers no GPUs).")
    String nvidiaSmi;

    @Option(
            names = "--cpus",
            defaultValue = "0",
            description = "CPU cores to offer to containers (default: all the machine has).")
    int cpus;

    @Option(
            names = "--memory",
            defaultValue = "0",
            paramLabel = "MiB",
            description = "Memory to offer to containers, in MiB (default: all the machine has).")
    long memoryMib;

    @Option(
            names = "--cluster-key",
            paramLabel = "FILE",
            description = "The cluster key, which opens secrets' values; every controller and worker needs the same "
                    + "(default: <home>/cluster.key).")
    Path clusterKey;

    @Mixin
    WarmPoolOption pool;

    @Override
    public Integer call() throws Exception {
        FerryLogging.install("worker");
        Map<String, String> labelMap = new LinkedHashMap<>();
        for (String label : labels) {
            FunctionSettings.checkLabel("--label", label);
            int eq = label.indexOf('=');
            labelMap.put(label.substring(0, eq), label.substring(eq + 1));
        }
        String workerId = role.id(() -> "worker-" + NodeIds.hostname());
        // A mistyped option fails before anything connects.
        Path ferryHome = role.home.resolve();
        WorkerRole.Builder options = WorkerRole.builder()
                .id(workerId)
                .home(ferryHome)
                .labels(labelMap)
                .containerHost(InetAddress.getByName(containerHost))
                .sandbox(Sandbox.parse(sandbox, ferryHome.resolve("runc")))
                .containerNetwork(parseNetwork(containerNetwork))
                .gpus(WorkerRole.gpuDetector(nvidiaSmi))
                .cpus(cpus)
                .memoryMib(memoryMib);
        if (clusterKey != null) {
            options.clusterKey(clusterKey);
        }
        pool.applyTo(
                options,
                cpus > 0 ? cpus : Runtime.getRuntime().availableProcessors(),
                memoryMib > 0 ? memoryMib : MachineCapacity.totalMemoryMib());
        RoutingStore store = role.store.connect();
        ContainerLogs logs;
        try {
            logs = role.store.containerLogs();
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        ShippedLogs shipped = new ShippedLogs(logs, workerId, ContainerLogSink.console());
        WorkerRole worker;
        try {
            worker = options.store(store).logSink(shipped).build().start();
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

    /** {@code --container-network}: none or host; the function's default ("") is not a worker's. */
    static ContainerNetwork parseNetwork(String value) {
        ContainerNetwork network = ContainerNetwork.parse(value);
        if (network == ContainerNetwork.DEFAULT) {
            throw new IllegalArgumentException("--container-network: \"" + value + "\" (expected: none or host)");
        }
        return network;
    }
}
