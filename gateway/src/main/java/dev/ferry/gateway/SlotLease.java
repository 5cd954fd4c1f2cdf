package dev.ferry.gateway;

import dev.ferry.call.transport.CallConnection;
import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One input slot of one container, held for the length of one call. Release exactly once;
 * later releases do nothing.
 */
final class SlotLease {

    private final FunctionPool pool;
    private final ContainerSlots container;
    private final AtomicBoolean released = new AtomicBoolean();

    SlotLease(FunctionPool pool, ContainerSlots container) {
        this.pool = pool;
        this.container = container;
    }

    /** The connection to this slot's container that runs on {@code loop}. */
    CallConnection connection(EventExecutor loop) {
        return container.connections.on(loop);
    }

    String containerId() {
        return container.info.id();
    }

    void release() {
        if (released.compareAndSet(false, true)) {
            pool.release(container, false);
        }
    }

    /**
     * Releases the slot of a call that failed because the container's connection was lost:
     * the container takes no more calls from this gateway, so waiters are not handed to it
     * before the worker reports it gone.
     */
    void releaseLost() {
        if (released.compareAndSet(false, true)) {
            pool.release(container, true);
        }
    }

    /**
     * Releases the slot of a call the container refused because its inputs were all taken
     * (by other gateways' calls): this gateway counts it full for a while.
     */
    void releaseRefused() {
        if (released.compareAndSet(false, true)) {
            pool.refused(container);
        }
    }
}
