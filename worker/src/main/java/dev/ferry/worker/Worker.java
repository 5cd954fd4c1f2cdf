package dev.ferry.worker;

import dev.ferry.request.protocol.ContainerSecret;
import dev.ferry.routing.ContainerIds;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.stream.Collectors;

/**
 * Starts containers as child JVM processes, each in the worker's {@link Sandbox}, watches them
 * and stops them.
 *
 * <p>Each container runs {@code <java> <jvm options> -cp <runtime classpath>
 * dev.ferry.function.runtime.ContainerMain <args>} with a fresh ready token in its
 * environment, on a loopback port the worker picked for it. Its environment also holds
 * {@code FERRY_CONTAINER_ID}, the spec's extra variables and its GPUs
 * ({@code CUDA_VISIBLE_DEVICES} and {@code NVIDIA_VISIBLE_DEVICES}: the GPUs' UUIDs
 * comma-separated, or {@code ""} and {@code void} for none, so that a container without GPUs
 * sees none). A GPU belongs to one running container at a time. It is {@link ContainerState#READY}
 * when it prints its ready line with that exact token on standard output; any other line,
 * including a ready line with another token, is just output. Output lines go to the
 * {@link ContainerLogSink}, tagged with the container.
 *
 * <p>Thread-safe. {@link #start(ContainerSpec)} launches the process on the calling thread
 * (a few milliseconds) and returns without waiting for it to be ready. {@link #close()} stops
 * every container and blocks until all have exited; a JVM shutdown hook does the same if the
 * worker is not closed, so that a dev server stopped with Ctrl-C leaves no child process
 * behind. (A worker killed with SIGKILL runs no hook. Process containers then notice that
 * their parent is gone and exit on their own, bwrap kills its containers when their parent
 * dies, and runc containers run on until the next worker built with the same state directory
 * removes them.)
 */
public final class Worker implements AutoCloseable {

    /** Default {@link Builder#startTimeout(Duration)}: 60 seconds. */
    public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(60);

    /** Default {@link Builder#warmUpCalls(int)}: about what the JIT needs to compile the call path. */
    public static final int DEFAULT_WARM_UP_CALLS = 20_000;

    /** Default {@link Builder#stopGrace(Duration)}: 10 seconds. */
    public static final Duration DEFAULT_STOP_GRACE = Duration.ofSeconds(10);

    /**
     * Default {@link Builder#jvmOptions(List)}, chosen for many small JVMs on one machine that
     * must start fast (a cold start is a client waiting) and then serve well:
     * <ul>
     *   <li>{@code -XX:+UseSerialGC}: no GC worker threads, the smallest footprint; the JVM
     *       picks it anyway for a container limited to one CPU.</li>
     *   <li>{@code -Xshare:auto}: use class data sharing archives when they fit (the default;
     *       stated so that a replacement list keeps it in mind). With
     *       {@link Builder#classDataArchive(Path)} the runtime's own classes are archived too,
     *       which is what makes starts fast: measured on 2 cores, time to ready went from a
     *       median of 753 ms to 368 ms.</li>
     *   <li>{@code -XX:-UsePerfData}: no hsperfdata file per container.</li>
     *   <li>{@code --enable-native-access=ALL-UNNAMED}: the container's call server runs on
     *       Netty's native epoll where the kernel has it (NIO otherwise), without the JDK's
     *       warning about native code. Measured on 2 cores through {@code ferry dev}: 64
     *       connections to {@code hello} went from 18,800-19,000 to 20,600-21,800 requests/s
     *       against NIO, and cold starts stayed as they were (p50 46 ms with NIO, 49 ms with
     *       epoll, 10 each). The flag does disable the JDK's own archived module graph, which
     *       once made epoll cost 130 ms per start; the runtime's AOT cache is made with the
     *       same flag, so it no longer matters. Nor does epoll cost memory: the same pool
     *       member's command line, run twice each way, held 72.4 MiB resident after its
     *       warm-up on epoll against 73.0-73.4 MiB on NIO.</li>
     *   <li>{@code -Xms8m -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=20}: the heap starts
     *       small and gives memory back after a full collection, so an idle container (and an
     *       idle pool member, whose warm-up allocated a lot) holds little; it grows as a busy
     *       one needs. {@code -Dio.netty.allocator.maxOrder=7}: the call server's buffer pool
     *       in 1 MiB chunks rather than 4 MiB. {@code -XX:TrimNativeHeapInterval=5000} (JDK 22+):
     *       the C heap freed by the JIT's arenas goes back to the system. Measured on an idle
     *       pool member after its warm-up: 230 MB resident with the JVM's defaults, 99 MB with
     *       these.</li>
     * </ul>
     * Full tiered compilation stays on, at a price paid once per container: C1 alone
     * ({@code -XX:TieredStopAtLevel=1}) reaches the first response sooner (measured on 2 cores
     * with the archive and epoll, median of 10 cold starts through the gateway: 0.64 s against 0.77 s,
     * because C2 competes with start-up for the CPUs), but it leaves CPU-bound user code at
     * a fraction of its speed for the container's whole life.
     */
    public static final List<String> DEFAULT_JVM_OPTIONS = defaultJvmOptions();

    private static List<String> defaultJvmOptions() {
        List<String> options = new ArrayList<>(List.of(
                "-XX:+UseSerialGC",
                "-Xshare:auto",
                "-XX:-UsePerfData",
                "--enable-native-access=ALL-UNNAMED",
                "-Xms8m",
                "-XX:MinHeapFreeRatio=10",
                "-XX:MaxHeapFreeRatio=20",
                "-Dio.netty.allocator.maxOrder=7"));
        // Containers run on this JVM's java unless told otherwise; the option is JDK 22+.
        if (Runtime.version().feature() >= 22) {
            options.add("-XX:TrimNativeHeapInterval=5000");
        }
        return List.copyOf(options);
    }

    private static final System.Logger logger = System.getLogger(Worker.class.getName());
    private static final int PORT_ATTEMPTS = 100;

    private final Path javaExecutable;
    private final String runtimeClasspath;
    private final List<String> jvmOptions;
    private final Duration startTimeout;
    private final Duration stopGrace;
    private final ContainerLogSink logSink;
    private final InetAddress containerHost;
    private final Sandbox sandbox;
    private final ContainerLauncher launcher;
    private final GpuNodes gpuNodes;
    private final Set<String> knownGpus;
    private final Path classDataArchive;
    /** The runtime's AOT cache; null when the worker has none. */
    private final AotCache aotCache;
    /** Read by every container's JVM: the JDK and the runtime class path (the jar and archive come per launch). */
    private final List<Path> runtimePaths;

