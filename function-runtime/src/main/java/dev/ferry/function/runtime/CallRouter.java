package dev.ferry.function.runtime;

import dev.ferry.call.transport.CallAcceptor;
import dev.ferry.call.transport.ServerCall;
import dev.ferry.call.transport.ServerCallHandler;
import java.util.List;
import java.util.Objects;

/**
 * The call acceptor of a pool member: hands each new call to the service it routes to now. A pool
 * member binds its port before it knows its function, warms up on built-in ones (several, in
 * turn: see {@link WarmUp#services}), and then routes to the function it was assigned, on the
 * same server and the same code path.
 */
final class CallRouter implements CallAcceptor {

    /** The services calls go to, taken in turn; one after the assignment. */
    private volatile FunctionCallService[] targets;

    private int next;

    CallRouter(List<FunctionCallService> first) {
        this.targets = first.toArray(FunctionCallService[]::new);
        if (targets.length == 0) {
            throw new IllegalArgumentException("first: none (expected: at least one service)");
        }
    }

    /** Sends every later call to {@code service}; calls already running stay where they are. */
    void routeTo(FunctionCallService service) {
        this.targets = new FunctionCallService[] {Objects.requireNonNull(service, "service")};
    }

    @Override
    public ServerCallHandler accept(ServerCall call) {
        FunctionCallService[] now = targets;
        // A data race on next (the server has a few event loops) is harmless: it only spreads
        // warm-up calls over the services.
        return now.length == 1 ? now[0].accept(call) : now[next++ % now.length].accept(call);
    }
}
