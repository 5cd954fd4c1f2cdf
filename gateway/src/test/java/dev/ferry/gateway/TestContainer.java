package dev.ferry.gateway;

import dev.ferry.function.runtime.ContainerArgs;
import dev.ferry.function.runtime.FunctionClass;
import dev.ferry.function.runtime.TestJars;
import dev.ferry.request.protocol.ContainerSecret;
import dev.ferry.request.protocol.FunctionId;
import dev.ferry.routing.AppDeployment;
import dev.ferry.routing.ContainerInfo;
import dev.ferry.routing.ContainerResources;
import dev.ferry.routing.ContainerState;
import dev.ferry.routing.DeployedFunction;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A real container: the function runtime in its own process, started as a worker starts it,
 * serving one test function from a jar on a free port and, as a worker's containers do, on the
 * local socket its ready token names.
 */
final class TestContainer implements AutoCloseable {

    private final String id;
    private final FunctionId function;
    private final int maxInputs;
    private final int port;
    private final String token;
    private final ContainerSecret secret;
    private final Process process;

    private TestContainer(
            String id,
            FunctionId function,
            int maxInputs,
            int port,
            String token,
            ContainerSecret secret,
            Process process) {
        this.id = id;
        this.function = function;
        this.maxInputs = maxInputs;
        this.port = port;
        this.token = token;
        this.secret = secret;
        this.process = process;
    }

    /** A ready token as a worker makes one: unguessable, so that test JVMs side by side never share a local socket. */
    private static String newToken(String id) {
        return id + "-" + UUID.randomUUID();
    }

    /** Starts containers of {@code type} ({@code app--name}), from the jar at {@code jar}, and waits until all are ready. */
    static List<TestContainer> start(Path jar, String functionId, Class<?> type, int maxInputs, String... ids)
            throws Exception {
        List<TestContainer> started = new ArrayList<>();
        try {
            for (String id : ids) {
                started.add(launch(List.of(), jar, functionId, type, maxInputs, id, freePort(), Map.of()));
            }
        } catch (IOException | RuntimeException e) {
            started.forEach(TestContainer::close);
            throw e;
        }
        return awaitReady(started);
    }

    /** App {@code t} version {@code v1}: {@code functions}, each a class of the jar at {@code jar}. */
    static AppDeployment app(Path jar, Class<?>... functions) {
        List<DeployedFunction> deployed = new ArrayList<>();
        for (Class<?> type : functions) {
            deployed.add(new DeployedFunction(
                    "t", "v1", type.getName(), jar, "00", FunctionClass.of(type).settings()));
        }
        return new AppDeployment("t", "v1", deployed, Instant.EPOCH);
    }

    /** A port nothing listens on now. */
    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** As {@link #start}, one container on {@code port}. */
    static TestContainer startOn(Path jar, String functionId, Class<?> type, int maxInputs, String id, int port)
            throws Exception {
        return awaitReady(List.of(launch(List.of(), jar, functionId, type, maxInputs, id, port, Map.of())))
                .getFirst();
    }

    /**
     * As {@link #startOn}, in a network namespace of its own (bubblewrap's {@code --unshare-net},
     * which brings its loopback up; nothing else of a sandbox), listening on the socket file
     * {@code socket} as a worker's network-none container does: its TCP port is unreachable from here.
     */
    static TestContainer startInOwnNetwork(
            Path jar, String functionId, Class<?> type, int maxInputs, String id, Path socket) throws Exception {
        List<String> bwrap =
                List.of("/usr/bin/bwrap", "--dev-bind", "/", "/", "--unshare-net", "--die-with-parent", "--");
        return awaitReady(List.of(launch(
                        bwrap,
                        jar,
                        functionId,
                        type,
                        maxInputs,
                        id,
                        freePort(),
                        Map.of(ContainerArgs.CALL_SOCKET_ENV, socket.toString()))))
                .getFirst();
    }

    /**
     * Launches one container as a worker does (its ready token and secret in its environment,
     * with {@code environment} added), its command after {@code wrapper}; does not wait for it.
     */
    private static TestContainer launch(
            List<String> wrapper,
            Path jar,
            String functionId,
            Class<?> type,
            int maxInputs,
            String id,
            int port,
            Map<String, String> environment)
            throws IOException {
        FunctionId function = FunctionId.parse(functionId);
        List<String> command = new ArrayList<>(wrapper);
        command.addAll(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED",
                "--sun-misc-unsafe-memory-access=allow",
                "-cp",
                TestJars.runtimeClasspath(type),
                ContainerArgs.MAIN_CLASS));
        command.addAll(new ContainerArgs(id, function, type.getName(), jar, port).toArgs());
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
        String token = newToken(id);
        ContainerSecret secret = ContainerSecret.generate();
        builder.environment().put(ContainerArgs.READY_TOKEN_ENV, token);
        builder.environment().put(ContainerArgs.SECRET_ENV, secret.encoded());
        builder.environment().putAll(environment);
        return new TestContainer(id, function, maxInputs, port, token, secret, builder.start());
    }

