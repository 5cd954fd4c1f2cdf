package dev.ferry.routing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real {@code redis-server} for tests, on a free loopback port, in a temporary directory
 * of its own. It runs without persistence unless asked: {@link #save} writes a snapshot
 * that the next {@link #start} loads, so tests can restart Redis with its data
 * ({@link #restartWithData}) or without it ({@link #restartEmpty}), or kill it outright.
 *
 * <p>When {@code redis-server} is not on the PATH, {@link #start()} fails the test: a
 * test that cannot run is a broken test, never a skipped one.
 *
 * <pre>{@code
 * try (RedisServer redis = RedisServer.start()) {
 *     RoutingStore store = RoutingStore.redis(redis.uri(), "default");
 *     ...
 * }
 * }</pre>
 *
 * <p>{@link #builder} starts one that wants a password, an ACL user, or TLS only.
 */
public final class RedisServer implements AutoCloseable {

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration CLI_TIMEOUT = Duration.ofSeconds(10);

    private final Path executable;
    private final Path dir;
    private final String user; // null: the default user
    private final String password; // null: none
    private final TestCa.ServerCertificate tls; // null: plain TCP
    private final Thread killOnExit;
    private int port;
    private Process process;

    private RedisServer(Builder b) {
        this.executable = find("redis-server");
        this.user = b.user;
        this.password = b.password;
        this.tls = b.tls;
        try {
            this.dir = Files.createTempDirectory("ferry-redis-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // If the test JVM dies before close(), the server must not outlive it.
        this.killOnExit = new Thread(this::destroy, "redis-server-killer");
        Runtime.getRuntime().addShutdownHook(killOnExit);
    }

    /** Starts a Redis without a password. */
    public static RedisServer start() {
        return builder().start();
    }

    /** Starts a Redis that requires {@code password} ({@code --requirepass}). */
    public static RedisServer startWithPassword(String password) {
        return builder().password(password).start();
    }

    /** A builder for a Redis that wants more: a password, an ACL user, TLS. */
    public static Builder builder() {
        return new Builder();
    }

    /** What the server requires of its clients; by default nothing. */
    public static final class Builder {
        private String user;
        private String password;
        private TestCa.ServerCertificate tls;

        private Builder() {}

        /** Clients must give {@code password}, as the default user ({@code --requirepass}). */
        public Builder password(String password) {
            this.user = null;
            this.password = password;
            return this;
        }

        /**
         * Clients must log in as the ACL user {@code name} with {@code password}: the user may
         * run every command on Ferry's keys and channels and no others ({@code on >password
         * ~ferry:* &ferry:* +@all}), the rule the README suggests, and the default user is off.
         */
        public Builder user(String name, String password) {
            this.user = name;
            this.password = password;
            return this;
        }

        /** Clients must speak TLS: the server listens only on a TLS port, with {@code certificate}. */
        public Builder tls(TestCa.ServerCertificate certificate) {
            this.tls = certificate;
            return this;
        }

        public RedisServer start() {
            return startServer(this);
        }
    }

    private static RedisServer startServer(Builder b) {
        RedisServer server = new RedisServer(b);
        try {
            // A free port can be taken between finding it and Redis binding it: try a few.
            for (int attempt = 1; ; attempt++) {
                server.port = freePort();
                try {
                    server.launch();
                    return server;
                } catch (IllegalStateException e) {
                    if (attempt == 3) {
                        throw e;
                    }
                }
            }
        } catch (RuntimeException | Error e) {
            server.close();
            throw e;
        }
    }

    /**
     * Where the server listens, with what it requires:
     * {@code redis[s]://[[user]:password@]127.0.0.1:<port>/0} ({@code rediss} for TLS).
     */
    public String uri() {
        return (tls == null ? "redis" : "rediss") + "://"
                + (password == null ? "" : (user == null ? "" : user) + ":" + password + "@") + "127.0.0.1:" + port
                + "/0";
    }

    public int port() {
        return port;
    }

    /** Whether the server process is running. */
    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Starts the server again on the same port, loading the snapshot {@link #save} wrote, if any. */
    public synchronized void restart() {
        if (isRunning()) {
            throw new IllegalStateException("redis-server on port " + port + " is running");
        }
        launch();
    }

    /** Writes a snapshot ({@code SAVE}) that the next start loads. */
    public void save() {
        String reply = redisCli("SAVE");
        if (!reply.equals("OK")) {
            throw new IllegalStateException("SAVE on port " + port + " answered: " + reply);
        }
    }

    /** Stops the server with SIGTERM and waits for it; it saves nothing on the way out. */
    public synchronized void stop() {
        if (process != null) {
            process.destroy();
            await(process, "stop on SIGTERM");
            process = null;
        }
    }

    /** Kills the server with SIGKILL and waits for it to be gone. */
    public synchronized void kill() {
        if (process != null) {
            process.destroyForcibly();
            await(process, "die on SIGKILL");
            process = null;
        }
    }

    /** Saves, kills and starts the server again on the same port: it comes back with its data. */
    public void restartWithData() {
        save();
        kill();
        restart();
    }

    /** Kills the server, deletes its snapshot, and starts it again on the same port: it comes back empty. */
    public void restartEmpty() {
        kill();
        deleteData();
        restart();
    }

    /** Deletes the snapshot, so the next start is empty. */
    public synchronized void deleteData() {
        try {
            Files.deleteIfExists(dir.resolve("dump.rdb"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Runs {@code redis-cli} against the server with {@code args} (each one argument, never
     * split by a shell) and returns what it printed, trimmed.
     */
    public String redisCli(String... args) {
        List<String> command =
                new ArrayList<>(List.of(find("redis-cli").toString(), "-h", "127.0.0.1", "-p", Integer.toString(port)));
        if (user != null) {
            command.addAll(List.of("--user", user));
        }
        if (password != null) {
            command.addAll(List.of("--pass", password, "--no-auth-warning"));
        }
        if (tls != null) {
            command.addAll(List.of("--tls", "--cacert", tls.ca().toString()));
        }
        command.addAll(List.of(args));
        try {
            Process cli = new ProcessBuilder(command).redirectErrorStream(true).start();
            cli.getOutputStream().close();
            byte[] out;
            try (InputStream in = cli.getInputStream()) {
                out = in.readAllBytes();
            }
            if (!cli.waitFor(CLI_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                cli.destroyForcibly();
                throw new IllegalStateException(
                        "redis-cli " + String.join(" ", args) + " did not finish in " + CLI_TIMEOUT);
            }
            String text = new String(out, StandardCharsets.UTF_8).trim();
            if (cli.exitValue() != 0) {
                throw new IllegalStateException(
                        "redis-cli " + String.join(" ", args) + " exited with " + cli.exitValue() + ": " + text);
            }
            return text;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Kills the server (whatever state it is in) and deletes its directory. */
    @Override
    public void close() {
        destroy();
        try {
            Runtime.getRuntime().removeShutdownHook(killOnExit);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down: the hook runs anyway
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temp dir left behind is not worth failing a test for
        }
    }

    private synchronized void destroy() {
        if (process != null) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            process = null;
        }
    }

    @Override
    public String toString() {
        return "redis-server on 127.0.0.1:" + port;
    }

    // ---- process ----

    private synchronized void launch() {
        Path config = dir.resolve("redis.conf");
        try {
            // ACL rules hold spaces: they go in a config file, the one argument before the options.
            Files.writeString(
                    config,
                    user == null
                            ? ""
                            : "user default off\nuser " + user + " on >" + password + " ~ferry:* &ferry:* +@all\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> command = new ArrayList<>(List.of(
                executable.toString(),
                config.toString(),
                "--port",
                tls == null ? Integer.toString(port) : "0",
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                dir.toString(),
                "--dbfilename",
                "dump.rdb",
                "--daemonize",
                "no"));
        if (password != null && user == null) {
            command.addAll(List.of("--requirepass", password));
        }
        if (tls != null) {
            command.addAll(List.of(
                    "--tls-port",
                    Integer.toString(port),
                    "--tls-cert-file",
                    tls.certificate().toString(),
                    "--tls-key-file",
                    tls.key().toString(),
                    "--tls-ca-cert-file",
                    tls.ca().toString(),
                    // Clients show no certificate of their own: Ferry authenticates with a password.
                    "--tls-auth-clients",
                    "no"));
        }
        Path log = dir.resolve("redis.log");
        long logged = log.toFile().length(); // what earlier starts wrote, before this one
        try {
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not run " + executable, e);
        }
        Process started = process;
        try {
            Await.until(
                    READY_TIMEOUT,
                    () -> !started.isAlive() || (tls == null ? answersPing() : saysReady(log, logged)),
                    "redis-server on port " + port + " to answer PING");
        } catch (AssertionError e) {
            destroy();
            throw new IllegalStateException(e.getMessage() + ":\n" + tail(log));
        }
        if (!started.isAlive()) {
            process = null;
            throw new IllegalStateException("redis-server on port " + port + " exited at start:\n" + tail(log));
        }
    }

    /** True once the log says the server accepts connections: a TLS port does not answer a plain PING. */
    private static boolean saysReady(Path log, long from) {
        try {
            String text = Files.readString(log);
            return from < text.length() && text.substring((int) from).contains("Ready to accept connections");
        } catch (IOException e) {
            return false;
        }
    }

    /** True once the server answers PING (+PONG, or -NOAUTH when it wants a password). */
    private boolean answersPing() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
            socket.setSoTimeout(1000);
            OutputStream out = socket.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            byte[] reply = new byte[64];
            int n = socket.getInputStream().read(reply);
            String text = n <= 0 ? "" : new String(reply, 0, n, StandardCharsets.US_ASCII);
            return text.startsWith("+PONG") || text.startsWith("-NOAUTH") || text.startsWith("-WRONGPASS");
        } catch (IOException e) {
            return false;
        }
    }

    private static void await(Process process, String what) {
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("redis-server did not " + what + " within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The executable {@code name} on the PATH; fails the test, saying how to install it, when there is none. */
    static Path find(String name) {
        String path = System.getenv("PATH");
        for (String dir : (path == null ? "" : path).split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty()) {
                Path candidate = Path.of(dir, name);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return candidate;
                }
            }
        }
        String install = name.equals("openssl")
                ? "OpenSSL, to make test certificates: install it (e.g. apt-get install openssl, or brew install openssl)"
                : "a real Redis 7: install it (e.g. apt-get install redis-server, or brew install redis)";
        throw new IllegalStateException(name + " is not on the PATH (" + path + "). The Redis store's tests need "
                + install + " and run again.");
    }
}
