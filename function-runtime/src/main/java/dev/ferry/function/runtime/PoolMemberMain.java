package dev.ferry.function.runtime;

import dev.ferry.request.protocol.ContainerSecret;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * A pool member's life: bind, warm up when told, wait for an assignment, become that container. See
 * {@link PoolArgs} for the contract with the worker.
 */
final class PoolMemberMain {

    /** The most a warm-up may take: a member is worth having before it is fully warm. */
    static final Duration WARM_UP_BUDGET = Duration.ofSeconds(20);

    /**
     * The synthetic calls a member makes before it reports started: enough to load and link the
     * call path's classes (most of a cold first call's cost: 0.3–0.5 s on a small machine),
     * few enough that a pool fills quickly (more calls add JIT work, not classes). The full
     * warm-up, when the worker says so, compiles the path.
     */
    static final int PRIMING_CALLS = 4;

    private static final System.Logger logger = System.getLogger(PoolMemberMain.class.getName());

    private PoolMemberMain() {}

    private static String millis(long nanos) {
        return String.format(java.util.Locale.ROOT, "%.1f", nanos / 1e6);
    }

    /**
     * The member's full warm-up, on a thread of its own once the worker says so; it reports
     * pooled when done, unless an assignment came first.
     */
    private static final class Warming {
        private final WarmUp warmUp;
        private final InetSocketAddress self;
        private final ContainerSecret secret;
        private final String token;
        // guarded by this; the lock also keeps the pooled line off stdout once assigned
        private boolean started;
        private boolean assigned;

        Warming(WarmUp warmUp, InetSocketAddress self, ContainerSecret secret, String token) {
            this.warmUp = warmUp;
            this.self = self;
            this.secret = secret;
            this.token = token;
        }

        /** Starts the warm-up; once only. */
        synchronized void start() {
            if (started || assigned) {
                return;
            }
            started = true;
            Thread.ofPlatform().name("ferry-warm-up").daemon().start(this::run);
        }

        /**
         * The member got its function: the warm-up stops without a wait. Its calls in flight end
         * on the built-in functions they started on (a call keeps its service), any it starts
         * later is refused, which it takes in its stride, and its channel closes in the background.
         */
        synchronized void assigned() {
            assigned = true;
            warmUp.stop();
        }

        private void run() {
            try {
                warmUp.run(self, secret);
            } catch (InterruptedException e) {
                return;
            }
            synchronized (this) {
                if (assigned) {
                    return; // a container now: no collection in its first requests' way
                }
            }
            // What the warm-up allocated is garbage now: give the heap back before idling in the pool.
            System.gc();
            synchronized (this) {
                if (!assigned) {
                    System.out.println(PoolArgs.pooledLine(token));
                    System.out.flush();
                }
            }
        }
    }

    static void main(List<String> argv) {
        PoolArgs args;
        try {
            args = PoolArgs.parse(argv);
        } catch (IllegalArgumentException e) {
            System.err.println("ferry pool member: " + e.getMessage());
            System.exit(2);
            return;
        }
        ContainerSecret secret;
        try {
            // Its container's secret from the start: a member becomes one container only, and
            // its warm-up calls to itself open with the secret as a gateway's do.
            secret = ContainerArgs.secret(System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("ferry pool member: " + e.getMessage());
            System.exit(2);
            return;
        }
        String token = String.valueOf(System.getenv(ContainerArgs.READY_TOKEN_ENV));
        ContainerMain.exitOnSignalOrOrphan();
        ContainerMain container = new ContainerMain();
        CallRouter router = new CallRouter(WarmUp.services(container.timer()));
        try {
            container.startPooled(args.host(), args.port(), ContainerArgs.localSocket(System.getenv()), secret, router);
        } catch (Throwable e) {
            ContainerMain.cannotStart(args.memberId(), "a pool member", e);
            return;
        }
        InetSocketAddress self = new InetSocketAddress(args.host(), args.port());
        try {
            new WarmUp(Math.min(PRIMING_CALLS, args.warmUpCalls()), WARM_UP_BUDGET).run(self, secret);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        System.out.println(PoolArgs.startedLine(token));
        System.out.flush();
        Warming warming = new Warming(new WarmUp(args.warmUpCalls(), WARM_UP_BUDGET), self, secret, token);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        try {
            line = in.readLine();
            // The worker says when to warm up (its members take turns), then assigns a function.
            while (PoolArgs.WARM_UP.equals(line)) {
                warming.start();
                line = in.readLine();
            }
        } catch (IOException e) {
            line = null;
        }
        if (line == null) {
            System.exit(0); // the worker closed the pool: no function for this member
            return;
        }
        long received = System.nanoTime();
        warming.assigned();
        Assignment assignment;
        try {
            assignment = Assignment.parse(line);
        } catch (Throwable e) {
            ContainerMain.cannotStart(args.memberId(), "its assignment", e);
            return;
        }
        try {
            JavaEnvironment.add(assignment.environment());
            container.assign(
                    LoadedFunction.load(
                            assignment.function(), assignment.className(), assignment.jar(), container.timer()),
                    router);
        } catch (Throwable e) {
            ContainerMain.cannotStart(
                    assignment.containerId(), assignment.function().toString(), e);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(container::stop, "ferry-stop"));
        long ready = System.nanoTime();
        logger.log(
                System.Logger.Level.DEBUG,
                () -> "assigned in " + millis(ready - received) + " ms (its jar loaded, @OnStart run)");
        container.serve(token);
    }
}