    /** Waits until every container of {@code launched} printed its ready line (60 s), else closes them all. */
    private static List<TestContainer> awaitReady(List<TestContainer> launched) throws Exception {
        List<CompletableFuture<Void>> ready = new ArrayList<>();
        for (TestContainer c : launched) {
            ready.add(CompletableFuture.runAsync(() -> awaitReadyLine(c.process, ContainerArgs.readyLine(c.token))));
        }
        try {
            CompletableFuture.allOf(ready.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            launched.forEach(TestContainer::close);
            throw e;
        }
        return launched;
    }

    private static void awaitReadyLine(Process process, String readyLine) {
        try {
            BufferedReader out =
                    new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = out.readLine()) != null) {
                if (line.equals(readyLine)) {
                    // Keep reading, so that a full pipe never blocks the container.
                    Thread.ofVirtual().start(() -> {
                        try {
                            out.transferTo(java.io.Writer.nullWriter());
                        } catch (IOException ignored) {
                            // the container exited
                        }
                    });
                    return;
                }
            }
            throw new IllegalStateException("container exited before it was ready: " + process.waitFor());
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** How the routing store lists this container once it is ready, local socket included, as a worker lists it. */
    ContainerInfo ready(String version) {
        return ready(version, port, localSocket());
    }

    /** As {@link #ready(String)}, with another TCP port and local socket name (empty: none). */
    ContainerInfo ready(String version, int tcpPort, String socket) {
        return new ContainerInfo(
                id,
                function,
                version,
                "w1",
                "127.0.0.1",
                tcpPort,
                ContainerState.READY,
                maxInputs,
                Instant.EPOCH,
                ContainerResources.NONE,
                "",
                socket,
                secret);
    }

    /** How its worker lists it once it has died for {@code reason} ("killed by signal 9 (SIGKILL)"). */
    ContainerInfo failed(String version, String reason) {
        return new ContainerInfo(
                id,
                function,
                version,
                "w1",
                "127.0.0.1",
                port,
                ContainerState.FAILED,
                maxInputs,
                Instant.EPOCH,
                ContainerResources.NONE,
                reason,
                localSocket(),
                secret);
    }

    /** Stops the process where it is (SIGSTOP): its sockets stay open and take bytes, and nothing reads them. */
    void suspend() throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-STOP", Long.toString(process.pid()))
                .redirectErrorStream(true)
                .start();
        if (kill.waitFor() != 0) {
            throw new IllegalStateException("kill -STOP " + process.pid() + ": "
                    + new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    /** Kills the process (SIGKILL), as a crash or the OOM killer would, and waits until it is gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("container " + id + " still runs 30 s after SIGKILL");
        }
    }

    /** What connections to it must open with: the secret it was started with, as a worker's containers are. */
    ContainerSecret secret() {
        return secret;
    }

    /** The local socket it listens on besides its port. */
    String localSocket() {
        return ContainerArgs.localSocketName(token);
    }

    int port() {
        return port;
    }

    long pid() {
        return process.pid();
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
