package dev.ferry.perf.bench;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A redis-server of the bench's own, on a free loopback port, that can be killed (SIGKILL)
 * and started again on the same port with the data it had: it runs without automatic
 * snapshots ({@code --save ""}, no AOF), and {@link #saveAndKill()} takes one with SAVE just
 * before the kill, which the next start loads from its directory. Not thread-safe.
 */
final class RedisProcess implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);
    private static final int IO_TIMEOUT_MILLIS = 10_000;

    private final Path executable;
    private final Path dir;
    private final Path log;
    private final int port;
    private Processes.Child server;
    private int starts;
    /** redis-server's latest answer to PING while it starts, for the message when it never answers PONG. */
    private String lastPing = "";

    private RedisProcess(Path executable, Path dir, Path log, int port) {
        this.executable = executable;
        this.dir = dir;
        this.log = log;
        this.port = port;
    }

    /**
     * Starts redis-server with its data in {@code dir} and its output in {@code log}.
     *
     * @throws IOException when redis-server is not installed (the message says how to get it)
     *     or does not start
     */
    static RedisProcess start(Path dir, Path log) throws IOException {
        Files.createDirectories(dir);
        RedisProcess redis = new RedisProcess(
                executable(), dir.toAbsolutePath(), log.toAbsolutePath(), Processes.freeLoopbackPort());
        redis.launch();
        return redis;
    }

    /**
     * The redis-server executable.
     *
     * @throws IOException when it is not installed; the message says how to get it
     */
    static Path executable() throws IOException {
        return Processes.executable("redis-server", "apt-get install redis-server");
    }

    /** The installed redis-server's version, such as "7.0.15", for a report; what it printed else. */
    static String version() {
        String text = Processes.version("redis-server", "--version");
        int v = text.indexOf("v=");
        return v >= 0 ? text.substring(v + 2).split(" ")[0] : text;
    }

    int port() {
        return port;
    }

    /** {@code redis://127.0.0.1:<port>}. */
    String url() {
        return "redis://127.0.0.1:" + port;
    }

    private void launch() throws IOException {
        List<String> command = List.of(
                executable.toString(),
                "--port",
                Integer.toString(port),
                "--bind",
                "127.0.0.1",
                "--protected-mode",
                "no",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                dir.toString(),
                "--dbfilename",
                "dump.rdb",
                "--daemonize",
                "no",
                "--logfile",
                "");
        starts++;
        Files.writeString(
                log,
                "---- bench: start " + starts + " of redis-server on port " + port + "\n",
                StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.APPEND);
        // Redis accepts connections while it loads its snapshot and answers LOADING meanwhile.
        server = Processes.launch(command, dir, log)
                .readyOnPort(port)
                .readyWhen(() -> "PING to be answered PONG (last answer: \"" + lastPing + "\")", this::answersPong)
                .start(START_TIMEOUT);
    }

    /** Whether PING is answered PONG; the answer is kept for the message when it never is. */
    private boolean answersPong() throws IOException {
        lastPing = command("PING");
        return lastPing.equals("PONG");
    }

    /** The number of keys. */
    long dbSize() throws IOException {
        String reply = command("DBSIZE");
        try {
            return Long.parseLong(reply);
        } catch (NumberFormatException e) {
            throw new IOException(
                    "redis-server on port " + port + " answered DBSIZE with \"" + reply + "\" (expected: a number)");
        }
    }

    /**
     * Every key with its remaining time to live in milliseconds (-1: none), sorted by key. For
     * the bench's small databases only: it uses KEYS.
     */
    java.util.SortedMap<String, Long> keys() throws IOException {
        java.util.SortedMap<String, Long> keys = new java.util.TreeMap<>();
        Object reply = call("KEYS", "*");
        if (!(reply instanceof List<?> names)) {
            throw new IOException(
                    "redis-server on port " + port + " answered KEYS with " + reply + " (expected: an array)");
        }
        for (Object name : names) {
            Object ttl = call("PTTL", String.valueOf(name));
            keys.put(String.valueOf(name), ttl instanceof Long l ? l : -1L);
        }
        return keys;
    }

    /**
     * SAVE (a snapshot in {@code dump.rdb}), then SIGKILL at once: Redis dies as in a crash,
     * but its data as of this moment survives for {@link #restart()}. Returns when it has exited.
     */
    void saveAndKill() throws IOException {
        String reply = command("SAVE");
        if (!reply.equals("OK")) {
            throw new IOException(
                    "redis-server on port " + port + " answered SAVE with \"" + reply + "\" (expected: OK)");
        }
        kill();
    }

    /**
     * SIGKILL, then deletes the snapshot: the next {@link #restart()} starts with no data, as a
     * Redis whose disk was lost. Returns when it has exited.
     */
    void killAndForget() throws IOException {
        kill();
        Files.deleteIfExists(dir.resolve("dump.rdb"));
    }

    /** SIGKILL, and waits until the process has exited. */
    void kill() {
        Processes.Child child = server;
        server = null;
        if (child != null) {
            child.kill();
            child.stop(); // its watchdog
        }
    }

    /** Starts redis-server again on the same port and directory; returns once it has loaded its snapshot. */
    void restart() throws IOException {
        if (server != null) {
            throw new IllegalStateException("redis-server on port " + port + " is still running");
        }
        launch();
    }

    @Override
    public void close() {
        Processes.Child child = server;
        server = null;
        if (child != null) {
            child.stop();
        }
    }

    /**
     * Sends one command without arguments and returns its reply as text: a simple string, an
     * integer, or the error's text (with its "-" kept); empty when the connection fails.
     */
    String command(String name) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), IO_TIMEOUT_MILLIS);
            socket.setSoTimeout(IO_TIMEOUT_MILLIS);
            OutputStream out = socket.getOutputStream();
            out.write(("*1\r\n$" + name.length() + "\r\n" + name + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = new BufferedInputStream(socket.getInputStream());
            String line = readLine(in);
            if (line.isEmpty()) {
                return "";
            }
            return switch (line.charAt(0)) {
                case '+', ':' -> line.substring(1);
                default -> line;
            };
        } catch (IOException e) {
            if (name.equals("PING")) {
                return ""; // still starting
            }
            throw new IOException("redis-server on port " + port + ": " + name + ": " + e.getMessage(), e);
        }
    }

    /**
     * Sends a command and returns its reply: a String (simple or bulk; null for a null bulk),
     * a Long, a List of replies, or an IOException's message for an error reply.
     */
    Object call(String... arguments) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), IO_TIMEOUT_MILLIS);
            socket.setSoTimeout(IO_TIMEOUT_MILLIS);
            StringBuilder request =
                    new StringBuilder("*").append(arguments.length).append("\r\n");
            for (String argument : arguments) {
                byte[] bytes = argument.getBytes(StandardCharsets.UTF_8);
                request.append('$')
                        .append(bytes.length)
                        .append("\r\n")
                        .append(argument)
                        .append("\r\n");
            }
            OutputStream out = socket.getOutputStream();
            out.write(request.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            return reply(new BufferedInputStream(socket.getInputStream()));
        } catch (IOException e) {
            throw new IOException(
                    "redis-server on port " + port + ": " + String.join(" ", arguments) + ": " + e.getMessage(), e);
        }
    }

    private static Object reply(InputStream in) throws IOException {
        String line = readLine(in);
        if (line.isEmpty()) {
            throw new java.io.EOFException("no reply");
        }
        String rest = line.substring(1);
        return switch (line.charAt(0)) {
            case '+' -> rest;
            case '-' -> throw new IOException("error reply: " + rest);
            case ':' -> Long.parseLong(rest);
            case '$' -> {
                int n = Integer.parseInt(rest);
                if (n < 0) {
                    yield null;
                }
                byte[] bytes = in.readNBytes(n + 2);
                yield new String(bytes, 0, n, StandardCharsets.UTF_8);
            }
            case '*' -> {
                int n = Integer.parseInt(rest);
                List<Object> items = new java.util.ArrayList<>();
                for (int i = 0; i < n; i++) {
                    items.add(reply(in));
                }
                yield items;
            }
            default -> throw new IOException("not a RESP reply: " + line);
        };
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int previous = -1;
        for (int b; (b = in.read()) >= 0; previous = b) {
            if (previous == '\r' && b == '\n') {
                byte[] bytes = line.toByteArray();
                return new String(bytes, 0, bytes.length - 1, StandardCharsets.UTF_8);
            }
            line.write(b);
        }
        return "";
    }

    @Override
    public String toString() {
        return "redis-server on 127.0.0.1:" + port + " (data in " + dir + ")";
    }
}
