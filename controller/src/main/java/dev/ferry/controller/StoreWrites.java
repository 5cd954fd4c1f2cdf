package dev.ferry.controller;

import dev.ferry.routing.StoreUnavailableException;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The controller's writes to the store, and its warnings said once: a write the store cannot
 * take is warned of once per outage, not once per tick. Controller thread only.
 */
final class StoreWrites {

    private static final System.Logger logger = System.getLogger(StoreWrites.class.getName());

    /** What was warned of, by a key naming the subject: warned again only after {@link #clear}. */
    private final Set<String> warned = new HashSet<>();

    /** Runs a store write; false, with a warning (once per outage), when the store could not take it. */
    boolean write(Runnable write) {
        try {
            write.run();
            warned.remove("store");
            return true;
        } catch (StoreUnavailableException e) {
            warnOnce("store", e.getMessage());
            return false;
        }
    }

    /** Logs {@code message} as a warning unless {@code what} was warned of already and not cleared since. */
    void warnOnce(String what, String message) {
        if (warned.add(what)) {
            logger.log(System.Logger.Level.WARNING, message);
        }
    }

    /** {@code what} may be warned of again. */
    void clear(String what) {
        warned.remove(what);
    }

    /** Every warning whose key matches may be warned of again. */
    void clearIf(Predicate<String> what) {
        warned.removeIf(what);
    }
}
