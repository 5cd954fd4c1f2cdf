package dev.ferry.function.runtime;

import dev.ferry.request.protocol.ClientEvent;

/** ASGI {@code receive}: the next event from the client. */
@FunctionalInterface
public interface Receive {

    /**
     * Blocks until the next event: {@code http_request} body chunks, then, once the client
     * is gone or the call is cancelled, {@code http_disconnect} (returned again on every
     * later call). After the last body chunk it blocks until a disconnect.
     *
     * @throws InterruptedException when the call is cancelled while waiting
     */
    ClientEvent receive() throws InterruptedException;
}
