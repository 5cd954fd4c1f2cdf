package dev.ferry.controller;

import dev.ferry.routing.RoutingStore;
import dev.ferry.routing.StoreUnavailableException;
import java.time.Duration;

/**
 * The controller's leader lease in the store: only its holder acts, and a standby takes over
 * when it lapses. Says when this controller becomes the leader or a standby, and when the
 * store goes away and comes back (once each). {@link #renew} and {@link #release} run on the
 * controller thread; {@link #held} may be read from any.
 */
final class Lease {

    private static final System.Logger logger = System.getLogger(Controller.class.getName());

    private final RoutingStore store;
    private final String id;
    private final Duration duration;
    private volatile boolean held;
    /** What the last renewal found: held, refused, or null before the first and while the store is down. */
    private Boolean lastAnswer;

    private boolean storeDown;

    Lease(RoutingStore store, String id, Duration duration) {
        this.store = store;
        this.id = id;
        this.duration = duration;
    }

    /**
     * Takes or renews the lease for its duration. Without the store no one can act: the lease
     * is then not held, and lapses on its own.
     *
     * @return whether this controller holds it now
     */
    boolean renew() {
        boolean now;
        try {
            now = store.acquireLeadership(id, duration);
            if (storeDown) {
                storeDown = false;
                logger.log(System.Logger.Level.INFO, "controller " + id + " reaches " + store.describe() + " again");
            }
        } catch (StoreUnavailableException e) {
            if (!storeDown) {
                storeDown = true;
                logger.log(System.Logger.Level.WARNING, e.getMessage() + "; controller " + id + " pauses");
            }
            now = false;
            lastAnswer = null;
        }
        held = now;
        if (!storeDown && !Boolean.valueOf(now).equals(lastAnswer)) {
            lastAnswer = now;
            logger.log(System.Logger.Level.INFO, "controller " + id + (now ? " is the leader" : " is a standby"));
        }
        return now;
    }

    /** Whether this controller held the lease at its last renewal. */
    boolean held() {
        return held;
    }

    /** Gives the lease up, if held, so a standby takes over at once. */
    void release() {
        if (held) {
            try {
                store.releaseLeadership(id);
            } catch (StoreUnavailableException e) {
                // the lease lapses on its own
            }
        }
    }
}
