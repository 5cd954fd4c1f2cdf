package dev.ferry.function.runtime;

import dev.ferry.call.transport.CallAcceptor;
import dev.ferry.call.transport.ServerCall;
import dev.ferry.call.transport.ServerCallHandler;
import dev.ferry.request.protocol.CallErrors;
import dev.ferry.request.protocol.ClientEvent;
import dev.ferry.request.protocol.ErrorCode;
import dev.ferry.request.protocol.FunctionSettings;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The container's call service: runs each call's app on its own virtual thread, at most
 * {@code maxInputs} at once, with the function's timeout.
 *
 * <p>The transport's callbacks here never block (they run on the connections' event loops).
 */
final class FunctionCallService implements CallAcceptor {

    private static final System.Logger logger = System.getLogger(FunctionCallService.class.getName());

    private final String function;
    private final AsgiApp app;
    private final ClassLoader appLoader;
    private final Semaphore inputs;
    private final int maxInputs;
    private final Duration timeout;
    private final ScheduledExecutorService timer;

    /**
     * Inputs running now. Their deadlines are kept by one sweep, not a timer task per input: a
     * task per call cost a lock and an allocation per call and, cancelled, stayed queued until
     * its time (300 s by default), so a busy container held millions of them.
     */
    private final Set<InputCall> running = ConcurrentHashMap.newKeySet();
    /** Whether a sweep is scheduled; there is one whenever an input runs. */
    private final AtomicBoolean sweepScheduled = new AtomicBoolean();

    /** Set when the container stops: new calls are refused (gateways send them elsewhere), running ones finish. */
    private volatile boolean draining;

    /**
     * Inputs started and not yet ended: an input gives its permit back just before its call
     * ends, so a drain that has every permit waits for these too. Guarded by {@link #endLock}.
     */
    private int unended;

    private final ReentrantLock endLock = new ReentrantLock();
    private final Condition allEnded = endLock.newCondition();

    FunctionCallService(
            String function,
            AsgiApp app,
            ClassLoader appLoader,
            FunctionSettings settings,
            ScheduledExecutorService timer) {
        this.function = function;
        this.app = app;
        this.appLoader = appLoader;
        this.maxInputs = settings.maxInputs();
        this.inputs = new Semaphore(maxInputs);
        this.timeout = settings.timeout();
        this.timer = timer;
    }

    /** Inputs running now. */
    int running() {
        return maxInputs - inputs.availablePermits();
    }

    /**
     * Refuses new calls from now on with NO_CAPACITY ("container is draining"), which a
     * gateway answers by sending the request to another container (or queueing it): a call
     * that races with the stop is never lost. Then waits until no input runs and every
     * input's call has ended (its last event is on its way), at most {@code wait}; true when
     * drained.
     */
    boolean drain(Duration wait) throws InterruptedException {
        draining = true;
        long deadline = System.nanoTime() + wait.toNanos();
        if (!inputs.tryAcquire(maxInputs, wait.toNanos(), TimeUnit.NANOSECONDS)) {
            return false;
        }
        inputs.release(maxInputs);
        endLock.lock();
        try {
            long left = deadline - System.nanoTime();
            while (unended > 0) {
                if (left <= 0) {
                    return false;
                }
                left = allEnded.awaitNanos(left);
            }
            return true;
        } finally {
            endLock.unlock();
        }
    }

    @Override
    public ServerCallHandler accept(ServerCall serverCall) {
        InputCall call = new InputCall(serverCall);
        return new ServerCallHandler() {
            private boolean started;

            @Override
            public void onEvent(ClientEvent event, int bytes) {
                if (started && (event.hasHttpDisconnect() || event.hasWebsocketDisconnect())) {
                    call.disconnected(event, bytes); // the input sees the disconnect and is interrupted
                } else if (started) {
                    call.deliver(event, bytes);
                } else {
                    started = true;
                    serverCall.consumed(bytes); // the start is taken here, not by the app
                    begin(call, event);
                }
            }

            @Override
            public void onReady() {
                call.onReady();
            }

            @Override
            public void onCancel(String reason) {
                // The gateway gives up on a call only when its client is gone (or its
                // connection is): to the app, the client disconnected.
                call.cancel("client disconnected: " + reason);
            }
        };
    }

