package dev.ferry.perf.bench;

import java.util.Optional;

/**
 * A server the bench measures: started in its own processes on free loopback ports, stopped
 * by {@link #close()}. Every target serves the same trivial handler ({@link Endpoint#HELLO}:
 * 200, {@code text/plain; charset=utf-8}, "Hello from Ferry!\n") over cleartext HTTP/1.1 and
 * HTTP/2 with prior knowledge (h2c).
 */
interface Target extends AutoCloseable {

    /** What a request can reach. */
    enum Endpoint {
        HELLO,
        WEBSOCKET_ECHO,
        SSE
    }

    enum Protocol {
        HTTP_1_1,
        HTTP_2
    }

    /** The authority (Host header / :authority) and path that reach an endpoint. */
    record Route(String authority, String path) {}

    /** "direct", "ferry", "nginx" or "haproxy". */
    String name();

    /** The loopback port that speaks {@code protocol} (HTTP/2: prior knowledge, no TLS). */
    int port(Protocol protocol);

    /** How to reach {@code endpoint} on this target; empty when it does not serve it. */
    Optional<Route> route(Endpoint endpoint);

    /** Stops every process this target started and waits until they have exited. */
    @Override
    void close();
}
