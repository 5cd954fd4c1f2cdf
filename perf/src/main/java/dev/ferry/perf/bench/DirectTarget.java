package dev.ferry.perf.bench;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * "direct": the {@link BareServer} in a JVM of its own, reached with nothing in between. It is
 * the floor every other target is compared with, and the origin nginx and HAProxy proxy to.
 * Its own process (not a server inside the bench's JVM) so that its threads, heap and JIT do
 * not compete with the load generator's more than the other targets' do. One loopback port
 * speaks HTTP/1.1 and h2c. Thread-safe.
 */
final class DirectTarget extends ProcessTarget {

    /** A JVM and Netty start in well under a second on an idle machine; a loaded one gets slack. */
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private final Processes.Child server;
    private final int port;

    private DirectTarget(Processes.Child server, int port) {
        super(server);
        this.server = server;
        this.port = port;
    }

    /**
     * Starts a bare server on a free loopback port, with the same JDK and class path as this
     * JVM, logging to {@code workDir/direct.log}; returns once it prints that it is ready.
     *
     * @throws IOException when it does not start; the message holds the command and its log
     */
    static DirectTarget start(Path workDir) throws IOException {
        Objects.requireNonNull(workDir, "workDir");
        int port = Processes.freeLoopbackPort();
        List<String> command = List.of(Processes.javaExecutable(), "--enable-native-access=ALL-UNNAMED",
                "-cp", absoluteClassPath(), BareServer.class.getName(), Integer.toString(port));
        Processes.Child server = Processes.start(command, workDir, workDir.resolve("direct.log"));
        try {
            server.awaitLine(BareServer.READY, START_TIMEOUT);
        } catch (IOException | RuntimeException e) {
            server.stop();
            throw e;
        }
        return new DirectTarget(server, port);
    }

    /**
     * This JVM's class path with every entry made absolute: {@code java -jar perf/target/ferry-perf.jar}
     * names its jar relative to a directory the server does not run in.
     */
    static String absoluteClassPath() {
        String classPath = System.getProperty("java.class.path", "");
        if (classPath.isEmpty()) {
            throw new IllegalStateException("java.class.path: empty (expected: the class path that holds "
                    + BareServer.class.getName() + ")");
        }
        return Arrays.stream(classPath.split(File.pathSeparator))
                .filter(entry -> !entry.isEmpty())
                .map(entry -> Path.of(entry).toAbsolutePath().toString())
                .collect(Collectors.joining(File.pathSeparator));
    }

    @Override
    public String name() {
        return "direct";
    }

    /** The same port for both: the server tells h2c from HTTP/1.1 by the connection preface. */
    @Override
    public int port(Protocol protocol) {
        Objects.requireNonNull(protocol, "protocol");
        return port;
    }

    @Override
    public Optional<Route> route(Endpoint endpoint) {
        String authority = "127.0.0.1:" + port;
        return Optional.of(switch (endpoint) {
            case HELLO -> new Route(authority, "/");
            case WEBSOCKET_ECHO -> new Route(authority, "/ws");
            case SSE -> new Route(authority, "/sse");
        });
    }

    @Override
    public String toString() {
        return "direct (127.0.0.1:" + port + ", " + server + ")";
    }
}
