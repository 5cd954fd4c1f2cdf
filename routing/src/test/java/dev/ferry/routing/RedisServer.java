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
 */
public final class RedisServer implements AutoCloseable {

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration CLI_TIMEOUT = Duration.ofSeconds(10);

    private final Path executable;
    private final Path dir;
    private final String password;
    private final Thread killOnExit;
    private int port;
    private Process process;

    private RedisServer(String password) {
        this.executable = find("redis-server");
        this.password = password;
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
        return startServer(null);
    }

    /** Starts a Redis that requires {@code password} ({@code --requirepass}). */
    public static RedisServer startWithPassword(String password) {
        return startServer(password);
    }

    private static RedisServer startServer(String password) {
        RedisServer server = new RedisServer(password);
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

    /** Where the server listens: {@code redis://[:password@]127.0.0.1:<port>/0}. */
    public String uri() {
        return "redis://" + (password == null ? "" : ":" + password + "@") + "127.0.0.1:" + port + "/0";
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
        if (password != null) {
            command.addAll(List.of("-a", password, "--no-auth-warning"));
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
        List<String> command = new ArrayList<>(List.of(
                executable.toString(),
                "--port",
                Integer.toString(port),
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
        if (password != null) {
            command.addAll(List.of("--requirepass", password));
        }
        Path log = dir.resolve("redis.log");
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
                    () -> !started.isAlive() || answersPing(),
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
            return text.startsWith("+PONG") || text.startsWith("-NOAUTH");
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

    private static Path find(String name) {
        String path = System.getenv("PATH");
        for (String dir : (path == null ? "" : path).split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty()) {
                Path candidate = Path.of(dir, name);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return candidate;
                }
            }
        }
        throw new IllegalStateException(name + " is not on the PATH (" + path + "). The Redis store's tests need a "
                + "real Redis 7: install it (e.g. apt-get install redis-server, or brew install redis) and run again.");
    }
}
