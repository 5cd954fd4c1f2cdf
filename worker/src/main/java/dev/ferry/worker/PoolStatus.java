package dev.ferry.worker;

/**
 * How full a worker's warm pool is.
 *
 * @param size the members it keeps; 0 when it has no pool
 * @param idle members that take an assignment now: started, warmed up or warming up in turn
 * @param warm of the idle ones, those warmed up
 * @param starting members whose process is still starting (they can be assigned too, a little later)
 */
public record PoolStatus(int size, int idle, int warm, int starting) {

    /** A worker without a pool. */
    public static final PoolStatus NONE = new PoolStatus(0, 0, 0, 0);
}
