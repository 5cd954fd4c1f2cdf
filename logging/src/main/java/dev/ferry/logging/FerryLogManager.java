package dev.ferry.logging;

import java.util.logging.LogManager;

/**
 * The {@link LogManager} of a Ferry process, which {@link FerryLogging#install} names in
 * {@code java.util.logging.manager}. It differs from the JDK's in one way: it does not reset
 * while the JVM shuts down. The JDK's resets in a shutdown hook of its own, which removes every
 * handler, and shutdown hooks run in no set order: a line logged by a role's stop (a
 * container's drain, a worker stopping its containers) would often go nowhere. Ferry's
 * handler holds nothing to close, so there is nothing to lose by keeping it.
 *
 * <p>Public only because {@code LogManager} creates it by reflection; not for use in code.
 */
public final class FerryLogManager extends LogManager {

    /** Called by {@code LogManager} when the property names this class. */
    public FerryLogManager() {}

    /** Resets as {@link LogManager#reset()} does, except during shutdown, when it does nothing. */
    @Override
    public void reset() {
        if (!shuttingDown()) {
            super.reset();
        }
    }

    /** Whether the JVM is shutting down: then {@link Runtime#addShutdownHook} refuses new hooks. */
    private static boolean shuttingDown() {
        Thread probe = new Thread(() -> {});
        try {
            Runtime.getRuntime().addShutdownHook(probe);
        } catch (IllegalStateException e) {
            return true;
        }
        Runtime.getRuntime().removeShutdownHook(probe);
        return false;
    }
}
