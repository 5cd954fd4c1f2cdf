package dev.ferry.gateway;

/**
 * A request waiting for an input slot. {@link #grant} and {@link #expire} race (a slot frees
 * as the wait times out, or the client leaves); exactly one of them wins.
 */
interface SlotWaiter {

    /**
     * Offers {@code lease}. Returns false when the waiter already gave up; the pool then
     * offers the slot to the next waiter. Must not block; called under the pool's monitor.
     */
    boolean grant(SlotLease lease);
}