    private final ScheduledThreadPoolExecutor timer;
    private final StateChanges changes = new StateChanges();
    private final List<ContainerListener> listeners = new CopyOnWriteArrayList<>();
    private final ContainerListener allListeners = this::notifyListeners;
    private final ConcurrentMap<String, ContainerProcess> containers = new ConcurrentHashMap<>();
    private final Set<String> idsInUse = ConcurrentHashMap.newKeySet();
    private final Set<Integer> portsInUse = ConcurrentHashMap.newKeySet();
    /** GPU UUID → the id of the container holding it, from start until the container has exited. */
    private final Map<String, String> gpuHolders = new HashMap<>();
    /** Starts hold the read lock from launch to registration; closing takes the write lock. */
    private final ReadWriteLock lifecycle = new ReentrantReadWriteLock();
    // guarded by lifecycle
    private boolean closed;
    /** Set once closing starts: pool members that exit from then on were stopped, not failed. */
    private volatile boolean closing;

    private final Thread shutdownHook;
    /** The warm pool; null when the worker has none. */
    private final WarmPool<PoolMember> pool;

    private final int warmUpCalls;
    private final CpuPriority priority;
    /** Where pool members' directories are; null without a pool. */
    private final Path poolDir;

    private final boolean ownsPoolDir;

    /** The network of containers whose function does not choose one: HOST under the process sandbox. */
    private final ContainerNetwork network;
    /** Where containers under network none keep their call sockets; null under the process sandbox. */
    private final Path socketsDir;
    /** The containers' user namespaces; null without (the process sandbox, a worker not root, a kernel that refuses). */
    private final UserNamespaces userNamespaces;
    /** Whether a function's network none was ignored (the process sandbox) and said so once. */
    private final java.util.concurrent.atomic.AtomicBoolean warnedNoNetwork =
            new java.util.concurrent.atomic.AtomicBoolean();

    private Worker(
            Builder builder,
            Path javaExecutable,
            String runtimeClasspath,
            ContainerLauncher launcher,
            Path poolDir,
            Path socketsDir,
            UserNamespaces userNamespaces,
            CpuPriority priority) {
        this.javaExecutable = javaExecutable;
        this.userNamespaces = userNamespaces;
        this.network = builder.containerNetwork;
        this.socketsDir = socketsDir;
        this.runtimeClasspath = runtimeClasspath;
        this.jvmOptions = builder.jvmOptions;
        this.classDataArchive = builder.classDataArchive;
        this.aotCache = builder.aotCache != null && AotCache.supported() ? new AotCache(builder.aotCache) : null;
        this.sandbox = builder.sandbox;
        this.launcher = launcher;
        this.gpuNodes = builder.gpuNodes != null ? builder.gpuNodes : GpuNodes.system(builder.gpus);
        this.knownGpus = builder.gpus.stream().map(GpuDevice::uuid).collect(Collectors.toUnmodifiableSet());
        this.runtimePaths = runtimePaths(javaExecutable, runtimeClasspath);
        this.startTimeout = builder.startTimeout;
        this.stopGrace = builder.stopGrace;
        this.logSink = builder.logSink;
        this.containerHost = builder.containerHost;
        this.timer = new ScheduledThreadPoolExecutor(
                1, Thread.ofPlatform().name("ferry-worker-timer").daemon().factory());
        timer.setRemoveOnCancelPolicy(true);
        this.shutdownHook = Thread.ofPlatform().name("ferry-worker-shutdown").unstarted(this::stopAll);
        this.warmUpCalls = builder.warmUpCalls;
        this.priority = priority;
        this.poolDir = poolDir;
        this.ownsPoolDir = builder.poolDirectory == null;
        this.pool = builder.warmPool == 0
                ? null
                : new WarmPool<>(
                        WarmPool.Limits.forCores(
                                builder.warmPool, Runtime.getRuntime().availableProcessors()),
                        new PoolMembers(),
                        task -> Thread.ofVirtual().name("ferry-pool-launch").start(task));
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        if (aotCache != null && !aotCache.ready()) {
            Thread.ofVirtual().name("ferry-aot-training").start(this::trainAotCache);
        }
        if (pool != null) {
            pool.start();
        }
    }

    /** The training run of the AOT cache: a pool member, run as a plain process (only Ferry's code runs in it). */
    private void trainAotCache() {
        int port;
        try {
            port = reservePort();
        } catch (IOException e) {
            logger.log(System.Logger.Level.WARNING, "no port for the AOT cache's training run: " + e.getMessage());
            return;
        }
        try {
            String token = ContainerCommand.newReadyToken();
            List<String> options = new ArrayList<>(AotCache.compatible(jvmOptions));
            options.add(aotCache.outputOption());
            options.addAll(AotCache.LOG_OPTIONS);
            aotCache.train(
                    priority.member(ContainerCommand.pool(
                            javaExecutable,
                            options,
                            runtimeClasspath,
                            "pm-training",
                            containerHost.getHostAddress(),
                            port,
                            Math.min(AotCache.TRAINING_CALLS, warmUpCalls))),
                    Map.of(
                            ContainerCommand.READY_TOKEN_ENV,
                            token,
                            ContainerCommand.SECRET_ENV,
                            ContainerSecret.generate().encoded()),
                    ContainerCommand.startedLine(token),
                    ContainerCommand.pooledLine(token));
        } finally {
            portsInUse.remove(port);
        }
    }

    /**
     * What a container's JVM ({@code member} false) or a pool member's reads besides the
     * system, for its sandbox to show: the JDK and runtime class path, the archive or cache that
     * {@link #jvmOptionsForLaunch} gives it, and {@code own} (the jar, or the member's directory).
     */
    private List<Path> readablePaths(boolean member, Path own) {
        List<Path> readable = new ArrayList<>(runtimeReadable(member));
        readable.add(own);
        return readable;
    }

    /** What every container's JVM reads, as {@link #readablePaths} but the container's own. */
    private List<Path> runtimeReadable(boolean member) {
        List<Path> readable = new ArrayList<>(runtimePaths);
        if (aotCache != null && aotCache.ready()) {
            readable.add(aotCache.file());
        } else if (classDataArchive != null) {
            readable.add(member ? poolArchive(classDataArchive) : classDataArchive);
        }
        return readable;
    }

    /** A user namespace for container {@code id}, which reads {@code shared} and {@code jar}; null without. */
    private UserNamespace openUserNamespace(String id, List<Path> shared, Path jar) throws IOException {
        return userNamespaces == null ? null : userNamespaces.open(id, shared, jar);
    }

    private void releaseUserNamespace(UserNamespace namespace) {
        if (namespace != null) {
            userNamespaces.release(namespace);
        }
    }

    /** A container of this worker, watched through {@code process}, on {@code port}. */
    private ContainerProcess newContainer(
            String id,
            ContainerSpec spec,
            int port,
            Instant startedAt,
            SandboxedProcess process,
            String token,
            ContainerSecret secret,
            CallSocket socket) {
        return new ContainerProcess(
                id,
                spec,
                new InetSocketAddress(containerHost, port),
                socket.name(),
                startedAt,
                process,
                token,
                secret,
                startTimeout,
                stopGrace,
                timer,
                logSink,
                changes,
                allListeners,
                this::forget);
    }

    /** The pool members' class data archive, beside the fresh containers' one. */
    private static Path poolArchive(Path archive) {
        return archive.resolveSibling(archive.getFileName().toString().replace(".jsa", "") + "-pool.jsa");
    }

