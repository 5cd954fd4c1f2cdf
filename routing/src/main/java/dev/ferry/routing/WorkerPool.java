package dev.ferry.routing;

/**
 * A worker's warm pool as it last reported it: runtime processes started ahead of demand, each
 * of which becomes a container in milliseconds instead of a fresh JVM's start.
 *
 * @param size the members it keeps; 0 when it has no pool
 * @param idle members that take a container now: started, warmed up or warming up in turn
 * @param starting members whose process is still starting
 */
public record WorkerPool(int size, int idle, int starting) {

    /** A worker without a pool. */
    public static final WorkerPool NONE = new WorkerPool(0, 0, 0);

    public WorkerPool {
        if (size < 0 || idle < 0 || starting < 0) {
            throw new IllegalArgumentException("worker pool: size " + size + ", idle " + idle + ", starting " + starting
                    + " (expected: none negative)");
        }
    }
}
