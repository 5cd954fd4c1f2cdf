package dev.ferry.perf.bench;

/**
 * Requests to one target over a fixed set of slots — connections for HTTP/1.1 (one request
 * at a time each, no pipelining), streams over a few connections for HTTP/2. Everything runs
 * on the client's one event loop: {@link #trySend} must be called there and completions
 * arrive there.
 */
interface LoadClient extends AutoCloseable {

    /** Told once per request, on the event loop: {@code ok} is a 200 with the whole body read. */
    interface Completion {
        void completed(boolean ok);
    }

    /** Sends one request on a free slot; false, sending nothing, when every slot is busy. */
    boolean trySend(Completion completion);

    /** Slots in all: how many requests can be in flight at once. */
    int slots();

    @Override
    void close();
}