    private static List<String> concat(List<String> list, String... more) {
        List<String> all = new ArrayList<>(list);
        all.addAll(List.of(more));
        return List.copyOf(all);
    }

    /** The JDK's home (where the launcher really is) and the class path's entries: what a sandbox must show. */
    private static List<Path> runtimePaths(Path javaExecutable, String runtimeClasspath) {
        Set<Path> paths = new LinkedHashSet<>();
        try {
            Path home = javaExecutable.toRealPath().getParent().getParent();
            if (home != null) {
                paths.add(home);
            }
        } catch (IOException e) {
            // a launcher that is gone fails the launch with its own message
        }
        paths.add(javaExecutable.toAbsolutePath());
        for (String entry : runtimeClasspath.split(File.pathSeparator)) {
            if (entry.isBlank()) {
                continue;
            }
            Path path = Path.of(entry.endsWith("*") ? entry.substring(0, entry.length() - 1) : entry);
            paths.add(path.toAbsolutePath().normalize());
        }
        return List.copyOf(paths);
    }

    /**
     * The JVM options of a container ({@code member} false) or of a pool member: the worker's,
     * plus the AOT cache once it exists, else the class data archive.
     *
     * <p>The AOT cache was trained as a pool member, so a fresh container that uses it runs
     * with a member's {@link ContainerCommand#POOL_JVM_OPTIONS} too: the JVM maps a cache or an
     * archive only under the module options it was made with. For the same reason pool
     * members and fresh containers keep separate class data archives.
     *
     * <p>A process container creates the archive and keeps it current; a sandboxed one must
     * not write where other containers read (a crafted archive would run code in them), so it
     * maps the archive read-only if one exists, and goes without otherwise.
     */
    private List<String> jvmOptionsForLaunch(boolean member) {
        if (aotCache != null && aotCache.ready()) {
            List<String> options = new ArrayList<>(member ? List.of() : ContainerCommand.POOL_JVM_OPTIONS);
            options.addAll(AotCache.compatible(jvmOptions));
            options.addAll(aotCache.options());
            return List.copyOf(options);
        }
        if (classDataArchive == null) {
            return jvmOptions;
        }
        Path classDataArchive = member ? poolArchive(this.classDataArchive) : this.classDataArchive;
        // Archiving warns about every optional class it cannot verify (Netty's loggers for
        // absent libraries): noise in the user's log. Errors still show.
        if (launcher.writesClassDataArchive()) {
            return concat(
                    jvmOptions,
                    "-XX:+AutoCreateSharedArchive",
                    "-XX:SharedArchiveFile=" + classDataArchive,
                    "-Xlog:cds=error",
                    "-Xlog:cds+dynamic=error");
        }
        if (Files.isRegularFile(classDataArchive)) {
            return concat(
                    jvmOptions,
                    "-XX:SharedArchiveFile=" + classDataArchive,
                    "-Xlog:cds=error",
                    "-Xlog:cds+dynamic=error");
        }
        return jvmOptions;
    }

    /** A builder with every option at its default. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Launches a container for {@code spec}.
     *
     * @return completes with the container once it is {@link ContainerState#READY}; completes
     *     exceptionally with a {@link ContainerStartException}, whose message ends with what the
     *     container wrote on stderr, if it cannot be launched, exits first, is stopped first, or
     *     is not ready within the start timeout (it is then killed); with an
     *     {@link IllegalStateException} if the worker is closed. Cancelling it stops the container.
     * @throws IllegalArgumentException when a GPU of the spec is held by a container of this
     *     worker that has not exited, or is not one of the worker's {@link Builder#gpus GPUs}
     */
    public CompletableFuture<Container> start(ContainerSpec spec) {
        Objects.requireNonNull(spec, "spec");
        String id = reserveId();
        reserveGpus(id, spec);
        return launchReserved(id, spec);
    }

    /**
     * Launches a container for {@code spec} under the id {@code id}, which a controller chose
     * (see {@link #newContainerId()}); otherwise as {@link #start(ContainerSpec)}.
     *
     * @throws IllegalArgumentException when {@code id} is malformed or already in use here, or
     *     as {@link #start(ContainerSpec)} for the spec's GPUs
     */
    public CompletableFuture<Container> start(String id, ContainerSpec spec) {
        Objects.requireNonNull(spec, "spec");
        ContainerIds.check(id);
        if (!idsInUse.add(id)) {
            throw new IllegalArgumentException("container id: " + id + " (expected: one not in use on this worker)");
        }
        reserveGpus(id, spec);
        return launchReserved(id, spec);
    }

    /** The sandbox containers run in. */
    public Sandbox sandbox() {
        return sandbox;
    }

    /**
     * Which container holds each GPU now: GPU UUID → container id, for containers that have
     * not exited (those starting included). A snapshot.
     */
    public Map<String, String> gpuHolders() {
        synchronized (gpuHolders) {
            return Map.copyOf(gpuHolders);
        }
    }

    /** Takes the spec's GPUs for container {@code id}, all or none; on failure gives up the id too. */
    private void reserveGpus(String id, ContainerSpec spec) {
        if (spec.gpus().isEmpty()) {
            return;
        }
        synchronized (gpuHolders) {
            for (String gpu : spec.gpus()) {
                String holder = gpuHolders.get(gpu);
                String problem = null;
                if (holder != null) {
                    problem = "gpus: " + gpu + " is held by container " + holder
                            + " (expected: a GPU that no running container of this worker holds)";
                } else if (!knownGpus.isEmpty() && !knownGpus.contains(gpu)) {
                    problem = "gpus: " + gpu + " (expected: one of this worker's GPUs "
                            + knownGpus.stream().sorted().toList() + ")";
                }
                if (problem != null) {
                    idsInUse.remove(id);
                    throw new IllegalArgumentException(problem);
                }
            }
            spec.gpus().forEach(gpu -> gpuHolders.put(gpu, id));
        }
    }

    private void releaseGpus(String id, ContainerSpec spec) {
        synchronized (gpuHolders) {
            spec.gpus().forEach(gpu -> gpuHolders.remove(gpu, id));
        }
    }

    /** A fresh random container id: {@code ct-} and 8 base32 characters. */
    public static String newContainerId() {
        return ContainerIds.next();
    }

    private CompletableFuture<Container> launchReserved(String reservedId, ContainerSpec spec) {
        Lock lock = lifecycle.readLock();
        lock.lock();
        try {
            if (closed) {
                idsInUse.remove(reservedId);
                releaseGpus(reservedId, spec);
                return CompletableFuture.failedFuture(new IllegalStateException("worker is closed"));
            }
            return launch(reservedId, spec);
        } finally {
            lock.unlock();
        }
    }

    /** The containers that have not exited, oldest first. A snapshot. */
    public List<Container> containers() {
        List<Container> list = new ArrayList<>(containers.values());
        list.sort(Comparator.comparing(Container::startedAt).thenComparing(Container::id));
        return List.copyOf(list);
    }

