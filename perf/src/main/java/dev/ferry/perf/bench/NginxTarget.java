package dev.ferry.perf.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * "nginx": nginx reverse-proxying to the {@link DirectTarget}, the proxy most people would
 * otherwise put in front of such a server. It runs from a configuration of its own under the
 * work directory (never /etc/nginx), in the foreground, so that it stops with the bench.
 *
 * <p>The configuration is the one a careful operator would deploy, not a handicapped one:
 * upstream keep-alive (so nginx does not pay a TCP handshake per request), no access log (the
 * other targets write none), limits raised where nginx's defaults would end a benchmark's
 * long-lived connections. nginx 1.22 cannot serve HTTP/1.1 and h2c on one cleartext port (a
 * port with {@code http2} speaks only HTTP/2), so it listens on two. Only
 * {@link Endpoint#HELLO} is routed. Thread-safe.
 */
final class NginxTarget extends ProcessTarget {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);
    /**
     * Idle upstream connections each worker keeps. Large enough that no worker closes and
     * reopens upstream connections at any concurrency the bench drives, as HAProxy, whose
     * idle pool is unbounded, does not either.
     */
    static final int UPSTREAM_KEEPALIVE = 1024;
    /** nginx's default of 1000 would close (HTTP/1.1) or GOAWAY (HTTP/2) a connection mid-run. */
    static final long MAX_REQUESTS_PER_CONNECTION = 1_000_000_000L;

    private NginxTarget(Processes.Child nginx, int http1Port, int http2Port, DirectTarget backend) {
        super("nginx", nginx, http1Port, http2Port, backend);
    }

    /**
     * Writes {@code workDir/nginx/nginx.conf}, starts nginx with it (output and error log in
     * {@code workDir/nginx.log}) and returns once both its ports accept connections.
     *
     * @throws IOException when nginx is not installed (the message says how to install it) or
     *     does not start (the message holds its command and log)
     */
    static NginxTarget start(DirectTarget backend, Path workDir) throws IOException {
        Objects.requireNonNull(backend, "backend");
        Path executable = Processes.executable("nginx", "apt-get install nginx");
        Path dir = workDir.toAbsolutePath().resolve("nginx");
        Files.createDirectories(dir);
        Path log = workDir.toAbsolutePath().resolve("nginx.log");
        int http1Port = Processes.freeLoopbackPort();
        int http2Port = Processes.freeLoopbackPort();
        Path conf = dir.resolve("nginx.conf");
        Files.writeString(conf, config(dir, log, backend.port(Protocol.HTTP_1_1), http1Port, http2Port));
        // -e: nginx writes to its error log before it has read the configuration; the compiled-in
        // one (/var/log/nginx) may not be writable.
        List<String> command =
                List.of(executable.toString(), "-c", conf.toString(), "-p", dir + "/", "-e", log.toString());
        return new NginxTarget(
                Processes.launch(command, dir, log)
                        .readyOnPort(http1Port)
                        .readyOnPort(http2Port)
                        .start(START_TIMEOUT),
                http1Port,
                http2Port,
                backend);
    }

    /**
     * The configuration: everything nginx writes (pid, error log, temp files) under
     * {@code dir}, so nothing needs root or touches a system nginx. Without a {@code user}
     * directive workers run as the invoking user, or as nginx's default unprivileged user when
     * that is root; neither needs to write anywhere, because request bodies stream to the
     * upstream and responses never spill to temp files.
     */
    static String config(Path dir, Path log, int upstreamPort, int http1Port, int http2Port) {
        return """
                # Written by the Ferry bench (perf/): nginx reverse-proxying to the bare server.
                daemon off;
                master_process on;
                worker_processes auto;
                pid %1$s;
                error_log %2$s warn;

                events {
                    worker_connections %3$d;
                }

                http {
                    access_log off;
                    client_body_temp_path %4$s;
                    proxy_temp_path %5$s;
                    fastcgi_temp_path %6$s;
                    uwsgi_temp_path %7$s;
                    scgi_temp_path %8$s;

                    keepalive_timeout 75s;
                    # Also bounds HTTP/2 connections since nginx 1.19.7.
                    keepalive_requests %9$d;
                    # As many as Ferry's gateway and the bare server allow.
                    http2_max_concurrent_streams %10$d;

                    upstream direct {
                        server 127.0.0.1:%11$d;
                        keepalive %12$d;
                        keepalive_requests %9$d;
                        keepalive_timeout 75s;
                    }

                    server {
                        # reuseport: one accept queue per worker, so connections spread
                        # evenly over the workers, as the bare server's and HAProxy's do.
                        listen 127.0.0.1:%13$d reuseport backlog=4096;
                        listen 127.0.0.1:%14$d http2 reuseport backlog=4096;

                        location / {
                            proxy_pass http://direct;
                            proxy_http_version 1.1;
                            proxy_set_header Connection "";
                            proxy_set_header Host $host;
                            # Stream request bodies as Ferry and HAProxy do; keep responses in
                            # memory (proxy_buffering stays on, nginx's default).
                            proxy_request_buffering off;
                            proxy_max_temp_file_size 0;
                        }
                    }
                }
                """.formatted(
                        quote(dir.resolve("nginx.pid")),
                        quote(log),
                        workerConnections(),
                        quote(dir.resolve("client_body_temp")),
                        quote(dir.resolve("proxy_temp")),
                        quote(dir.resolve("fastcgi_temp")),
                        quote(dir.resolve("uwsgi_temp")),
                        quote(dir.resolve("scgi_temp")),
                        MAX_REQUESTS_PER_CONNECTION,
                        BareServer.MAX_CONCURRENT_STREAMS,
                        upstreamPort,
                        UPSTREAM_KEEPALIVE,
                        http1Port,
                        http2Port);
    }

    /** A path as an nginx string; nginx has no escape that every directive honours, so odd paths are refused. */
    private static String quote(Path path) {
        String text = path.toString();
        for (char c : text.toCharArray()) {
            if (c == '"' || c == '\\' || c == '$' || c == ';' || c < ' ') {
                throw new IllegalArgumentException(
                        "workDir: " + path
                                + " (expected: a path without quotes, backslashes, '$', ';' or control characters, for nginx.conf)");
            }
        }
        return '"' + text + '"';
    }

    /**
     * As many connections per worker as this process may open files (children inherit the
     * limit), up to 16384: each proxied request holds two, and nginx warns when asked for more
     * than the limit.
     */
    private static long workerConnections() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            return Math.max(1024, Math.min(16384, unix.getMaxFileDescriptorCount()));
        }
        return 1024;
    }

    @Override
    public String toString() {
        return "nginx (127.0.0.1:" + port(Protocol.HTTP_1_1) + " HTTP/1.1, 127.0.0.1:" + port(Protocol.HTTP_2)
                + " h2c, " + process() + ")";
    }
}
