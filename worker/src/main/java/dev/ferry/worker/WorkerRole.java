package dev.ferry.worker;

import dev.ferry.request.protocol.GpuRequest;
import dev.ferry.routing.AppJars;
import dev.ferry.routing.RoutingStore;
import dev.ferry.routing.SecretCipher;
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
 *
 * <p>Made by {@link #builder()}, which checks the options; {@link #start()} finds the machine's
 * capacity and registers the worker.
 */
public final class WorkerRole implements AutoCloseable {

    private static final System.Logger logger = System.getLogger(WorkerRole.class.getName());

    private final RoutingStore store;
    private final String id;
    private final Path home;
    private final Map<String, String> labels;
    private final InetAddress containerHost;
    private final String runtimeClasspath;
    private final ContainerLogSink logSink;
    private final Clock clock;
    private final Sandbox sandbox;
    private final ContainerNetwork containerNetwork;
    private final GpuDetector gpus;
    private final int cpus;
    private final long memoryMib;
    private final int warmPool;
    private final int warmUpCalls;
    private final Path aotCacheDirectory;
    private final Path clusterKey;
    /** What {@link #start()} made; null before. */
    private volatile Started started;

    private record Started(Worker worker, WorkerAgent agent) {}

    private WorkerRole(Builder b) {
        this.store = b.store;
        this.id = b.id;
        this.home = b.home;
        this.labels = Map.copyOf(b.labels);
        this.containerHost = b.containerHost;
        this.runtimeClasspath = b.runtimeClasspath;
        this.logSink = b.logSink;
        this.clock = b.clock;
        this.clusterKey = b.clusterKey != null ? b.clusterKey : b.home.resolve(SecretCipher.DEFAULT_FILE);
        this.sandbox = b.sandbox;
        this.containerNetwork = b.containerNetwork;
        this.gpus = b.gpus;
        this.cpus = b.cpus;
        this.memoryMib = b.memoryMib;
        this.warmPool = b.warmPool;
        this.warmUpCalls = b.warmUpCalls;
        this.aotCacheDirectory = b.aotCacheDirectory;
    }

    /**
     * Memory set aside per warm pool member, MiB: an idle member's resident memory with room
     * to spare. The worker offers containers this much less for each member it keeps.
     */
    public static final long POOL_MEMBER_MIB = 96;

    /**
     * The pool a worker keeps unless told otherwise: as many members as a sixteenth of its
     * memory holds ({@link #POOL_MEMBER_MIB} each), at most 8 per CPU core, 2 to 16. A burst's
     * containers come from it, and a burst of calls that wait (on I/O, on a model elsewhere)
     * needs many containers on few cores: 16 GiB and 2 cores keep 10. Members start together
     * and warm up in turn at a lower priority, so a larger pool costs idle memory, not serving
     * CPU.
     */
    public static int defaultWarmPool(int cpus, long memoryMib) {
        long byMemory = memoryMib / 16 / POOL_MEMBER_MIB;
        return (int) Math.max(2, Math.min(16, Math.min(byMemory, 8L * cpus)));
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Finds the machine's GPUs, CPUs and memory, starts the worker and registers it.
     *
     * @return this role
     * @throws dev.ferry.routing.StoreUnavailableException when the store cannot be reached (nothing is left running)
     * @throws IllegalStateException when started before
     */
    public WorkerRole start() throws IOException {
        if (started != null) {
            throw new IllegalStateException("worker " + id + ": started already (expected: one start)");
        }
        MachineCapacity machine = MachineCapacity.detect(gpus);
        List<WorkerGpu> workerGpus = machine.gpus().stream()
                .map(g ->
                        new WorkerGpu(g.index(), g.uuid(), GpuRequest.modelOf(g.name(), g.memoryMib()), g.memoryMib()))
                .toList();
        int offeredCpus = cpus > 0 ? cpus : machine.cpuCores();
        long offeredMib = memoryMib > 0 ? memoryMib : Math.max(0, machine.memoryMib() - warmPool * POOL_MEMBER_MIB);
        logger.log(
                System.Logger.Level.INFO,
                "worker " + id + ": " + offeredCpus + " CPUs, " + offeredMib + " MiB, "
                        + (workerGpus.isEmpty()
                                ? "no GPUs"
                                : workerGpus.size() + " GPUs ("
                                        + workerGpus.stream()
                                                .map(g -> g.index() + ": " + g.model() + " " + g.uuid())
                                                .collect(Collectors.joining(", "))
                                        + ")")
                        + ", sandbox " + sandbox + ", container network " + containerNetwork + ", warm pool "
                        + warmPool);
        Worker.Builder builder = Worker.builder()
                .runtimeClasspath(runtimeClasspath)
                .logSink(logSink)
                .containerHost(containerHost)
                .sandbox(sandbox)
                .containerNetwork(containerNetwork)
                .gpus(machine.gpus())
                .warmPool(warmPool)
                .warmUpCalls(warmUpCalls);
        if (warmPool > 0) {
            builder.poolDirectory(Files.createDirectories(home.resolve("pool")).resolve(id));
        }
        classDataArchive(home, runtimeClasspath).ifPresent(builder::classDataArchive);
        if (warmPool > 0) {
            // Made by a training run, which is worth its CPU where starts matter: with a pool.
            aotCache(aotCacheDirectory != null ? aotCacheDirectory : home.resolve("aot"), runtimeClasspath)
                    .ifPresent(builder::aotCache);
        }
        Worker worker = builder.build();
        WorkerInfo info = new WorkerInfo(
                id,
                containerHost.getHostAddress(),
                offeredCpus,
                offeredMib * 1024 * 1024,
                workerGpus,
                labels,
                clock.instant());
        try {
            WorkerAgent agent = new WorkerAgent(
                    store, worker, info, new AppJars(store, home.resolve("jars")), new SecretOpener(clusterKey), clock);
            agent.start();
            this.started = new Started(worker, agent);
        } catch (RuntimeException e) {
            worker.close();
            throw e;
        }
        return this;
    }

    /** The started worker. */
    public Worker worker() {
        Started s = started;
        if (s == null) {
            throw new IllegalStateException("worker " + id + ": not started (expected: start() first)");
        }
        return s.worker();
    }

    public String id() {
        return id;
    }

    /**
     * Where containers keep their class data sharing archive: one per runtime class path (its
     * jars' paths, sizes and times) and JDK, under the Ferry home, so a rebuilt Ferry or another
     * JDK never fights over a file, nor gets one it cannot use.
     * None when the class path holds anything but jars, which the JVM cannot archive (and
     * then fails the container's exit).
     */
    public static Optional<Path> classDataArchive(Path home, String runtimeClasspath) throws IOException {
        Optional<String> key = runtimeKey(runtimeClasspath);
        if (key.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(Files.createDirectories(home.resolve("cds")).resolve("container-" + key.get() + ".jsa"));
    }

    /**
     * Where containers keep the runtime's AOT cache (JDK 25+): one per runtime class path and
     * JDK, named like {@link #classDataArchive}, in {@code dir} (the home's {@code aot}, unless
     * {@link Builder#aotCacheDirectory} says otherwise). None where the class path holds anything
     * but jars.
     */
    public static Optional<Path> aotCache(Path dir, String runtimeClasspath) throws IOException {
        Optional<String> key = runtimeKey(runtimeClasspath);
        if (key.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(Files.createDirectories(dir).resolve("container-" + key.get() + ".aot"));
    }

    /** What names the runtime's archive and cache: its jars and the JDK, hashed; empty unless the class path is jars only. */
    private static Optional<String> runtimeKey(String runtimeClasspath) throws IOException {
        // The JVM refuses an archive or cache made from other jars (it checks their sizes and
        // times) and goes on without it, silently: a rebuilt jar at the same path needs a new one.
        StringBuilder key = new StringBuilder(Runtime.version().toString());
        for (String entry : runtimeClasspath.split(File.pathSeparator)) {
            Path jar = Path.of(entry);
            if (!entry.endsWith(".jar") || !Files.isRegularFile(jar)) {
                return Optional.empty();
            }
            key.append('\n')
                    .append(entry)
                    .append(' ')
                    .append(Files.size(jar))
                    .append(' ')
                    .append(Files.getLastModifiedTime(jar).toMillis());
        }
        return Optional.of(Integer.toHexString(key.toString().hashCode()));
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

    /** Stops every container and deregisters the worker; does nothing when it never started. */
    @Override
    public void close() {
        Started s = started;
        if (s != null) {
            s.agent().close();
        }
    }

    /**
     * Builds a {@link WorkerRole}. Setters refuse only null; {@link #build()} checks every value.
     * Not thread-safe.
     */
    public static final class Builder {
        private RoutingStore store;
        private String id;
        private Path home;
        private Map<String, String> labels = Map.of();
        private InetAddress containerHost = InetAddress.getLoopbackAddress();
        private String runtimeClasspath = System.getProperty("java.class.path");
        private ContainerLogSink logSink = ContainerLogSink.console();
        private Clock clock = Clock.systemUTC();
        private Sandbox sandbox = Sandbox.process();
        private ContainerNetwork containerNetwork = ContainerNetwork.HOST;
        private GpuDetector gpus = gpuDetector(null);
        private int cpus;
        private long memoryMib;
        private int warmPool;
        private int warmUpCalls = Worker.DEFAULT_WARM_UP_CALLS;
        private Path aotCacheDirectory;
        private Path clusterKey;

        private Builder() {}

        /**
         * The file of the cluster key that opens secrets' values ({@link SecretCipher}), read
         * when a container of a function that names a secret starts (never made here: it is
         * the controllers' key, copied). Default {@code <home>/cluster.key}.
         */
        public Builder clusterKey(Path file) {
            this.clusterKey = Objects.requireNonNull(file, "clusterKey");
            return this;
        }

        /**
         * Warm pool members to keep (see {@link Worker.Builder#warmPool}); 0, the default here,
         * for none. The {@code ferry worker} and {@code ferry dev} commands default to
         * {@link #defaultWarmPool(int, long)}.
         */
        public Builder warmPool(int members) {
            this.warmPool = members;
            return this;
        }

        /** Synthetic calls each pool member makes before it waits; see {@link Worker.Builder#warmUpCalls}. */
        public Builder warmUpCalls(int calls) {
            this.warmUpCalls = calls;
            return this;
        }

        /**
         * Where the runtime's AOT cache is kept; default {@code home/aot}. Homes may share one
         * (each cache is named after the runtime's jars and the JDK): a checkout's launcher
         * keeps it beside the jar, so that a fresh home starts its pool on it too.
         */
        public Builder aotCacheDirectory(Path dir) {
            this.aotCacheDirectory = Objects.requireNonNull(dir, "dir");
            return this;
        }

        /** Where the worker registers, beats and finds the containers placed on it. Required. */
        public Builder store(RoutingStore store) {
            this.store = store;
            return this;
        }

        /** This worker's id in the store; keep it across restarts, e.g. {@code worker-<hostname>}. Required. */
        public Builder id(String id) {
            this.id = id;
            return this;
        }

        /** The Ferry home: fetched jars and the class data archive live there. Required. */
        public Builder home(Path home) {
            this.home = home;
            return this;
        }

        /** Placement labels, key to value, that functions may require. Default none. */
        public Builder labels(Map<String, String> labels) {
            this.labels = Objects.requireNonNull(labels, "labels");
            return this;
        }

        /**
         * The address containers listen on and gateways call them at. Containers' call port has no
         * authentication: use an address on a private network. Default the loopback address
         * (127.0.0.1), for gateways on this machine only.
         */
        public Builder containerHost(InetAddress containerHost) {
            this.containerHost = Objects.requireNonNull(containerHost, "containerHost");
            return this;
        }

        /** The class path of container processes. Default this JVM's ({@code java.class.path}). */
        public Builder runtimeClasspath(String runtimeClasspath) {
            this.runtimeClasspath = runtimeClasspath;
            return this;
        }

        /** Where container output goes. Default {@link ContainerLogSink#console()}. */
        public Builder logSink(ContainerLogSink logSink) {
            this.logSink = Objects.requireNonNull(logSink, "logSink");
            return this;
        }

        /** The clock of heartbeats. Default the UTC system clock. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** How containers are isolated and held to their limits. Default {@link Sandbox#process()}: plain child processes. */
        public Builder sandbox(Sandbox sandbox) {
            this.sandbox = Objects.requireNonNull(sandbox, "sandbox");
            return this;
        }

        /**
         * The network of containers whose function does not choose one, and of the warm pool's
         * members: {@link ContainerNetwork#HOST} or {@link ContainerNetwork#NONE} (bwrap and
         * runc only). Default {@link ContainerNetwork#HOST}.
         */
        public Builder containerNetwork(ContainerNetwork containerNetwork) {
            this.containerNetwork = Objects.requireNonNull(containerNetwork, "containerNetwork");
            return this;
        }

        /** Finds the machine's GPUs. Default {@link #gpuDetector gpuDetector(null)}: $FERRY_NVIDIA_SMI, else nvidia-smi. */
        public Builder gpus(GpuDetector gpus) {
            this.gpus = Objects.requireNonNull(gpus, "gpus");
            return this;
        }

        /** CPU cores offered to containers; 0 for all the machine has. Default 0. */
        public Builder cpus(int cpus) {
            this.cpus = cpus;
            return this;
        }

        /** Memory offered to containers, in MiB; 0 for all the machine has. Default 0. */
        public Builder memoryMib(long memoryMib) {
            this.memoryMib = memoryMib;
            return this;
        }

        /**
         * Checks every option and makes the role; nothing runs until {@link WorkerRole#start()}.
         *
         * @throws IllegalArgumentException naming the first option that cannot work, with its value
         */
        public WorkerRole build() {
            if (store == null) {
                throw new IllegalArgumentException("store: null (expected: the RoutingStore the worker registers in)");
            }
            if (id == null || id.isBlank()) {
                throw new IllegalArgumentException(
                        "id: " + id + " (expected: this worker's id, e.g. worker-<hostname>)");
            }
            if (home == null) {
                throw new IllegalArgumentException("home: null (expected: the Ferry home directory)");
            }
            if (runtimeClasspath == null || runtimeClasspath.isBlank()) {
                throw new IllegalArgumentException(
                        "runtimeClasspath: " + runtimeClasspath + " (expected: the class path of container processes)");
            }
            if (containerNetwork == ContainerNetwork.DEFAULT) {
                throw new IllegalArgumentException("containerNetwork: default (expected: none or host)");
            }
            if (containerNetwork == ContainerNetwork.NONE && sandbox.equals(Sandbox.process())) {
                throw new IllegalArgumentException("containerNetwork: none with sandbox process (expected: sandbox"
                        + " bwrap or runc, whose containers get a network namespace of their own)");
            }
            if (cpus < 0) {
                throw new IllegalArgumentException("cpus: " + cpus + " (expected: >= 0, 0 for all the machine has)");
            }
            if (warmPool < 0) {
                throw new IllegalArgumentException("warmPool: " + warmPool + " (expected: >= 0, 0 for none)");
            }
            if (warmUpCalls < 0) {
                throw new IllegalArgumentException("warmUpCalls: " + warmUpCalls + " (expected: >= 0)");
            }
            if (memoryMib < 0) {
                throw new IllegalArgumentException(
                        "memoryMib: " + memoryMib + " (expected: >= 0, 0 for all the machine has)");
            }
            return new WorkerRole(this);
        }
    }
}