    private void begin(InputCall call, ClientEvent first) {
        if (!first.hasStart()) {
            call.refuse(ErrorCode.PROTOCOL_VIOLATION, "first event: " + first.getEventCase() + " (expected: start)");
            return;
        }
        if (!first.getStart().getFunction().equals(function)) {
            call.refuse(
                    ErrorCode.FUNCTION_NOT_FOUND,
                    "this container serves " + function + ", not "
                            + first.getStart().getFunction());
            return;
        }
        if (draining) {
            call.refuse(ErrorCode.NO_CAPACITY, CallErrors.DRAINING);
            return;
        }
        if (!inputs.tryAcquire()) {
            call.refuse(ErrorCode.NO_CAPACITY, "container is running its maximum of " + maxInputs + " inputs");
            return;
        }
        // Taken on from here: the gateway hears it before any event of the call, and from then
        // on never sends the call elsewhere, since the function may have run some of it.
        call.accept();
        Thread thread =
                Thread.ofVirtual().name("input-" + first.getStart().getCallId()).unstarted(() -> run(call));
        thread.setContextClassLoader(appLoader);
        call.started(first.getStart(), thread);
        endLock.lock();
        try {
            unended++;
        } finally {
            endLock.unlock();
        }
        thread.start();
    }

    private void run(InputCall call) {
        call.deadline(System.nanoTime() + timeout.toNanos());
        running.add(call);
        if (sweepScheduled.compareAndSet(false, true)) {
            sweepIn(timeout.toNanos());
        }
        Throwable failure = null;
        try {
            app.call(call.start(), call, call);
        } catch (ClientDisconnectedException e) {
            // The client left or the call timed out: an ordinary end, nothing to report.
        } catch (InterruptedException e) {
            // Cancelled while blocked; the interrupt was ours.
        } catch (Throwable t) {
            failure = t;
        } finally {
            running.remove(call);
            Thread.interrupted(); // clear a late cancellation interrupt before closing the stream
        }
        if (failure != null && !call.ended()) {
            logger.log(System.Logger.Level.ERROR, "call " + call.callId() + ": function threw", failure);
        }
        // The slot is free before the call ends: the end is the gateway's signal to send the
        // next input here, which must not find this one still holding its permit.
        inputs.release();
        try {
            call.finish(failure);
        } finally {
            endLock.lock();
            try {
                if (--unended == 0) {
                    allEnded.signalAll();
                }
            } finally {
                endLock.unlock();
            }
        }
    }

    private void sweepIn(long nanos) {
        try {
            timer.schedule(this::sweep, nanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            sweepScheduled.set(false); // the container is stopping: its inputs end with it
        }
    }

    /** Times out the inputs past their deadline, then comes back at the next deadline, while inputs run. */
    private void sweep() {
        long now = System.nanoTime();
        long next = Long.MAX_VALUE;
        for (InputCall call : running) {
            long left = call.deadline() - now;
            if (left <= 0) {
                running.remove(call);
                try {
                    call.timeOut(format(timeout));
                } catch (RuntimeException e) {
                    // Not this sweep's end: the inputs after it must still time out.
                    logger.log(System.Logger.Level.ERROR, "call " + call.callId() + ": cannot time it out", e);
                }
            } else {
                next = Math.min(next, left);
            }
        }
        if (next != Long.MAX_VALUE) {
            sweepIn(next);
            return;
        }
        sweepScheduled.set(false);
        // An input that started during this sweep found it scheduled and left its deadline to it.
        if (!running.isEmpty() && sweepScheduled.compareAndSet(false, true)) {
            sweepIn(0);
        }
    }

    private static String format(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }
}
