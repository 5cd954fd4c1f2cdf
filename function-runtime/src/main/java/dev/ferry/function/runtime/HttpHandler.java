package dev.ferry.function.runtime;

import dev.ferry.request.protocol.CallStart;

/**
 * The simple function interface: a request in, a response out. Built on {@link AsgiApp}.
 *
 * <p>The request body streams: read {@link Request#body()} as it arrives, or take it whole
 * with {@link Request#bodyBytes()}. For a response that streams, return one built with
 * {@link Response.Builder#streamingBody(Response.StreamingBody)}.
 *
 * <p>A handler that throws gives the client a 500 with a generic text; the exception goes
 * to the container's log with the call id.
 */
@FunctionalInterface
public interface HttpHandler extends AsgiApp {

    /** Handles one request; called concurrently, up to the function's maxInputs at once. */
    Response handle(Request request) throws Exception;

    // Error Prone's FunctionalInterfaceMethodChanged warns that a lambda typed as HttpHandler runs
    // handle() where one typed as AsgiApp would run call(). Turning handle() into call() is what
    // this interface is for, and AsgiApp's events cannot be written as a request-to-response lambda.
    @SuppressWarnings("FunctionalInterfaceMethodChanged")
    @Override
    default void call(CallStart scope, Receive receive, Send send) throws Exception {
        SimpleHttpCall.run(this, scope, receive, send);
    }
}
