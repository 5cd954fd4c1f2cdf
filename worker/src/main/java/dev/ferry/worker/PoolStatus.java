package dev.ferry.worker;

/**
 * How full a worker's warm pool is.
 *
 * @param size the members it keeps; 0 when it has no pool
 * @param idle members warm and waiting for an assignment
 * @param warming members starting or warming up (they can be assigned too, a little later)
 */
public record PoolStatus(int size, int idle, int warming) {

    /** A worker without a pool. */
    public static final PoolStatus NONE = new PoolStatus(0, 0, 0);
}
