package dev.ferry.call.transport;

/** A container's side: what serves each call that arrives. */
@FunctionalInterface
public interface CallAcceptor {

    /**
     * A call has arrived; its first event (which should carry the start) follows at once on the
     * returned handler. Runs on the connection's event loop and must not block.
     */
    ServerCallHandler accept(ServerCall call);
}
