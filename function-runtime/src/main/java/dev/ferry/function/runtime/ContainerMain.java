package dev.ferry.function.runtime;

import dev.ferry.logging.FerryLogging;
import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.InetSocketAddress;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The container process: loads the user's jar, runs its start hooks, serves calls over gRPC
 * on the loopback port its worker gave it, and reports ready. See {@link ContainerArgs} for
 * the contract with the worker.
 *
 * <p>Exit codes: 0 after a graceful stop, 1 when the function cannot start, 2 on a bad
 * command line.
 */
public final class ContainerMain {

    private final ContainerArgs args;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "ferry-timer");
        t.setDaemon(true);
        return t;
    });
    private URLClassLoader loader;
    private FunctionClass function;
    private Object instance;
    private FunctionCallService service;
    private Server server;

    ContainerMain(ContainerArgs args) {
        this.args = args;
    }

    public static void main(String[] argv) {
        ContainerArgs args;
        try {
            FerryLogging.install("container");
            args = ContainerArgs.parse(List.of(argv));
        } catch (IllegalArgumentException e) {
            // A bad command line (or log level) from the worker: a usage error, before there is a container to log for.
            System.err.println("ferry container: " + e.getMessage());
            System.exit(2);
            return;
        }
        String token = System.getenv(ContainerArgs.READY_TOKEN_ENV);
        ContainerMain container = new ContainerMain(args);
        try {
            container.start();
        } catch (Throwable e) {
            logger().log(
                            System.Logger.Level.ERROR,
                            "container " + args.containerId() + ": cannot start " + args.function() + ": "
                                    + describe(e),
                            e);
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(container::stop, "ferry-stop"));
        // SIGTERM is how a worker asks for a graceful stop: exit 0 after the stop (the JVM's
        // default would be 143, which reads as a crash). System.exit still runs the hook above.
        sun.misc.Signal.handle(new sun.misc.Signal("TERM"), signal -> System.exit(0));
        // If the worker dies without stopping us, stop on our own: no orphaned containers.
        ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(() -> System.exit(0)));
        System.out.println(ContainerArgs.readyLine(token == null ? "" : token));
        System.out.flush();
        // gRPC's threads are daemons: the main thread keeps the process alive until stop.
        container.awaitStop();
    }

    private void awaitStop() {
        try {
            server.awaitTermination();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Loads the function, runs its start hooks and starts serving. */
    void start() throws Exception {
        if (!Files.isRegularFile(args.jar())) {
            throw new IOException("jar not found: " + args.jar());
        }
        loader = new URLClassLoader(new URL[] {args.jar().toUri().toURL()}, ContainerMain.class.getClassLoader());
        function = FunctionClass.of(Class.forName(args.className(), true, loader));
        String expected = args.function().name();
        if (!function.settings().name().equals(expected)) {
            throw new IllegalArgumentException(
                    args.className() + " is function \"" + function.settings().name() + "\", not \"" + expected + "\"");
        }
        ClassLoader previous = Thread.currentThread().getContextClassLoader();
        Thread.currentThread().setContextClassLoader(loader);
        try {
            AsgiApp app = function.newInstance();
            instance = app;
            runHooks(function.onStart());
            service = new FunctionCallService(args.function().toString(), app, loader, function.settings(), timer);
        } finally {
            Thread.currentThread().setContextClassLoader(previous);
        }
        server = NettyServerBuilder.forAddress(new InetSocketAddress(args.host(), args.port()))
                .directExecutor() // our callbacks never block; the app runs on virtual threads
                .maxInboundMessageSize(8 * 1024 * 1024)
                .flowControlWindow(
                        1024 * 1024) // fixed: BDP auto-tuning pings on every read, which loopback does not need
                .permitKeepAliveWithoutCalls(true)
                .permitKeepAliveTime(10, TimeUnit.SECONDS)
                .addService(service)
                .build()
                .start();
    }

    /**
     * How long a stopping container keeps its port open refusing new calls, at least: the
     * time gateways take to hear it is stopping. A call that arrives meanwhile is refused
     * (and retried elsewhere by its gateway) rather than finding the port closed.
     */
    static final Duration LAME_DUCK = Duration.ofMillis(500);

    /** Refuses new calls, lets those in flight finish, closes the server and runs the stop hooks. */
    void stop() {
        try {
            long start = System.nanoTime();
            // An input runs at most the function's timeout, so that is how long a drain can take:
            // a scale-down never cuts a long stream short. (The worker's SIGKILL waits as long.)
            Duration drain = function.settings().timeout();
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
            server.shutdown();
            server.awaitTermination(5, TimeUnit.SECONDS);
            server.shutdownNow();
            Thread.currentThread().setContextClassLoader(loader);
            runHooks(function.onStop());
        } catch (Throwable e) {
            logger().log(System.Logger.Level.ERROR, "stop failed", e);
        }
    }

    private void runHooks(List<Method> hooks) throws Exception {
        for (Method hook : hooks) {
            try {
                hook.invoke(instance);
            } catch (InvocationTargetException e) {
                Throwable cause = e.getCause();
                throw cause instanceof Exception ex
                        ? new HookFailedException(hook, ex)
                        : new HookFailedException(hook, e);
            }
        }
    }

    /**
     * The runtime's own lines, on standard error like the user's output (the worker tags both
     * with the container id); what the user's code prints is left as it is. Not a static field:
     * this class initializes before {@link #main} installs logging, and the first logger a
     * process asks for fixes its {@code LogManager}.
     */
    private static System.Logger logger() {
        return System.getLogger(ContainerMain.class.getName());
    }

    private static String describe(Throwable e) {
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
