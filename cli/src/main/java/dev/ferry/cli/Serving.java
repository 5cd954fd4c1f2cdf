package dev.ferry.cli;

import java.util.concurrent.CountDownLatch;

/**
 * Keeps a long-running command (dev, gateway, controller, worker) alive until Ctrl-C or
 * SIGTERM, then runs its stop action once. {@link Main} exits after a command unless one serves.
 */
final class Serving {

    private static volatile boolean serving;

    private Serving() {}

    static boolean serving() {
        return serving;
    }

    /** Blocks until the JVM is asked to stop; {@code stop} runs in the shutdown hook, before exit. */
    static void untilStopped(String what, Runnable stop) throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(Thread.ofPlatform().name("ferry-stop").unstarted(() -> {
                    System.out.println("\nferry: stopping " + what);
                    try {
                        stop.run();
                    } finally {
                        stopped.countDown();
                    }
                }));
        serving = true;
        stopped.await();
    }
}
