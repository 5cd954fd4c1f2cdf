package dev.ferry.function.runtime;

import java.io.IOException;

/**
 * Thrown by {@link Send#send} and by the streams of {@link Request} and {@link Response}
 * when the client has gone away or the call was cancelled. Unchecked so that handlers need
 * not declare it; the runtime treats it as a normal end of the call, not a failure.
 */
public final class ClientDisconnectedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    ClientDisconnectedException(String message) {
        super(message);
    }

    /** The same condition as an {@link IOException}, for {@link java.io.InputStream} and {@link java.io.OutputStream} contracts. */
    IOException asIOException() {
        return new IOException(getMessage(), this);
    }
}
