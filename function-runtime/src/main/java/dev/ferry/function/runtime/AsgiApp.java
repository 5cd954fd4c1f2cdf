package dev.ferry.function.runtime;

import dev.ferry.request.protocol.CallStart;

/**
 * The low-level function interface, ASGI's {@code app(scope, receive, send)}: it sees every
 * event of a call as the protobuf messages of {@code ferry/v1/asgi.proto}.
 *
 * <p>The runtime calls {@link #call} once per input, on a virtual thread of its own, so
 * blocking is fine. When the client goes away or the call times out, the thread is
 * interrupted, {@link Receive#receive()} returns a disconnect event and {@link Send#send}
 * throws {@link ClientDisconnectedException}.
 *
 * <p>An HTTP call must send {@code http.response.start}, then {@code http.response.body}
 * events until one has {@code more_body = false} (then trailers if announced). Returning
 * before that, or throwing, ends the call with an error; the client gets a 500 when the
 * response had not started yet.
 */
@FunctionalInterface
public interface AsgiApp {

    /**
     * Handles one call.
     *
     * @param scope the call's first message; {@code scope.getHttp()} for HTTP calls
     */
    void call(CallStart scope, Receive receive, Send send) throws Exception;
}
