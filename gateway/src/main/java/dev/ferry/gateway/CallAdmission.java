package dev.ferry.gateway;

import dev.ferry.routing.DeployedFunction;
import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Gets one exchange an input slot: at once when one is free, else after waiting in its
 * function's queue, asking for capacity the moment it waits. The queue is bounded in size and
 * in time by the function's {@code maxQueued} and {@code queueTimeout}, or the gateway's
 * defaults where the function sets none; past either bound the request is refused with a
 * reason that names the bound.
 *
 * <p>When the container of an admitted call refuses it (another gateway holds its slots), the
 * exchange calls {@link #retry()}: the request takes another free slot or waits again, first
 * in line, within what is left of its queue timeout and at most {@link #MAX_REFUSALS} times.
 * When the call broke before its container accepted it, the exchange calls {@link #retryLost()}:
 * the same, bounded by {@link ExchangeCall#MAX_TRIES} there rather than here. Either way the
 * request waits {@link GatewayConfig#unschedulableWait()} again before a container that cannot
 * be started is named as the reason: the capacity it counted on a moment ago is gone.
 *
 * <p>Its outcome is reported on the exchange's event loop, once per admission: admitted with a
 * lease, or refused with a 503 reason and the Retry-After to send. A grant can race with the
 * wait ending (timed out, rejected, abandoned by a departing client); the first to claim the
 * wait wins.
 */
final class CallAdmission implements SlotWaiter {

    /** What becomes of the wait; called on the exchange's loop. */
    interface Outcome {
        void admitted(SlotLease lease);

        /** No slot: answer 503 (NO_CAPACITY) with {@code detail} and Retry-After {@code retryAfterSeconds}. */
        void refused(String detail, int retryAfterSeconds);
    }

    /**
     * Refusals by containers after which a request gets a 503. Each refusal holds the container
     * for up to {@link FunctionPool#REFUSAL_HOLD}, so this many take seconds of contention with
     * other gateways; more than that, or a container that refuses every call, is an overload
     * the client should back off from rather than wait out the whole queue timeout.
     */
    static final int MAX_REFUSALS = 10;

    /**
     * Retry-After for a full queue and for repeated refusals: slots turn over within a second
     * under load, and a client that comes back later finds room.
     */
    static final int RETRY_SOON_SECONDS = 1;

    /**
     * The most Retry-After for a request that waited out its queue timeout or whose containers
     * cannot start: capacity did not come within the whole wait, so clients should not come
     * straight back; but never longer than the function lets a request wait.
     */
    static final int RETRY_LATER_SECONDS = 5;

    /** How often a request that waited past the unschedulable wait asks again whether no container can start. */
    static final Duration UNSCHEDULABLE_RECHECK = Duration.ofSeconds(1);

    private static final int WAITING = 0, DONE = 1;

    private final EventExecutor loop;
    private final GatewayConfig config;
    private final DeployedFunction function;
    /** Where the request waits: its version's pool, or the one a redeploy moved it to ({@link #moved}). */
    private volatile FunctionPool pool;

    private final Outcome outcome;
    private final int maxQueued;
    private final Duration timeout;
    private final AtomicInteger state = new AtomicInteger(WAITING);
    /** When the queue timeout ends, in {@link System#nanoTime()}; it spans the retries. */
    private long deadline;

    private int refusals;
    private ScheduledFuture<?> queueTimeout;
    private ScheduledFuture<?> unschedulableCheck;

    CallAdmission(
            EventExecutor loop, GatewayConfig config, DeployedFunction function, FunctionPool pool, Outcome outcome) {
        this.loop = loop;
        this.config = config;
        this.function = function;
        this.pool = pool;
        this.outcome = outcome;
        this.maxQueued =
                function.settings().maxQueued() > 0 ? function.settings().maxQueued() : config.maxQueued();
        this.timeout = function.settings().queueTimeout().isZero()
                ? config.queueTimeout()
                : function.settings().queueTimeout();
    }

    /** Takes a free slot, or queues for one. Call once, on the exchange's loop. */
    void begin() {
        deadline = System.nanoTime() + timeout.toNanos();
        SlotLease free = pool.tryAcquire();
        if (free != null) {
            state.set(DONE);
            outcome.admitted(free);
            return;
        }
        queueTimeout = loop.schedule(this::timedOut, timeout.toNanos(), TimeUnit.NANOSECONDS);
        if (config.unschedulableWait().compareTo(timeout) < 0) {
            unschedulableCheck = loop.schedule(
                    this::checkUnschedulable, config.unschedulableWait().toNanos(), TimeUnit.NANOSECONDS);
        }
        if (!pool.enqueue(this, maxQueued)) {
            state.set(DONE);
            cancelTimer();
            outcome.refused(
                    (maxQueued == 1 ? "1 request already waits" : maxQueued + " requests already wait") + " for "
                            + function.id() + " (its queue limit); retry shortly",
                    RETRY_SOON_SECONDS);
            return;
        }
        config.scaleUp().scaleUp(function);
    }

    /**
     * The container refused the admitted call before it started: waits again, first in line,
     * for what is left of the queue timeout. Call on the exchange's loop, after the lease was
     * released as refused.
     */
    void retry() {
        refusals++;
        if (refusals >= MAX_REFUSALS) {
            outcome.refused(
                    "the containers of " + function.id() + " refused the request " + refusals
                            + " times (other gateways' calls hold their slots); retry shortly",
                    RETRY_SOON_SECONDS);
            return;
        }
        waitAgain();
    }

    /**
     * A draining container refused the admitted call: waits again, first in line, for what is
     * left of the queue timeout, without counting a refusal (the container left placement and
     * refuses no call twice). Call on the exchange's loop, after the lease was released as lost.
     */
    void retryDraining() {
        waitAgain();
    }

    /**
     * The admitted call broke before its container accepted it (the container is gone, or could
     * not be reached): waits again, first in line, for what is left of the queue timeout. Call
     * on the exchange's loop, after the lease was released as lost; the exchange bounds the tries.
     */
    void retryLost() {
        waitAgain();
    }

    private void waitAgain() {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            outcome.refused(timedOutDetail(), retryLater());
            return;
        }
        state.set(WAITING);
        queueTimeout = loop.schedule(this::timedOut, left, TimeUnit.NANOSECONDS);
        if (config.unschedulableWait().toNanos() < left) {
            unschedulableCheck = loop.schedule(
                    this::checkUnschedulable, config.unschedulableWait().toNanos(), TimeUnit.NANOSECONDS);
        }
        pool.requeue(this);
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
    public void moved(FunctionPool to) {
        pool = to;
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
                outcome.refused(reason, retryLater());
            });
        }
    }

    private void timedOut() {
        if (state.compareAndSet(WAITING, DONE)) {
            pool.cancel(this);
            cancelTimer();
            outcome.refused(timedOutDetail(), retryLater());
        }
    }

    private String timedOutDetail() {
        return "no container of " + function.id() + " could take the request within " + timeout.toMillis() / 1000.0
                + "s (its queue timeout)"
                + pool.unplacedReason().map(reason -> ": " + reason).orElse("");
    }

    /** {@link #RETRY_LATER_SECONDS}, or the queue timeout rounded up when that is shorter. */
    private int retryLater() {
        long seconds = (timeout.toMillis() + 999) / 1000;
        return (int) Math.max(1, Math.min(RETRY_LATER_SECONDS, seconds));
    }

    /**
     * After {@link GatewayConfig#unschedulableWait()}: if the controller says no container can
     * be started now (no worker fits, a crash loop), waiting out the whole queue timeout would
     * only hide why. Otherwise the request waits on, and is asked again each
     * {@link #UNSCHEDULABLE_RECHECK}: the reason can come later (a worker killed with its
     * containers is declared lost, and its replacement found no room, seconds after its calls
     * broke).
     */
    private void checkUnschedulable() {
        if (state.get() != WAITING) {
            return;
        }
        var reason = pool.unschedulable();
        if (reason.isPresent()) {
            if (state.compareAndSet(WAITING, DONE)) {
                pool.cancel(this);
                cancelTimer();
                outcome.refused("no container of " + function.id() + " can be started: " + reason.get(), retryLater());
            }
            return;
        }
        if (deadline - System.nanoTime() > UNSCHEDULABLE_RECHECK.toNanos()) {
            unschedulableCheck =
                    loop.schedule(this::checkUnschedulable, UNSCHEDULABLE_RECHECK.toNanos(), TimeUnit.NANOSECONDS);
        }
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