    /** The container with {@code id}, unless it has exited (or never was). */
    public Optional<Container> container(String id) {
        return Optional.ofNullable(containers.get(id));
    }

    /** Adds a listener for the state changes of all containers, from now on. */
    public void addListener(ContainerListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** Removes a listener added before; it may still hear a change already being delivered. */
    public void removeListener(ContainerListener listener) {
        listeners.remove(listener);
    }

    /**
     * Stops every container as {@link Container#stop()} does (SIGTERM, then SIGKILL after the
     * stop grace) and blocks until all have exited and listeners have heard it. Afterwards no
     * container process of this worker is alive and {@link #start(ContainerSpec)} fails.
     * Idempotent. If interrupted, kills the containers at once, still waits for them to exit,
     * and returns with the interrupt flag set.
     */
    @Override
    public void close() {
        stopAll();
        if (Thread.currentThread() != shutdownHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException e) {
                // the JVM is shutting down; the hook finds nothing left to stop
            }
        }
        timer.shutdownNow();
        launcher.close();
        if (socketsDir != null) {
            deleteTree(socketsDir);
        }
        if (userNamespaces != null) {
            userNamespaces.close();
        }
    }

    @Override
    public String toString() {
        return "Worker[" + sandbox.name() + ", " + containers.size() + " containers]";
    }

    private CompletableFuture<Container> launch(String id, ContainerSpec spec) {
        ContainerNetwork network = networkOf(spec);
        // GPU containers start fresh: CUDA reads CUDA_VISIBLE_DEVICES once, natively, where a
        // member's late environment does not reach, and a sandbox binds device nodes at its start.
        // So do those whose function wants another network than the worker's: a member's
        // namespaces were made at its start, in the worker's.
        if (pool != null && spec.gpus().isEmpty() && network == memberNetwork()) {
            for (Optional<PoolMember> member = pool.take(); member.isPresent(); member = pool.take()) {
                if (member.get().claim()) {
                    return assign(id, spec, member.get());
                }
                // it exited meanwhile (its exit handler cleans up): the next one
            }
        }
        int port;
        try {
            port = reservePort();
        } catch (IOException e) {
            idsInUse.remove(id);
            releaseGpus(id, spec);
            return CompletableFuture.failedFuture(ContainerStartException.ofLaunch(
                    id,
                    "container " + id + " (" + spec.function() + "): no free port on " + containerHost.getHostAddress()
                            + ": " + e.getMessage(),
                    e));
        }
        String token = ContainerCommand.newReadyToken();
        ContainerSecret secret = ContainerSecret.generate();
        List<Path> shared = runtimeReadable(false);
        List<Path> readable = readablePaths(false, spec.jar());
        Instant startedAt = Instant.now();
        SandboxedProcess process;
        CallSocket socket = null;
        UserNamespace namespace = null;
        try {
            if (!(launcher instanceof ProcessLauncher)) {
                namespace = openUserNamespace(id, shared, spec.jar());
            }
            socket = callSocket(network, token, namespace);
            List<String> command = ContainerCommand.of(
                    javaExecutable,
                    jvmOptionsForLaunch(false),
                    runtimeClasspath,
                    id,
                    spec,
                    socket.bindHost(containerHost.getHostAddress()),
                    port);
            Map<String, String> environment =
                    new java.util.LinkedHashMap<>(ContainerEnvironment.added(id, spec, token, secret));
            environment.putAll(socket.environment());
            List<Path> gpuDevices = launcher instanceof ProcessLauncher ? List.of() : gpuNodes.nodes(spec.gpus());
            process = launcher.launch(new ContainerLaunch(
                    id, spec.limits(), command, environment, readable, gpuDevices, network, socket.dir(), namespace));
        } catch (IOException | RuntimeException e) {
            idsInUse.remove(id);
            portsInUse.remove(port);
            releaseGpus(id, spec);
            if (socket != null) {
                socket.delete();
            }
            releaseUserNamespace(namespace);
            String with = launcher instanceof ProcessLauncher
                    ? " with " + javaExecutable
                    : " in its " + sandbox.name() + " sandbox";
            return CompletableFuture.failedFuture(ContainerStartException.ofLaunch(
                    id,
                    "container " + id + " (" + spec.function() + ") could not be launched" + with + ": "
                            + e.getMessage(),
                    e));
        }
        ContainerProcess container = newContainer(id, spec, port, startedAt, process, token, secret, socket);
        containers.put(id, container);
        CallSocket launched = socket;
        UserNamespace launchedIn = namespace;
        container.exited().whenComplete((code, e) -> {
            launched.delete();
            releaseUserNamespace(launchedIn);
        });
        logger.log(System.Logger.Level.DEBUG, () -> "launched " + container);
        container.watch(null);
        return container.startFuture();
    }

    /**
     * Makes pool member {@code member} container {@code id}: its jar where the sandbox shows
     * it, its CPU priority and limits, then the assignment on its standard input. From then on
     * it is a container like any other, watched through the output it already had.
     */
    private CompletableFuture<Container> assign(String id, ContainerSpec spec, PoolMember member) {
        Path jar = spec.jar();
        long start = System.nanoTime();
        long placed, limited;
        try {
            if (!(launcher instanceof ProcessLauncher)) {
                jar = member.place(spec.jar());
            }
            placed = System.nanoTime();
            member.sandboxed().applyLimits(spec.limits());
            limited = System.nanoTime();
        } catch (IOException | RuntimeException e) {
            member.sandboxed().kill();
            member.sandboxed().process().onExit().thenRun(() -> release(member));
            idsInUse.remove(id);
            releaseGpus(id, spec);
            return CompletableFuture.failedFuture(ContainerStartException.ofLaunch(
                    id,
                    "container " + id + " (" + spec.function() + ") could not be assigned pool member " + member.id()
                            + ": " + e.getMessage(),
                    e));
        }
        ContainerProcess container = newContainer(
                id,
                spec,
                member.port(),
                Instant.now(),
                member.sandboxed(),
                member.readyToken(),
                member.secret(),
                member.socket());
        containers.put(id, container);
        container.watch(member.output());
        Map<String, String> environment = new java.util.LinkedHashMap<>(spec.environment());
        environment.put(ContainerEnvironment.CONTAINER_ID, id);
        try {
            member.assign(ContainerCommand.assignment(id, spec, jar, environment));
        } catch (IOException e) {
            // It exited: the container's exit handling says so, with what it wrote on stderr.
            logger.log(System.Logger.Level.DEBUG, "writing the assignment to " + member, e);
        }
        long assigned = System.nanoTime();
        logger.log(
                System.Logger.Level.DEBUG,
                () -> "assigned " + member + " as " + container + " (jar " + micros(placed - start) + ", limits "
                        + micros(limited - placed) + ", assignment " + micros(assigned - limited) + ")");
        // After the assignment, and on a thread of its own: renice is a process to start and
        // wait for (5-20 ms), and the caller's thread (the agent's) is the one that reports
        // the container ready; the member loads its function meanwhile.
        if (member.niced()) {
            Thread.ofVirtual().name("ferry-" + id + "-renice").start(() -> {
                try {
                    priority.raise(member.sandboxed().process());
                } catch (IOException e) {
                    logger.log(
                            System.Logger.Level.WARNING,
                            "container " + id + " keeps the pool's lower CPU priority: " + e.getMessage());
                }
            });
        }
        container.exited().whenComplete((code, e) -> {
            deleteTree(member.appDir());
            member.socket().delete();
            releaseUserNamespace(member.userNamespace());
        });
        return container.startFuture();
    }

