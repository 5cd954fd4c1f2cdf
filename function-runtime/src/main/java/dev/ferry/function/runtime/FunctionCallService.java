package dev.ferry.function.runtime;

import dev.ferry.request.protocol.ClientEvent;
import dev.ferry.request.protocol.ErrorCode;
import dev.ferry.request.protocol.FunctionCallGrpc;
import dev.ferry.request.protocol.FunctionSettings;
import dev.ferry.request.protocol.ServerEvent;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The container's gRPC service: runs each call's app on its own virtual thread, at most
 * {@code maxInputs} at once, with the function's timeout.
 *
 * <p>The gRPC callbacks here never block (they run on the transport's threads).
 */
final class FunctionCallService extends FunctionCallGrpc.FunctionCallImplBase {

    private static final System.Logger logger = System.getLogger(FunctionCallService.class.getName());

    private final String function;
    private final AsgiApp app;
    private final ClassLoader appLoader;
    private final Semaphore inputs;
    private final int maxInputs;
    private final Duration timeout;
    private final ScheduledExecutorService timer;
    /** Set when the container stops: new calls are refused (gateways send them elsewhere), running ones finish. */
    private volatile boolean draining;

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
     * that races with the stop is never lost. Then waits until no input runs, at most
     * {@code wait}; true when drained.
     */
    boolean drain(Duration wait) throws InterruptedException {
        draining = true;
        if (inputs.tryAcquire(maxInputs, wait.toMillis(), TimeUnit.MILLISECONDS)) {
            inputs.release(maxInputs);
            return true;
        }
        return false;
    }

    @Override
    public StreamObserver<ClientEvent> call(StreamObserver<ServerEvent> responseObserver) {
        ServerCallStreamObserver<ServerEvent> out = (ServerCallStreamObserver<ServerEvent>) responseObserver;
        out.disableAutoRequest();
        InputCall call = new InputCall(out);
        out.setOnReadyHandler(call::onReady);
        out.setOnCancelHandler(() -> call.cancel("client disconnected"));
        out.request(1);
        return new StreamObserver<>() {
            private boolean started;

            @Override
            public void onNext(ClientEvent event) {
                if (started && (event.hasHttpDisconnect() || event.hasWebsocketDisconnect())) {
                    call.disconnected(event); // the input sees the disconnect and is interrupted
                } else if (started) {
                    call.deliver(event);
                } else {
                    started = true;
                    begin(call, out, event);
                }
            }

            @Override
            public void onError(Throwable t) {
                call.cancel("client disconnected");
            }

            @Override
            public void onCompleted() {
                // The gateway sent its last event; the app reads what is queued.
            }
        };
    }

    private void begin(InputCall call, ServerCallStreamObserver<ServerEvent> out, ClientEvent first) {
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
            call.refuse(ErrorCode.NO_CAPACITY, "container is draining");
            return;
        }
        if (!inputs.tryAcquire()) {
            call.refuse(ErrorCode.NO_CAPACITY, "container is running its maximum of " + maxInputs + " inputs");
            return;
        }
        Thread thread =
                Thread.ofVirtual().name("input-" + first.getStart().getCallId()).unstarted(() -> run(call));
        thread.setContextClassLoader(appLoader);
        call.started(first.getStart(), thread);
        out.request(1);
        thread.start();
    }

    private void run(InputCall call) {
        ScheduledFuture<?> deadline =
                timer.schedule(() -> call.timeOut(format(timeout)), timeout.toNanos(), TimeUnit.NANOSECONDS);
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
            deadline.cancel(false);
            Thread.interrupted(); // clear a late cancellation interrupt before closing the stream
        }
        if (failure != null && !call.ended()) {
            logger.log(System.Logger.Level.ERROR, "call " + call.callId() + ": function threw", failure);
        }
        // The slot is free before the stream ends: the end is the gateway's signal to send the
        // next input here, which must not find this one still holding its permit.
        inputs.release();
        call.finish(failure);
    }

    private static String format(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }
}
