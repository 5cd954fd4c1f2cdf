package dev.ferry.perf.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * "haproxy": HAProxy reverse-proxying to the {@link DirectTarget}, the other proxy people
 * reach for when every microsecond counts. It runs from a configuration of its own under the
 * work directory, in the foreground ({@code -db}: no fork, no master process, so SIGTERM stops
 * it at once), without logs or a stats socket.
 *
 * <p>One port serves HTTP/1.1 and h2c: on a cleartext HTTP bind HAProxy recognises the HTTP/2
 * connection preface by itself. Server-side connections are kept alive and shared between
 * client connections ({@code http-reuse always}), as Ferry's gateway shares its connections to
 * a container. Only {@link Endpoint#HELLO} is routed. Thread-safe.
 */
final class HaproxyTarget extends ProcessTarget {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);

    /** The same port for both protocols. */
    private HaproxyTarget(Processes.Child haproxy, int port, DirectTarget backend) {
        super("haproxy", haproxy, port, port, backend);
    }

    /**
     * Writes {@code workDir/haproxy/haproxy.cfg}, starts HAProxy with it (output in
     * {@code workDir/haproxy.log}) and returns once its port accepts connections.
     *
     * @throws IOException when HAProxy is not installed (the message says how to install it) or
     *     does not start (the message holds its command and log)
     */
    static HaproxyTarget start(DirectTarget backend, Path workDir) throws IOException {
        Objects.requireNonNull(backend, "backend");
        Path executable = Processes.executable("haproxy", "apt-get install haproxy");
        Path dir = workDir.toAbsolutePath().resolve("haproxy");
        Files.createDirectories(dir);
        int port = Processes.freeLoopbackPort();
        Path cfg = dir.resolve("haproxy.cfg");
        Files.writeString(
                cfg,
                config(
                        backend.port(Protocol.HTTP_1_1),
                        port,
                        Runtime.getRuntime().availableProcessors()));
        List<String> command = List.of(executable.toString(), "-f", cfg.toString(), "-db");
        return new HaproxyTarget(
                Processes.launch(command, dir, workDir.toAbsolutePath().resolve("haproxy.log"))
                        .readyOnPort(port)
                        .start(START_TIMEOUT),
                port,
                backend);
    }

    /**
     * The configuration. Timeouts mirror Ferry's edge defaults (30 s for a request head, 75 s
     * idle); the maximum number of connections follows from the file descriptor limit, as
     * HAProxy computes it when none is given.
     */
    static String config(int upstreamPort, int port, int threads) {
        return """
                # Written by the Ferry bench (perf/): HAProxy reverse-proxying to the bare server.
                global
                    nbthread %1$d
                    # As many as Ferry's gateway and the bare server allow.
                    tune.h2.max-concurrent-streams %2$d

                defaults
                    mode http
                    option http-keep-alive
                    http-reuse always
                    timeout connect 5s
                    timeout http-request 30s
                    timeout http-keep-alive 75s
                    timeout client 75s
                    timeout server 75s

                frontend bench
                    # HTTP/1.1, and h2c: HAProxy recognises the HTTP/2 preface on a cleartext bind.
                    bind 127.0.0.1:%3$d
                    default_backend direct

                backend direct
                    server direct 127.0.0.1:%4$d
                """.formatted(Math.clamp(threads, 1, 64), BareServer.MAX_CONCURRENT_STREAMS, port, upstreamPort);
    }

    @Override
    public String toString() {
        return "haproxy (127.0.0.1:" + port(Protocol.HTTP_1_1) + " HTTP/1.1 and h2c, " + process() + ")";
    }
}
