package dev.ferry.worker;

import dev.ferry.request.protocol.GpuRequest;
import dev.ferry.routing.AppJars;
import dev.ferry.routing.RoutingStore;
import dev.ferry.routing.WorkerGpu;
import dev.ferry.routing.WorkerInfo;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The worker role: a {@link Worker} whose containers are child processes of this one, and
 * the {@link WorkerAgent} that connects it to the store. Closing it stops every container.
 */
public final class WorkerRole implements AutoCloseable {

    /**
     * What a worker is started with.
     *
     * @param id this worker's id in the store
     * @param home the Ferry home (fetched jars and the class data archive live there)
     * @param labels placement labels
     * @param containerHost the address containers listen on and gateways call them at
     * @param runtimeClasspath the class path of container processes
     * @param logSink where container output goes
     * @param clock the heartbeat clock
     * @param sandbox how containers are isolated and held to their limits
     * @param gpus finds the machine's GPUs ({@code nvidia-smi})
     * @param cpus CPU cores offered to containers, 0 for all the machine has
     * @param memoryMib memory offered to containers in MiB, 0 for all the machine has
     */
    public record Options(String id, Path home, Map<String, String> labels, InetAddress containerHost, String runtimeClasspath,
                   ContainerLogSink logSink, Clock clock, Sandbox sandbox, GpuDetector gpus, int cpus, long memoryMib) {

        /** Plain child processes, the machine's GPUs and all its CPUs and memory. */
        public Options(String id, Path home, Map<String, String> labels, InetAddress containerHost, String runtimeClasspath,
                ContainerLogSink logSink, Clock clock) {
            this(id, home, labels, containerHost, runtimeClasspath, logSink, clock, Sandbox.process(), gpuDetector(null), 0, 0);
        }

        public Options {
            Objects.requireNonNull(sandbox, "sandbox");
            Objects.requireNonNull(gpus, "gpus");
            if (cpus < 0 || memoryMib < 0) {
                throw new IllegalArgumentException("worker capacity: " + cpus + " CPUs, " + memoryMib
                        + " MiB (expected: >= 0, 0 for what the machine has)");
            }
            Objects.requireNonNull(containerHost, "containerHost");
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(home, "home");
            labels = Map.copyOf(labels);
            Objects.requireNonNull(runtimeClasspath, "runtimeClasspath");
            Objects.requireNonNull(logSink, "logSink");
            Objects.requireNonNull(clock, "clock");
        }
    }

    private final Worker worker;
    private final WorkerAgent agent;

    /**
     * Starts the worker and registers it.
     *
     * @throws dev.ferry.routing.StoreUnavailableException when the store cannot be reached (nothing is left running)
     */
    public WorkerRole(RoutingStore store, Options options) throws IOException {
        MachineCapacity machine = MachineCapacity.detect(options.gpus());
        List<WorkerGpu> gpus = machine.gpus().stream()
                .map(g -> new WorkerGpu(g.index(), g.uuid(), GpuRequest.modelOf(g.name(), g.memoryMib()), g.memoryMib())).toList();
        int cpus = options.cpus() > 0 ? options.cpus() : machine.cpuCores();
        long memoryMib = options.memoryMib() > 0 ? options.memoryMib() : machine.memoryMib();
        System.out.println("ferry worker " + options.id() + ": " + cpus + " CPUs, " + memoryMib + " MiB, "
                + (gpus.isEmpty() ? "no GPUs" : gpus.size() + " GPUs (" + gpus.stream()
                        .map(g -> g.index() + ": " + g.model() + " " + g.uuid()).collect(Collectors.joining(", ")) + ")")
                + ", sandbox " + options.sandbox());
        Worker.Builder builder = Worker.builder()
                .runtimeClasspath(options.runtimeClasspath())
                .logSink(options.logSink())
                .containerHost(options.containerHost())
                .sandbox(options.sandbox())
                .gpus(machine.gpus());
        classDataArchive(options.home(), options.runtimeClasspath()).ifPresent(builder::classDataArchive);
        this.worker = builder.build();
        WorkerInfo info = new WorkerInfo(options.id(), options.containerHost().getHostAddress(), cpus,
                memoryMib * 1024 * 1024, gpus, options.labels(), options.clock().instant());
        this.agent = new WorkerAgent(store, worker, info, new AppJars(store, options.home().resolve("jars")), options.clock());
        try {
            agent.start();
        } catch (RuntimeException e) {
            worker.close();
            throw e;
        }
    }

    public Worker worker() {
        return worker;
    }

    public String id() {
        return agent.id();
    }

    /**
     * Where containers keep their class data sharing archive: one per runtime class path and
     * JDK, under the Ferry home, so a rebuilt Ferry or another JDK never fights over a file.
     * None when the class path holds anything but jars, which the JVM cannot archive (and
     * then fails the container's exit).
     */
    public static Optional<Path> classDataArchive(Path home, String runtimeClasspath) throws IOException {
        for (String entry : runtimeClasspath.split(File.pathSeparator)) {
            if (!entry.endsWith(".jar") || !Files.isRegularFile(Path.of(entry))) {
                return Optional.empty();
            }
        }
        String key = runtimeClasspath + '\n' + Runtime.version();
        Path dir = Files.createDirectories(home.resolve("cds"));
        return Optional.of(dir.resolve("container-" + Integer.toHexString(key.hashCode()) + ".jsa"));
    }

    /**
     * Finds GPUs with {@code nvidiaSmi} (a path or a command on the PATH), else with
     * {@code $FERRY_NVIDIA_SMI}, else with {@code nvidia-smi}; a machine without it is a CPU worker.
     */
    public static GpuDetector gpuDetector(String nvidiaSmi) {
        String program = nvidiaSmi != null && !nvidiaSmi.isBlank() ? nvidiaSmi : System.getenv("FERRY_NVIDIA_SMI");
        if (program == null || program.isBlank()) {
            return GpuDetector.nvidiaSmi();
        }
        List<String> command = new ArrayList<>(GpuDetector.NVIDIA_SMI);
        command.set(0, program);
        return GpuDetector.of(command, GpuDetector.DEFAULT_TIMEOUT);
    }

    /** Stops every container and deregisters the worker. */
    @Override
    public void close() {
        agent.close();
    }
}
