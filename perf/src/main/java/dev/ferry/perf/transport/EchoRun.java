package dev.ferry.perf.transport;

import com.google.protobuf.ByteString;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs echo calls on a plane as a closed loop: {@code window} calls in flight, a new one started
 * as each completes, until {@code total} have completed. The calling thread hands the start to
 * the gateway's loop and parks until the last call completes; everything else runs on that loop.
 *
 * <p>One run at a time; reused across runs so that the harness allocates nothing per call.
 */
public final class EchoRun implements EchoCall.Done {

    /** A run that takes longer than this has lost calls: it fails instead of hanging the benchmark. */
    private static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final EchoPlane plane;
    private final Runnable begin = this::begin;

    // Set by the calling thread before the loop runs begin (the hand-off orders them), then loop-confined.
    private int total;
    private int window;
    private int started;
    private int completed;
    private long nextCall;

    // Read by the calling thread.
    private volatile Thread waiter;
    private volatile boolean finished;
    private volatile String failure;

    public EchoRun(EchoPlane plane) {
        this.plane = plane;
    }

    /** Makes {@code total} calls, at most {@code window} at once; throws when one failed or the run timed out. */
    public void go(int total, int window) {
        this.total = total;
        this.window = window;
        this.started = 0;
        this.completed = 0;
        this.failure = null;
        this.finished = false;
        this.waiter = Thread.currentThread();
        plane.clientLoop().execute(begin);
        long deadline = System.nanoTime() + TIMEOUT_NANOS;
        while (!finished) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new IllegalStateException("echo run timed out: " + completed + " of " + total
                        + " calls completed after 10 s (failure: " + failure + ")");
            }
            LockSupport.parkNanos(this, left);
        }
        String failed = failure;
        if (failed != null) {
            throw new IllegalStateException("echo call failed: " + failed);
        }
    }

    private void begin() {
        for (int i = 0; i < window && started < total; i++) {
            startOne();
        }
    }

    private void startOne() {
        started++;
        plane.call(nextCall++, this);
    }

    @Override
    public void completed(int status, ByteString body) {
        if (status != 200 || body.size() != EchoCall.BODY_SIZE) {
            failure = "status " + status + ", body of " + body.size() + " bytes (expected: 200, " + EchoCall.BODY_SIZE
                    + " bytes)";
        }
        next();
    }

    @Override
    public void failed(String why) {
        failure = why;
        next();
    }

    private void next() {
        completed++;
        if (started < total) {
            startOne();
        } else if (completed == total) {
            finished = true;
            LockSupport.unpark(waiter);
        }
    }
}
