package dev.ferry.function.runtime;

import dev.ferry.request.protocol.ClientEvent;
import dev.ferry.request.protocol.FunctionCallGrpc;
import dev.ferry.request.protocol.ServerEvent;
import io.grpc.stub.StreamObserver;
import java.util.Objects;

/**
 * The gRPC service of a pool member: hands each call to the service it routes to now. A pool
 * member binds its port before it knows its function, warms up on a built-in one, and then
 * routes to the function it was assigned, on the same server and the same code path.
 */
final class CallRouter extends FunctionCallGrpc.FunctionCallImplBase {

    private volatile FunctionCallService target;

    CallRouter(FunctionCallService first) {
        this.target = Objects.requireNonNull(first, "first");
    }

    /** Sends every later call to {@code next}; calls already running stay where they are. */
    void routeTo(FunctionCallService next) {
        this.target = Objects.requireNonNull(next, "next");
    }

    FunctionCallService target() {
        return target;
    }

    @Override
    public StreamObserver<ClientEvent> call(StreamObserver<ServerEvent> responseObserver) {
        return target.call(responseObserver);
    }
}
