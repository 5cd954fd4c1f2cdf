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

    /** The same port for both protocols: the server tells h2c from HTTP/1.1 by the connection preface. */
    private DirectTarget(Processes.Child server, int port) {
        super("direct", server, port, port);
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
        List<String> command = Processes.javaCommand(
                List.of("-cp", absoluteClassPath(), BareServer.class.getName(), Integer.toString(port)));
        return new DirectTarget(
                Processes.launch(command, workDir, workDir.resolve("direct.log"))
                        .readyOnLine(BareServer.READY)
                        .start(START_TIMEOUT),
                port);
    }

    /**
     * This JVM's class path with every entry made absolute: {@code java -jar perf/target/ferry-perf.jar}
     * names its jar relative to a directory the server does not run in.
     */
    static String absoluteClassPath() {
        String classPath = System.getProperty("java.class.path", "");
        if (classPath.isEmpty()) {
            throw new IllegalStateException(
                    "java.class.path: empty (expected: the class path that holds " + BareServer.class.getName() + ")");
        }
        return Arrays.stream(classPath.split(File.pathSeparator))
                .filter(entry -> !entry.isEmpty())
                .map(entry -> Path.of(entry).toAbsolutePath().toString())
                .collect(Collectors.joining(File.pathSeparator));
    }

    @Override
    public Optional<Route> route(Endpoint endpoint) {
        String authority = "127.0.0.1:" + port(Protocol.HTTP_1_1);
        return Optional.of(
                switch (endpoint) {
                    case HELLO -> new Route(authority, "/");
                    case WEBSOCKET_ECHO -> new Route(authority, "/ws");
                    case SSE -> new Route(authority, "/sse");
                });
    }

    @Override
    public String toString() {
        return "direct (127.0.0.1:" + port(Protocol.HTTP_1_1) + ", " + process() + ")";
    }
}
