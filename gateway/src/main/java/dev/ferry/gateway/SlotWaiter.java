package dev.ferry.gateway;

/**
 * A request waiting for an input slot. A grant can race with the waiter giving up (its wait
 * timed out, or its client left); the waiter decides, and a refused grant goes to the next.
 */
interface SlotWaiter {

    /**
     * Offers {@code lease}. Returns false when the waiter already gave up; the pool then
     * offers the slot to the next waiter. Must not block; called under the pool's monitor.
     */
    boolean grant(SlotLease lease);

    /**
     * Tells the waiter no slot is coming (its function's container failed to start). Must
     * not block; called under the pool's monitor after the waiter left the queue.
     */
    void reject(String reason);

    /**
     * Tells the waiter it now waits in {@code pool}, the pool of the version a redeploy moved
     * its function's traffic to: it cancels and asks there from now on. Must not block.
     */
    default void moved(FunctionPool pool) {}
}
