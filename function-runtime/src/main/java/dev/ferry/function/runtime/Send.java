package dev.ferry.function.runtime;

import dev.ferry.request.protocol.ServerEvent;

/** ASGI {@code send}: one event to the client. */
@FunctionalInterface
public interface Send {

    /**
     * Sends {@code event}, blocking while the client (through the gateway) cannot take more:
     * that is the backpressure that keeps a slow reader from growing memory anywhere.
     * Returns once the event is handed to the transport; body chunks are flushed to the
     * client as they arrive there.
     *
     * @throws ClientDisconnectedException when the client went away or the call was cancelled
     * @throws IllegalStateException when {@code event} breaks the event order
     *     (for example a body before {@code http.response.start})
     */
    void send(ServerEvent event) throws InterruptedException;
}
