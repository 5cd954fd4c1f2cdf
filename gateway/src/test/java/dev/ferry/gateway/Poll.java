package dev.ferry.gateway;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Waits for a condition by polling it, up to a deadline: tests never sleep for an outcome. */
final class Poll {

    private static final Duration DEADLINE = Duration.ofSeconds(20);
    private static final Duration INTERVAL = Duration.ofMillis(5);

    private Poll() {}

    static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + DEADLINE.toSeconds() + "s: " + what);
            }
            LockSupport.parkNanos(INTERVAL.toNanos());
        }
    }
}
