package dev.ferry.cli;

import com.sun.management.OperatingSystemMXBean;
import dev.ferry.routing.RoutingStore;
import dev.ferry.routing.WorkerInfo;
import dev.ferry.worker.ContainerLogSink;
import dev.ferry.worker.Worker;
import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The worker role: a {@link Worker} whose containers are child processes of this one, and
 * the {@link WorkerAgent} that connects it to the store. Closing it stops every container.
 */
final class WorkerRole implements AutoCloseable {

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
     */
    record Options(String id, Path home, Map<String, String> labels, InetAddress containerHost, String runtimeClasspath,
                   ContainerLogSink logSink, Clock clock) {
        Options {
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
    WorkerRole(RoutingStore store, Options options) throws IOException {
        Worker.Builder builder = Worker.builder()
                .runtimeClasspath(options.runtimeClasspath())
                .logSink(options.logSink())
                .containerHost(options.containerHost());
        classDataArchive(options.home(), options.runtimeClasspath()).ifPresent(builder::classDataArchive);
        this.worker = builder.build();
        WorkerInfo info = new WorkerInfo(options.id(), options.containerHost().getHostAddress(), Runtime.getRuntime().availableProcessors(),
                totalMemory(), List.of(), options.labels(), options.clock().instant());
        this.agent = new WorkerAgent(store, worker, info, new AppJars(store, options.home().resolve("jars")), options.clock());
        try {
            agent.start();
        } catch (RuntimeException e) {
            worker.close();
            throw e;
        }
    }

    Worker worker() {
        return worker;
    }

    String id() {
        return agent.id();
    }

    /**
     * Where containers keep their class data sharing archive: one per runtime class path and
     * JDK, under the Ferry home, so a rebuilt Ferry or another JDK never fights over a file.
     * None when the class path holds anything but jars, which the JVM cannot archive (and
     * then fails the container's exit).
     */
    static Optional<Path> classDataArchive(Path home, String runtimeClasspath) throws IOException {
        for (String entry : runtimeClasspath.split(File.pathSeparator)) {
            if (!entry.endsWith(".jar") || !Files.isRegularFile(Path.of(entry))) {
                return Optional.empty();
            }
        }
        String key = runtimeClasspath + '\n' + Runtime.version();
        Path dir = Files.createDirectories(home.resolve("cds"));
        return Optional.of(dir.resolve("container-" + Integer.toHexString(key.hashCode()) + ".jsa"));
    }

    private static long totalMemory() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof OperatingSystemMXBean os ? os.getTotalMemorySize() : 0;
    }

    /** Stops every container and deregisters the worker. */
    @Override
    public void close() {
        agent.close();
    }
}