    private static String micros(long nanos) {
        return nanos / 1000 + " µs";
    }

    /** How the worker's pool starts, stops and waits for its members. */
    private final class PoolMembers implements WarmPool.Members<PoolMember> {

        @Override
        public PoolMember launch() throws IOException {
            return launchMember();
        }

        @Override
        public void watch(PoolMember member) {
            watchMember(member);
        }

        @Override
        public void warmUp(PoolMember member) {
            try {
                member.warmUp();
            } catch (IOException e) {
                // it exited, or was just assigned: its exit or its container says so
                logger.log(System.Logger.Level.DEBUG, "telling " + member + " to warm up", e);
            }
        }

        @Override
        public void stop(PoolMember member) {
            member.sandboxed().terminate();
        }

        @Override
        public void schedule(Runnable task, Duration delay) {
            try {
                timer.schedule(task, delay.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // the worker is closing: no more members
            }
        }
    }

    /** Starts a pool member: the runtime without a function, in the sandbox, reporting to the pool. */
    private PoolMember launchMember() throws IOException {
        String memberId = "pm-" + ContainerIds.next().substring(ContainerIds.PREFIX.length());
        int port = reservePort();
        List<Path> shared = runtimeReadable(true);
        UserNamespace namespace;
        Path appDir;
        try {
            namespace = launcher instanceof ProcessLauncher ? null : openUserNamespace(memberId, shared, null);
            try {
                // In a user namespace, in the member's own directory, which its user can reach.
                appDir = namespace != null
                        ? UserNamespaces.newDirectory(namespace, "app")
                        : Files.createDirectory(poolDir.resolve(memberId));
            } catch (IOException e) {
                releaseUserNamespace(namespace);
                throw e;
            }
        } catch (IOException e) {
            portsInUse.remove(port);
            throw e;
        }
        String token = ContainerCommand.newReadyToken();
        List<Path> readable = readablePaths(true, appDir);
        ContainerSecret secret = ContainerSecret.generate();
        SandboxedProcess process;
        CallSocket socket = null;
        try {
            socket = callSocket(memberNetwork(), token, namespace);
            List<String> command = priority.member(ContainerCommand.pool(
                    javaExecutable,
                    jvmOptionsForLaunch(true),
                    runtimeClasspath,
                    memberId,
                    socket.bindHost(containerHost.getHostAddress()),
                    port,
                    warmUpCalls));
            Map<String, String> environment = new java.util.LinkedHashMap<>(ContainerEnvironment.gpus(List.of()));
            environment.put(ContainerCommand.READY_TOKEN_ENV, token);
            environment.put(ContainerCommand.SECRET_ENV, secret.encoded());
            environment.putAll(socket.environment());
            process = launcher.launch(new ContainerLaunch(
                    memberId,
                    ContainerLimits.NONE,
                    command,
                    environment,
                    readable,
                    List.of(),
                    socket.network(),
                    socket.dir(),
                    namespace));
        } catch (IOException | RuntimeException e) {
            portsInUse.remove(port);
            deleteTree(appDir);
            if (socket != null) {
                socket.delete();
            }
            releaseUserNamespace(namespace);
            throw e;
        }
        PoolMember member = new PoolMember(
                memberId,
                port,
                token,
                secret,
                socket,
                process,
                appDir,
                namespace,
                priority.nicesMembers(),
                Instant.now());
        logger.log(System.Logger.Level.DEBUG, () -> "launched " + member);
        return member;
    }

    /** Reads a member's output and waits for its exit, reporting both to the pool. */
    private void watchMember(PoolMember member) {
        String memberId = member.id();
        String startedLine = ContainerCommand.startedLine(member.readyToken());
        String pooledLine = ContainerCommand.pooledLine(member.readyToken());
        member.output(ProcessOutput.read(
                memberId,
                member.sandboxed().process(),
                line -> {
                    if (line.equals(startedLine)) {
                        logger.log(
                                System.Logger.Level.DEBUG,
                                () -> member + " started in "
                                        + Duration.between(member.launchedAt(), Instant.now())
                                                .toMillis() + " ms");
                        pool.started(member);
                    } else if (line.equals(pooledLine)) {
                        logger.log(
                                System.Logger.Level.DEBUG,
                                () -> member + " warm "
                                        + Duration.between(member.launchedAt(), Instant.now())
                                                .toMillis()
                                        + " ms after its launch");
                        pool.warm(member);
                    } else {
                        logger.log(System.Logger.Level.DEBUG, () -> "pool member " + memberId + ": " + line);
                    }
                },
                line -> {
                    member.stderr().add(line);
                    logger.log(System.Logger.Level.DEBUG, () -> "pool member " + memberId + ": " + line);
                }));
        member.sandboxed()
                .process()
                .onExit()
                .whenCompleteAsync(
                        (p, e) -> memberExited(member),
                        task -> Thread.ofVirtual()
                                .name("ferry-" + memberId + "-exit")
                                .start(task));
    }

    /** A member's process ended: unless it had become a container (which handles its own exit), clean up and tell the pool. */
    private void memberExited(PoolMember member) {
        if (!member.exitedUnassigned()) {
            return;
        }
        release(member);
        int code = member.sandboxed().process().exitValue();
        boolean failed = !closing;
        if (failed) {
            logger.log(
                    System.Logger.Level.WARNING,
                    "pool member " + member.id() + " exited with code " + code + " before it was assigned"
                            + ContainerStartException.describe(member.stderr().lines()));
        }
        pool.exited(member, failed);
    }

    /** What a member held: its sandbox's leftovers, its port, its directory. */
    private void release(PoolMember member) {
        try {
            member.sandboxed().cleanUp();
        } catch (RuntimeException e) {
            logger.log(System.Logger.Level.WARNING, "cleaning up after pool member " + member.id(), e);
        }
        member.output().awaitEnd(ContainerProcess.OUTPUT_AFTER_EXIT);
        portsInUse.remove(member.port());
        deleteTree(member.appDir());
        member.socket().delete();
        releaseUserNamespace(member.userNamespace());
        member.released().complete(null);
    }

    /** The containers' user namespaces, where they have them. */
    Optional<UserNamespaces> userNamespaces() {
        return Optional.ofNullable(userNamespaces);
    }

    /** How full the warm pool is; all zero without one. */
    public PoolStatus pool() {
        if (pool == null) {
            return PoolStatus.NONE;
        }
        WarmPool.Status s = pool.status();
        return new PoolStatus(s.size(), s.idle(), s.warm(), s.starting());
    }

