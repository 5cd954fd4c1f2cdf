package dev.ferry.function.runtime;

import dev.ferry.call.transport.CallAcceptor;
import dev.ferry.call.transport.CallServer;
import dev.ferry.call.transport.Transport;
import dev.ferry.logging.FerryLogging;
import dev.ferry.request.protocol.ContainerSecret;
import java.io.IOException;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The container process: loads the user's jar, runs its start hooks, serves calls (a
 * {@link CallServer}) on the loopback port its worker gave it, and reports ready. See
 * {@link ContainerArgs} for the contract with the worker; with {@value PoolArgs#FLAG} first,
 * the process is a pool member instead ({@link PoolArgs}), which gets its function later.
 *
 * <p>Exit codes: 0 after a graceful stop, 1 when the function cannot start, 2 on a bad
 * command line.
 */
public final class ContainerMain {

    private final ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "ferry-timer");
        t.setDaemon(true);
        return t;
    });
    private LoadedFunction loaded;
    private CallServer server;

    ContainerMain() {}

    public static void main(String[] argv) {
        try {
            FerryLogging.install("container");
        } catch (IllegalArgumentException e) {
            System.err.println("ferry container: " + e.getMessage());
            System.exit(2);
            return;
        }
        if (argv.length > 0 && argv[0].equals(PoolArgs.FLAG)) {
            PoolMemberMain.main(List.of(argv).subList(1, argv.length));
            return;
        }
        ContainerArgs args;
        try {
            args = ContainerArgs.parse(List.of(argv));
        } catch (IllegalArgumentException e) {
            // A bad command line from the worker: a usage error, before there is a container to log for.
            System.err.println("ferry container: " + e.getMessage());
            System.exit(2);
            return;
        }
        ContainerSecret secret;
        try {
            secret = ContainerArgs.secret(System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("ferry container: " + e.getMessage());
            System.exit(2);
            return;
        }
        String token = System.getenv(ContainerArgs.READY_TOKEN_ENV);
        ContainerMain container = new ContainerMain();
        try {
            container.start(args, ContainerArgs.localSocket(System.getenv()), secret);
        } catch (Throwable e) {
            cannotStart(args.containerId(), args.function().toString(), e);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(container::stop, "ferry-stop"));
        // SIGTERM is how a worker asks for a graceful stop: exit 0 after the stop (the JVM's
        // default would be 143, which reads as a crash). System.exit still runs the hook above.
        exitOnSignalOrOrphan();
        container.serve(token);
    }

    /**
     * SIGTERM exits 0 (the JVM's default, 143, reads as a crash; System.exit still runs the
     * shutdown hooks), and so does the worker's death: no orphaned containers.
     */
    static void exitOnSignalOrOrphan() {
        sun.misc.Signal.handle(new sun.misc.Signal("TERM"), signal -> System.exit(0));
        ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(() -> System.exit(0)));
    }

    /** Logs why the container cannot start and exits 1. */
    static void cannotStart(String containerId, String function, Throwable e) {
        logger().log(
                        System.Logger.Level.ERROR,
                        "container " + containerId + ": cannot start " + function + ": " + describe(e),
                        e);
        System.exit(1);
    }

    /** Prints the ready line and keeps the process alive until the server has stopped. */
    void serve(String token) {
        System.out.println(ContainerArgs.readyLine(token == null ? "" : token));
        System.out.flush();
        // The server's event loops are daemons: the main thread keeps the process alive until stop.
        try {
            server.awaitTermination();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Loads the function, runs its start hooks and starts serving connections that open with {@code secret}, on TCP only. */
    void start(ContainerArgs args, ContainerSecret secret) throws Exception {
        start(args, "", secret);
    }

    /**
     * Loads the function, runs its start hooks and starts serving connections that open with
     * {@code secret}, on the local socket {@code localSocket} too where the transport has them
     * (empty: none).
     */
    void start(ContainerArgs args, String localSocket, ContainerSecret secret) throws Exception {
        loaded = LoadedFunction.load(args.function(), args.className(), args.jar(), timer);
        server = startServer(args.host(), args.port(), localSocket, secret, loaded.service());
        logTransport(server);
    }

    /**
     * A pool member's start: serves {@code router} (still warming up) to connections that open
     * with {@code secret}, its container's to be; its function comes later.
     */
    void startPooled(String host, int port, String localSocket, ContainerSecret secret, CallRouter router)
            throws IOException {
        server = startServer(host, port, localSocket, secret, router);
        logTransport(server);
    }

    private static void logTransport(CallServer server) {
        logger().log(
                        System.Logger.Level.DEBUG,
                        () -> "transport: " + Transport.describe() + ", calls on " + server.address()
                                + server.localAddress()
                                        .map(a -> " and " + Transport.describe(a))
                                        .orElse(""));
    }

    /** A pool member's assignment: its function, now serving on the member's server. */
    void assign(LoadedFunction function, CallRouter router) {
        loaded = function;
        router.routeTo(function.service());
    }

    ScheduledExecutorService timer() {
        return timer;
    }

    /**
     * Serves {@code acceptor} on {@code host:port} (0: a free port) and, where the transport has
     * them, on the local socket {@code localSocket} (empty: none), to connections that open with
     * {@code secret}. Its callbacks never block: the apps run on virtual threads of their own.
     *
     * @throws IOException when it cannot bind
     */
    static CallServer startServer(
            String host, int port, String localSocket, ContainerSecret secret, CallAcceptor acceptor)
            throws IOException {
        return CallServer.start(host, port, localSocket, secret, acceptor);
    }

    /**
     * How long a stopping container keeps its port open refusing new calls, at least: the
     * time gateways take to hear it is stopping. A call that arrives meanwhile is refused
     * (and retried elsewhere by its gateway) rather than finding the port closed.
     */
    static final Duration LAME_DUCK = Duration.ofMillis(500);

    /**
     * Refuses new calls, lets those in flight finish, closes the server (and with it the
     * gateways' connections) and runs the stop hooks.
     */
    void stop() {
        try {
            long start = System.nanoTime();
            // An input runs at most the function's timeout, so that is how long a drain can take:
            // a scale-down never cuts a long stream short. (The worker's SIGKILL waits as long.)
            Duration drain = loaded.timeout();
            FunctionCallService service = loaded.service();
            if (!service.drain(drain)) {
                logger().log(
                                System.Logger.Level.WARNING,
                                "stopping with " + service.running() + " inputs still running after "
                                        + drain.toSeconds() + "s");
            }
            long lameDuckLeft = LAME_DUCK.toNanos() - (System.nanoTime() - start);
            if (lameDuckLeft > 0) {
                TimeUnit.NANOSECONDS.sleep(lameDuckLeft);
            }
            // Every call has ended by now, unless the drain gave up: those are cut off.
            server.close(Duration.ofSeconds(5));
            loaded.runStopHooks();
        } catch (Throwable e) {
            logger().log(System.Logger.Level.ERROR, "stop failed", e);
        }
    }

    /**
     * The runtime's own lines, on standard error like the user's output (the worker tags both
     * with the container id); what the user's code prints is left as it is. Not a static field:
     * this class initializes before {@link #main} installs logging, and the first logger a
     * process asks for fixes its {@code LogManager}.
     */
    static System.Logger logger() {
        return System.getLogger(ContainerMain.class.getName());
    }

    static String describe(Throwable e) {
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }

    /** A lifecycle hook threw. */
    static final class HookFailedException extends Exception {
        private static final long serialVersionUID = 1L;

        HookFailedException(Method hook, Exception cause) {
            super(
                    hook.getDeclaringClass().getSimpleName() + "." + hook.getName() + " failed: " + describe(cause),
                    cause);
        }
    }
}
