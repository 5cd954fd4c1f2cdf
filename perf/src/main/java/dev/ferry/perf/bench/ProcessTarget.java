package dev.ferry.perf.bench;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A target that is one started process (and whatever it forks) listening on loopback: what all
 * four share. By default it serves {@link Endpoint#HELLO} only, at its HTTP/1.1 port's address:
 * the proxies route nothing else, since the other endpoints measure Ferry against the bare
 * server, not proxies.
 */
abstract class ProcessTarget implements Target {

    private final String name;
    private final Processes.Child process;
    private final int http1Port;
    private final int http2Port;

    /** {@code http1Port} and {@code http2Port} are the same where one port tells h2c from HTTP/1.1 by the connection preface. */
    ProcessTarget(String name, Processes.Child process, int http1Port, int http2Port) {
        this.name = name;
        this.process = process;
        this.http1Port = http1Port;
        this.http2Port = http2Port;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final int port(Protocol protocol) {
        return switch (Objects.requireNonNull(protocol, "protocol")) {
            case HTTP_1_1 -> http1Port;
            case HTTP_2 -> http2Port;
        };
    }

    @Override
    public Optional<Route> route(Endpoint endpoint) {
        return endpoint == Endpoint.HELLO ? Optional.of(new Route("127.0.0.1:" + http1Port, "/")) : Optional.empty();
    }

    /** The started process, for its log and to check it is alive. */
    final Processes.Child process() {
        return process;
    }

    /** The target's processes now: the one started and its descendants. */
    final List<ProcessHandle> processes() {
        return process.processTree();
    }

    /** Where the process's stdout and stderr go. */
    final Path log() {
        return process.log();
    }

    /** Stops the process and everything it started; see {@link Processes.Child#stop()}. */
    @Override
    public final void close() {
        process.stop();
    }
}