    /**
     * Completes once the warm pool's first member has started, so that a container start takes
     * milliseconds from then on (or the worker closed); at once without a pool.
     */
    public CompletableFuture<Void> poolStarted() {
        return pool == null ? CompletableFuture.completedFuture(null) : pool.firstStarted();
    }

    /**
     * The network container {@code spec} gets: its function's, else the worker's. The process
     * sandbox has no namespaces: a function that wants none runs on the host's network there,
     * with one warning.
     */
    private ContainerNetwork networkOf(ContainerSpec spec) {
        ContainerNetwork wanted = spec.network().or(network);
        if (wanted == ContainerNetwork.NONE && socketsDir == null) {
            if (warnedNoNetwork.compareAndSet(false, true)) {
                logger.log(
                        System.Logger.Level.WARNING,
                        "function " + spec.function() + " asks for network none, which the process sandbox cannot"
                                + " give: its containers, and any others that ask, run on the host's network"
                                + " (use --sandbox bwrap or runc)");
            }
            return ContainerNetwork.HOST;
        }
        return wanted;
    }

    /** The network pool members start in: the worker's default. */
    private ContainerNetwork memberNetwork() {
        return network;
    }

    /**
     * Where a container or member with ready token {@code token} on {@code network}, in user
     * namespace {@code namespace} (or null), is called from this machine.
     */
    private CallSocket callSocket(ContainerNetwork network, String token, UserNamespace namespace) throws IOException {
        return network == ContainerNetwork.NONE
                ? CallSocket.none(socketsDir, token, namespace == null ? null : namespace.user())
                : CallSocket.host(token);
    }

    private static void deleteTree(Path dir) {
        try {
            OciBundle.delete(dir);
        } catch (IOException e) {
            logger.log(System.Logger.Level.DEBUG, "removing " + dir, e);
        }
    }

    private String reserveId() {
        while (true) {
            String id = ContainerIds.next();
            if (idsInUse.add(id)) {
                return id;
            }
        }
    }

    /** A free port no other container of this worker was given (the system may hand one out twice). */
    private int reservePort() throws IOException {
        for (int attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
            int port = LoopbackPorts.pick(containerHost);
            if (portsInUse.add(port)) {
                return port;
            }
        }
        throw new IOException(PORT_ATTEMPTS + " ports picked were all in use by this worker's containers");
    }

    /** Called by a container that has exited, before listeners hear it. */
    private void forget(ContainerProcess container) {
        containers.remove(container.id(), container);
        releaseGpus(container.id(), container.spec());
        idsInUse.remove(container.id());
        portsInUse.remove(container.port());
    }

    private void notifyListeners(Container container, ContainerState state) {
        for (ContainerListener listener : listeners) {
            try {
                listener.stateChanged(container, state);
            } catch (RuntimeException e) {
                logger.log(
                        System.Logger.Level.WARNING,
                        "container listener " + listener + " failed on " + container.id() + " " + state,
                        e);
            }
        }
    }

