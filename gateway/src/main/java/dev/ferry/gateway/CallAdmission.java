package dev.ferry.gateway;

import dev.ferry.request.protocol.ErrorCode;
import dev.ferry.routing.DeployedFunction;
import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Gets one exchange an input slot: at once when one is free, else after waiting in its
 * function's queue (bounded in size and in time), asking for capacity the moment it waits.
 *
 * <p>Its outcome is reported on the exchange's event loop, exactly once: admitted with a
 * lease, or refused with a 503 reason. A grant can race with the wait ending (timed out,
 * rejected, abandoned by a departing client); the first to claim the wait wins.
 */
final class CallAdmission implements SlotWaiter {

    /** What becomes of the wait; called on the exchange's loop. */
    interface Outcome {
        void admitted(SlotLease lease);

        void refused(ErrorCode code, String detail);
    }

    private static final int WAITING = 0, DONE = 1;

    private final EventExecutor loop;
    private final GatewayConfig config;
    private final DeployedFunction function;
    private final FunctionPool pool;
    private final Outcome outcome;
    private final AtomicInteger state = new AtomicInteger(WAITING);
    private ScheduledFuture<?> queueTimeout;
    private ScheduledFuture<?> unschedulableCheck;

    CallAdmission(EventExecutor loop, GatewayConfig config, DeployedFunction function, FunctionPool pool, Outcome outcome) {
        this.loop = loop;
        this.config = config;
        this.function = function;
        this.pool = pool;
        this.outcome = outcome;
    }

    /** Takes a free slot, or queues for one. Call once, on the exchange's loop. */
    void begin() {
        SlotLease free = pool.tryAcquire();
        if (free != null) {
            state.set(DONE);
            outcome.admitted(free);
            return;
        }
        queueTimeout = loop.schedule(this::timedOut, config.queueTimeout().toNanos(), TimeUnit.NANOSECONDS);
        if (config.unschedulableWait().compareTo(config.queueTimeout()) < 0) {
            unschedulableCheck = loop.schedule(this::checkUnschedulable, config.unschedulableWait().toNanos(), TimeUnit.NANOSECONDS);
        }
        if (!pool.enqueue(this)) {
            state.set(DONE);
            queueTimeout.cancel(false);
            outcome.refused(ErrorCode.NO_CAPACITY, "too many requests waiting for " + function.id() + "; retry shortly");
            return;
        }
        config.scaleUp().scaleUp(function);
    }

    /** The client left: stop waiting, quietly. */
    void abandon() {
        if (state.compareAndSet(WAITING, DONE)) {
            pool.cancel(this);
            cancelTimer();
        }
    }

    @Override
    public boolean grant(SlotLease lease) {
        if (!state.compareAndSet(WAITING, DONE)) {
            return false;
        }
        // Never inline: the pool calls this under its monitor, perhaps from another loop.
        loop.execute(() -> {
            cancelTimer();
            outcome.admitted(lease);
        });
        return true;
    }

    @Override
    public void reject(String reason) {
        if (state.compareAndSet(WAITING, DONE)) {
            loop.execute(() -> {
                cancelTimer();
                outcome.refused(ErrorCode.NO_CAPACITY, reason);
            });
        }
    }

    private void timedOut() {
        if (state.compareAndSet(WAITING, DONE)) {
            pool.cancel(this);
            cancelTimer();
            outcome.refused(ErrorCode.NO_CAPACITY, "no container of " + function.id() + " could take the request within "
                    + config.queueTimeout().toMillis() / 1000.0 + "s"
                    + pool.unschedulable().map(reason -> ": " + reason).orElse(""));
        }
    }

    /**
     * After {@link GatewayConfig#unschedulableWait()}: if the controller says no container can
     * be started now (no worker fits, a crash loop), waiting out the whole queue timeout would
     * only hide why. Otherwise the request waits on.
     */
    private void checkUnschedulable() {
        pool.unschedulable().ifPresent(reason -> {
            if (state.compareAndSet(WAITING, DONE)) {
                pool.cancel(this);
                cancelTimer();
                outcome.refused(ErrorCode.NO_CAPACITY, "no container of " + function.id() + " can be started: " + reason);
            }
        });
    }

    private void cancelTimer() {
        if (queueTimeout != null) {
            queueTimeout.cancel(false);
        }
        if (unschedulableCheck != null) {
            unschedulableCheck.cancel(false);
        }
    }
}
