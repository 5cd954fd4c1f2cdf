package dev.ferry.perf.bench;

import java.io.IOException;
import java.util.List;
import java.util.Map;
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

    /**
     * Every process that may take part in serving this target's requests, now: its own
     * processes and, for a proxy, its backend's. Listed from /proc without asking the target
     * anything, so that it can be called at both ends of a measured run without adding to what
     * is measured.
     */
    List<ProcessHandle> cpuCandidates();

    /**
     * Which of {@code candidates} count when the CPU time per request is measured, each pid with
     * what it is (for the report). May ask the target (Ferry: its admin API, for the containers
     * serving hello), so it is called before and after a measured run, never during one.
     */
    Map<Long, String> cpuProcesses(List<ProcessHandle> candidates) throws IOException, InterruptedException;

    /** Stops every process this target started and waits until they have exited. */
    @Override
    void close();
}
