package dev.ferry.worker;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Delivers state changes to listeners one at a time and in the order they were queued,
 * on whichever thread calls {@link #deliver()} while nobody else is delivering (the scheme of
 * gRPC's {@code SynchronizationContext}). A change is queued while the container's lock is
 * held, so queue order is the order of the changes; it is delivered after the lock is
 * released, so a listener never runs under a container's lock.
 */
final class StateChanges {

    private static final System.Logger logger = System.getLogger(StateChanges.class.getName());

    private final Queue<Runnable> queue = new ConcurrentLinkedQueue<>();
    private final AtomicReference<Thread> deliverer = new AtomicReference<>();

    /** Queues {@code change}; call {@link #deliver()} afterwards. */
    void queue(Runnable change) {
        queue.add(change);
    }

    /**
     * Runs the queued changes unless another thread, or this one further up its stack, is
     * already doing so (then that one runs them).
     */
    void deliver() {
        do {
            if (!deliverer.compareAndSet(null, Thread.currentThread())) {
                return;
            }
            try {
                Runnable change;
                while ((change = queue.poll()) != null) {
                    try {
                        change.run();
                    } catch (VirtualMachineError e) {
                        throw e;
                    } catch (Throwable e) {
                        logger.log(System.Logger.Level.WARNING, "container listener failed", e);
                    }
                }
            } finally {
                deliverer.set(null);
            }
            // a change queued after our last poll but before we let go would otherwise wait
        } while (!queue.isEmpty());
    }

    /**
     * Waits until every change queued before this call has been delivered. Called from a
     * listener, returns at once: those changes are delivered after the listener returns.
     */
    void awaitDelivered() throws InterruptedException {
        if (deliverer.get() == Thread.currentThread()) {
            return;
        }
        CountDownLatch delivered = new CountDownLatch(1);
        queue(delivered::countDown);
        deliver();
        delivered.await();
    }
}
