package dev.ferry.routing;

/**
 * A write (or a read that must go to the shared store, like a jar) could not reach the
 * store. The message names the store, e.g. "Redis at redis://10.0.0.5:6379 is unreachable".
 */
public final class StoreUnavailableException extends RuntimeException {

    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