    private void stopAll() {
        Lock lock = lifecycle.writeLock();
        lock.lock();
        try {
            closed = true;
            closing = true;
        } finally {
            lock.unlock();
        }
        List<PoolMember> members = pool == null ? List.of() : pool.close();
        if (aotCache != null) {
            aotCache.stop();
        }
        List<CompletableFuture<Integer>> exits = new ArrayList<>();
        for (ContainerProcess container : containers.values()) {
            exits.add(container.stop());
        }
        CompletableFuture<Void> all = CompletableFuture.allOf(exits.toArray(CompletableFuture[]::new));
        boolean interrupted = false;
        while (true) {
            try {
                all.get();
                changes.awaitDelivered();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
                containers.values().forEach(ContainerProcess::kill);
            } catch (ExecutionException e) {
                throw new AssertionError("exit futures never fail", e);
            }
        }
        stopMembers(members);
        if (ownsPoolDir && poolDir != null) {
            deleteTree(poolDir);
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits for the pool's members, asked to stop by the pool, to exit (killing them after the stop grace) and be cleaned up. */
    private void stopMembers(List<PoolMember> members) {
        CompletableFuture<Void> all = CompletableFuture.allOf(
                members.stream().map(PoolMember::released).toArray(CompletableFuture[]::new));
        try {
            all.get(stopGrace.toMillis() + 1, java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            members.forEach(m -> m.sandboxed().kill());
            all.join();
        } catch (InterruptedException e) {
            members.forEach(m -> m.sandboxed().kill());
            all.join();
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            throw new AssertionError("release futures never fail", e);
        }
    }

    /**
     * Options of a {@link Worker}. Not thread-safe; each {@link #build()} makes an independent
     * worker from the current options.
     */
    public static final class Builder {

        private Path javaExecutable;
        private String runtimeClasspath;
        private List<String> jvmOptions = DEFAULT_JVM_OPTIONS;
        private Duration startTimeout = DEFAULT_START_TIMEOUT;
        private Duration stopGrace = DEFAULT_STOP_GRACE;
        private ContainerLogSink logSink = ContainerLogSink.console();
        private InetAddress containerHost = LoopbackPorts.LOOPBACK;
        private Path classDataArchive;
        private Sandbox sandbox = Sandbox.process();
        private List<GpuDevice> gpus = List.of();
        private GpuNodes gpuNodes;
        private String toolPath = System.getenv("PATH");
        private boolean userNamespaces = true;
        private CgroupMemory cgroups;
        private int warmPool;
        private int warmUpCalls = DEFAULT_WARM_UP_CALLS;
        private Path poolDirectory;
        private Path aotCache;
        private ContainerNetwork containerNetwork = ContainerNetwork.HOST;

        private Builder() {}

        /**
         * The container runtime's AOT cache (JDK 25+; ignored before): made by a training run
         * in the background when the file is missing, and used by every container started
         * once it exists, in place of the class data archive. See {@link AotCache}. Default none.
         */
        public Builder aotCache(Path file) {
            this.aotCache = Objects.requireNonNull(file, "file");
            return this;
        }

        /**
         * How many warm pool members to keep: runtime processes started ahead of demand, warmed
         * up on synthetic calls, each of which becomes a container in milliseconds when the worker
         * starts one (see {@link WarmPool}). Containers with GPUs always start fresh. 0, the
         * default, for none: every container is a fresh JVM.
         */
        public Builder warmPool(int members) {
            if (members < 0) {
                throw new IllegalArgumentException("warmPool: " + members + " (expected: >= 0)");
            }
            this.warmPool = members;
            return this;
        }

        /**
         * How many synthetic calls a pool member makes to itself before it waits in the pool.
         * Default {@link #DEFAULT_WARM_UP_CALLS}; 0 skips the warm-up (a member is then only
         * started, not warm).
         */
        public Builder warmUpCalls(int calls) {
            if (calls < 0) {
                throw new IllegalArgumentException("warmUpCalls: " + calls + " (expected: >= 0)");
            }
            this.warmUpCalls = calls;
            return this;
        }

        /**
         * Where pool members get their directories (the worker puts the assigned jar there, and
         * the sandbox shows it to the member); what is in it is removed when the worker is built.
         * Default: a new temporary directory, removed when the worker closes.
         */
        public Builder poolDirectory(Path dir) {
            this.poolDirectory = Objects.requireNonNull(dir, "dir");
            return this;
        }

        /**
         * How containers are isolated: {@link Sandbox#process()} (the default),
         * {@link Sandbox#bwrap()} or {@link Sandbox#runc(Path)}; see {@link Sandbox}. Only a
         * runc worker enforces {@link ContainerLimits} and reports out-of-memory exits.
         */
        public Builder sandbox(Sandbox sandbox) {
            this.sandbox = Objects.requireNonNull(sandbox, "sandbox");
            return this;
        }

        /**
         * The GPUs of this machine, as {@link GpuDetector} finds them. When given, a spec may
         * name only these; a bwrap or runc worker needs them to give a container the device
         * nodes of its GPUs (by the driver's minor numbers, else these indexes). Default: none
         * known, in which case a process worker takes any GPU UUID a spec names, and passes it
         * on in the environment only.
         */
        public Builder gpus(List<GpuDevice> gpus) {
            this.gpus = List.copyOf(Objects.requireNonNull(gpus, "gpus"));
            return this;
        }

        /** For tests: GPU device nodes from elsewhere than /dev and the driver's /proc files. */
        Builder gpuNodes(GpuNodes gpuNodes) {
            this.gpuNodes = gpuNodes;
            return this;
        }

        /** For tests: the PATH to find bwrap and runc on, in place of this process's. */
        /**
         * Whether containers under bwrap or runc run in user namespaces of their own where the
         * worker is root and the kernel allows them (the default), or as root without
         * capabilities.
         */
        public Builder userNamespaces(boolean userNamespaces) {
            this.userNamespaces = userNamespaces;
            return this;
        }

        Builder toolPath(String toolPath) {
            this.toolPath = toolPath;
            return this;
        }

        /** For tests: where cgroup memory files are, in place of this machine's. */
        Builder cgroups(CgroupMemory cgroups) {
            this.cgroups = cgroups;
            return this;
        }

        /**
         * A class data sharing archive for containers: created by the first container that
         * exits normally, and mapped by every container after it, so the runtime's classes
         * load from it instead of from jars (JDK 19+, {@code -XX:+AutoCreateSharedArchive}).
         * The JVM validates the archive against the class path and recreates it when they
         * no longer match. Default: none.
         */
        public Builder classDataArchive(Path archive) {
            this.classDataArchive = Objects.requireNonNull(archive, "archive");
            return this;
        }

        /**
         * The {@code java} launcher containers run with. Default: the one of the JVM the
         * worker runs in ({@code ${java.home}/bin/java}), else the command this JVM was started
         * with, else {@code $JAVA_HOME/bin/java}.
         */
        public Builder javaExecutable(Path javaExecutable) {
            this.javaExecutable = Objects.requireNonNull(javaExecutable, "javaExecutable");
            return this;
        }

        /**
         * The class path containers run with; it must hold the function runtime
         * ({@code ferry-function-runtime} and its dependencies). The user's jar is not on it:
         * the runtime loads that itself. Default: this JVM's {@code java.class.path}.
         */
        public Builder runtimeClasspath(String runtimeClasspath) {
            Objects.requireNonNull(runtimeClasspath, "runtimeClasspath");
            if (runtimeClasspath.isBlank()) {
                throw new IllegalArgumentException(
                        "runtimeClasspath: \"" + runtimeClasspath + "\" (expected: a class path)");
            }
            this.runtimeClasspath = runtimeClasspath;
            return this;
        }

        /**
         * JVM options for every container, in place of {@link #DEFAULT_JVM_OPTIONS} (pass them
         * along with your own to keep them). The worker adds
         * {@code -Dstdout.encoding=UTF-8 -Dstderr.encoding=UTF-8} before these.
         */
        public Builder jvmOptions(List<String> jvmOptions) {
            this.jvmOptions = List.copyOf(Objects.requireNonNull(jvmOptions, "jvmOptions"));
            return this;
        }

        /**
         * How long a container may take from launch to ready before it is killed and its start
         * fails. Default: {@link #DEFAULT_START_TIMEOUT} (60 s), room for start hooks that load
         * a model.
         */
        public Builder startTimeout(Duration startTimeout) {
            Objects.requireNonNull(startTimeout, "startTimeout");
            if (startTimeout.isNegative() || startTimeout.isZero()) {
                throw new IllegalArgumentException("startTimeout: " + startTimeout + " (expected: > 0)");
            }
            this.startTimeout = startTimeout;
            return this;
        }

        /**
         * How long a stopped container may take, after SIGTERM, to finish its calls and exit
         * before it gets SIGKILL. Zero kills at once. Default: {@link #DEFAULT_STOP_GRACE} (10 s).
         */
        public Builder stopGrace(Duration stopGrace) {
            Objects.requireNonNull(stopGrace, "stopGrace");
            if (stopGrace.isNegative()) {
                throw new IllegalArgumentException("stopGrace: " + stopGrace + " (expected: >= 0)");
            }
            this.stopGrace = stopGrace;
            return this;
        }

        /** Where container output goes. Default: {@link ContainerLogSink#console()}. */
        public Builder logSink(ContainerLogSink logSink) {
            this.logSink = Objects.requireNonNull(logSink, "logSink");
            return this;
        }

        /**
         * The network of containers whose function does not choose one
         * ({@link ContainerSpec#network()} {@link ContainerNetwork#DEFAULT}), and of pool members.
         * Default {@link ContainerNetwork#HOST}. {@link ContainerNetwork#NONE} needs the bwrap or
         * runc sandbox ({@link #build()} refuses it with the process sandbox): such a container
         * is called over a socket file, from this machine only (see worker/README.md).
         */
        public Builder containerNetwork(ContainerNetwork network) {
            Objects.requireNonNull(network, "network");
            if (network == ContainerNetwork.DEFAULT) {
                throw new IllegalArgumentException("containerNetwork: default (expected: none or host)");
            }
            this.containerNetwork = network;
            return this;
        }

        /**
         * The address containers listen on and are called at. Default 127.0.0.1, reachable by
         * gateways on this machine only. Another address lets gateways on other machines call
         * containers; their call port has no authentication of its own, so that address must be
         * on a private network.
         */
        public Builder containerHost(InetAddress host) {
            this.containerHost = Objects.requireNonNull(host, "host");
            return this;
        }

        /**
         * A new worker with these options. A runc worker takes its state directory's lock now
         * and removes the containers an earlier worker left there.
         *
         * @throws IllegalStateException if no default {@code java} launcher can be found; if
         *     the sandbox's tool is not on the PATH ({@code --sandbox runc: runc not found on
         *     PATH (install the runc package)}); for runc, if this process is not root or
         *     another worker holds the state directory
         * @throws IllegalArgumentException if the {@code java} launcher is not an executable file
         */
        public Worker build() {
            Path java = javaExecutable != null ? javaExecutable : defaultJavaExecutable();
            if (!Files.isRegularFile(java) || !Files.isExecutable(java)) {
                throw new IllegalArgumentException("javaExecutable: " + java + " (expected: an executable file)");
            }
            String classpath = runtimeClasspath != null ? runtimeClasspath : System.getProperty("java.class.path", "");
            if (classpath.isBlank()) {
                throw new IllegalStateException("no runtimeClasspath given and java.class.path is empty");
            }
            if (containerNetwork == ContainerNetwork.NONE && sandbox.equals(Sandbox.process())) {
                throw new IllegalStateException("--container-network none: the process sandbox has no network"
                        + " namespace (expected: --sandbox bwrap or runc, or --container-network host)");
            }
            Path poolDir = null;
            if (warmPool > 0) {
                try {
                    if (poolDirectory != null) {
                        // What members of a worker that was killed here left behind.
                        OciBundle.delete(poolDirectory);
                        poolDir = Files.createDirectories(poolDirectory);
                    } else {
                        poolDir = Files.createTempDirectory("ferry-pool-");
                    }
                } catch (IOException e) {
                    throw new IllegalStateException("warm pool: cannot create its directory: " + e.getMessage(), e);
                }
            }
            ContainerLauncher launcher = launcher();
            UserNamespaces namespaces;
            try {
                namespaces = userNamespaces();
            } catch (RuntimeException e) {
                launcher.close();
                throw e;
            }
            Path socketsDir = null;
            if (!sandbox.equals(Sandbox.process())) {
                try {
                    // Short, for the 107 bytes of a socket's path; for the worker's user only, but
                    // for containers' users passing through to their own directory in it.
                    socketsDir = Files.createTempDirectory(
                            "ferry-sockets-",
                            PosixFilePermissions.asFileAttribute(
                                    PosixFilePermissions.fromString(namespaces != null ? "rwx--x--x" : "rwx------")));
                    if (namespaces != null) {
                        Files.setPosixFilePermissions(socketsDir, PosixFilePermissions.fromString("rwx--x--x"));
                    }
                } catch (IOException e) {
                    launcher.close();
                    if (namespaces != null) {
                        namespaces.close();
                    }
                    throw new IllegalStateException(
                            "cannot create the containers' socket directory: " + e.getMessage(), e);
                }
            }
            return new Worker(
                    this,
                    java,
                    classpath,
                    launcher,
                    poolDir,
                    socketsDir,
                    namespaces,
                    CpuPriority.detect(toolPath, currentUid() == 0));
        }

        /**
         * User namespaces for the containers of a worker that runs as root under bwrap or runc,
         * where the kernel allows them (bwrap tries one as an unprivileged user; runc, as root,
         * needs {@code user.max_user_namespaces} above 0); otherwise none, said once in the log.
         * A bwrap worker that is not root has one already: bwrap makes it.
         *
         * @throws IllegalStateException when the containers' directory cannot be made
         */
        private UserNamespaces userNamespaces() {
            if (!userNamespaces || sandbox.equals(Sandbox.process()) || currentUid() != 0) {
                return null;
            }
            ContainerUsers users = ContainerUsers.system();
            Optional<String> refusal;
            if (sandbox.name().equals("bwrap")) {
                Optional<Path> setpriv = Executables.find("setpriv", toolPath);
                if (setpriv.isEmpty()) {
                    refusal = Optional.of("setpriv not found on PATH (install the util-linux package)");
                } else {
                    ContainerUser probe = users.acquire();
                    try {
                        refusal = BwrapLauncher.userNamespaceRefusal(tool("bwrap", "bubblewrap"), setpriv.get(), probe);
                    } finally {
                        users.release(probe);
                    }
                }
            } else {
                refusal = maxUserNamespaces() > 0
                        ? Optional.empty()
                        : Optional.of("the kernel allows none (user.max_user_namespaces is 0)");
            }
            if (refusal.isPresent()) {
                logger.log(
                        System.Logger.Level.WARNING,
                        "containers run without a user namespace, as root without capabilities: " + refusal.get());
                return null;
            }
            Path parent = Files.isDirectory(Path.of("/var/tmp"))
                    ? Path.of("/var/tmp")
                    : Path.of(System.getProperty("java.io.tmpdir"));
            try {
                UserNamespaces namespaces = UserNamespaces.create(parent, users);
                logger.log(
                        System.Logger.Level.INFO,
                        "containers run in user namespaces of their own, as " + users + " outside; their files under "
                                + namespaces.root());
                return namespaces;
            } catch (IOException e) {
                throw new IllegalStateException(
                        "cannot create the directory of the containers' user namespaces under " + parent + ": "
                                + e.getMessage(),
                        e);
            }
        }

        private static long maxUserNamespaces() {
            try {
                return Long.parseLong(Files.readString(Path.of("/proc/sys/user/max_user_namespaces"))
                        .strip());
            } catch (IOException | NumberFormatException e) {
                return 0;
            }
        }

        private ContainerLauncher launcher() {
            return switch (sandbox.name()) {
                case "process" -> new ProcessLauncher();
                case "bwrap" ->
                    new BwrapLauncher(
                            tool("bwrap", "bubblewrap"),
                            currentUid() == 0
                                    ? Executables.find("setpriv", toolPath).orElse(null)
                                    : null);
                case "runc" -> {
                    Path runc = tool("runc", "runc");
                    long uid = currentUid();
                    if (uid != 0) {
                        throw new IllegalStateException(
                                "--sandbox runc: needs root (this worker runs as uid " + uid + ")");
                    }
                    yield RuncLauncher.open(
                            runc, sandbox.stateDir().orElseThrow(), cgroups != null ? cgroups : CgroupMemory.detect());
                }
                default -> throw new AssertionError(sandbox);
            };
        }

        private Path tool(String command, String aptPackage) {
            return Executables.find(command, toolPath)
                    .orElseThrow(() -> new IllegalStateException("--sandbox " + sandbox.name() + ": " + command
                            + " not found on PATH (install the " + aptPackage + " package)"));
        }

        private static long currentUid() {
            try {
                return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
            } catch (IOException | UnsupportedOperationException e) {
                return -1;
            }
        }

        private static Path defaultJavaExecutable() {
            String launcher = System.getProperty("os.name", "").startsWith("Windows") ? "java.exe" : "java";
            List<Path> candidates = new ArrayList<>();
            candidates.add(Path.of(System.getProperty("java.home"), "bin", launcher));
            ProcessHandle.current().info().command().map(Path::of).ifPresent(candidates::add);
            String javaHome = System.getenv("JAVA_HOME");
            if (javaHome != null && !javaHome.isBlank()) {
                candidates.add(Path.of(javaHome, "bin", launcher));
            }
            return candidates.stream()
                    .filter(path -> Files.isRegularFile(path) && Files.isExecutable(path))
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException(
                            "no java launcher found (tried " + candidates + "); set Worker.Builder.javaExecutable"));
        }
    }
}
