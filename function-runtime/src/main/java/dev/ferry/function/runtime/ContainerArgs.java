package dev.ferry.function.runtime;

import dev.ferry.request.protocol.ContainerSecret;
import dev.ferry.request.protocol.FunctionId;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The command line contract between a worker and a container process.
 *
 * <p>A worker starts {@code java -cp <runtime classpath> }{@value #MAIN_CLASS}{@code  <args>}
 * with {@link #toArgs()} as the arguments and {@value #READY_TOKEN_ENV} and {@value #SECRET_ENV}
 * in the environment.
 * The container prints {@code ferry-ready <token>} on a line of its standard output once it
 * can take calls (see {@link #readyLine(String)}); it exits non-zero, with the reason on
 * standard error, when it cannot start. On SIGTERM it stops taking calls, finishes those
 * in flight, runs its stop hooks and exits 0.
 *
 * @param containerId unique id, used in logs
 * @param function the function this container serves, {@code <app>--<function>} on the command line
 * @param className the user's class that implements the function
 * @param jar the user's jar
 * @param port the TCP port the container's call server binds
 * @param host the address it binds: 127.0.0.1 unless its worker serves gateways on other machines
 */
public record ContainerArgs(
        String containerId, FunctionId function, String className, Path jar, int port, String host) {

    /** The address a container binds unless told otherwise. */
    public static final String DEFAULT_HOST = "127.0.0.1";

    /** Arguments for a container that binds {@link #DEFAULT_HOST}. */
    public ContainerArgs(String containerId, FunctionId function, String className, Path jar, int port) {
        this(containerId, function, className, jar, port, DEFAULT_HOST);
    }

    /** The container's main class. */
    public static final String MAIN_CLASS = "dev.ferry.function.runtime.ContainerMain";

    /** Environment variable with the token that proves a ready line came from the runtime. */
    public static final String READY_TOKEN_ENV = "FERRY_READY_TOKEN";

    /**
     * Environment variable with the container's secret ({@link ContainerSecret#encoded()}), which
     * every connection to its call server must open with: its worker made it and publishes it to
     * gateways only. In the environment, not on the command line, which every process can read.
     */
    public static final String SECRET_ENV = "FERRY_CONTAINER_SECRET";

    /**
     * The container's secret, from {@value #SECRET_ENV} in {@code environment}.
     *
     * @throws IllegalArgumentException when it is missing or malformed (the message does not show it)
     */
    public static ContainerSecret secret(Map<String, String> environment) {
        String text = environment.get(SECRET_ENV);
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException(
                    SECRET_ENV + " is not set (expected: the secret its worker made for the container)");
        }
        try {
            return ContainerSecret.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(SECRET_ENV + ": " + e.getMessage(), e);
        }
    }

    public ContainerArgs {
        Objects.requireNonNull(containerId, "containerId");
        Objects.requireNonNull(function, "function");
        Objects.requireNonNull(className, "className");
        Objects.requireNonNull(jar, "jar");
        Objects.requireNonNull(host, "host");
        if (port <= 0 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 1-65535)");
        }
    }

    /**
     * The name of the Unix domain socket (Linux's abstract namespace) a container with ready
     * token {@code token} listens on besides its TCP port, for gateways on its machine: a hash of
     * the token, so that only its worker can know the name before the container binds it (no other
     * process can take it first) and the name, which every process on the machine can list, does
     * not give the token away. Empty for a container started without a token.
     */
    public static String localSocketName(String token) {
        if (token == null || token.isEmpty()) {
            return "";
        }
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
            return "ferry/" + HexFormat.of().formatHex(hash, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /**
     * Environment variable with the path of a Unix domain socket (a file, not an abstract name)
     * that the container listens on instead of {@link #localSocketName}: set by a worker that
     * gives the container a network namespace of its own, where neither its TCP port nor an
     * abstract name can be reached from outside, but a file in a directory the worker binds into
     * the sandbox can.
     */
    public static final String CALL_SOCKET_ENV = "FERRY_CALL_SOCKET";

    /**
     * The local socket a container started with {@code environment} listens on: the path in
     * {@link #CALL_SOCKET_ENV} if set, else {@link #localSocketName} of its ready token.
     */
    public static String localSocket(Map<String, String> environment) {
        String path = environment.get(CALL_SOCKET_ENV);
        return path != null && !path.isEmpty() ? path : localSocketName(environment.get(READY_TOKEN_ENV));
    }

    /** The line a container prints on standard output when it is ready for calls. */
    public static String readyLine(String token) {
        return "ferry-ready " + token;
    }

    /** These arguments as a command line, for {@link #parse(List)}. */
    public List<String> toArgs() {
        return List.of(
                "--container-id",
                containerId,
                "--function",
                function.toString(),
                "--class",
                className,
                "--jar",
                jar.toString(),
                "--port",
                Integer.toString(port),
                "--host",
                host);
    }

    /**
     * Parses a command line written by {@link #toArgs()}.
     *
     * @throws IllegalArgumentException naming the missing or malformed option
     */
    public static ContainerArgs parse(List<String> args) {
        String id = null, function = null, className = null, jar = null, port = null, host = DEFAULT_HOST;
        List<String> unknown = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String option = args.get(i);
            if (i + 1 >= args.size()) {
                throw new IllegalArgumentException(option + ": missing value");
            }
            String value = args.get(++i);
            switch (option) {
                case "--container-id" -> id = value;
                case "--function" -> function = value;
                case "--class" -> className = value;
                case "--jar" -> jar = value;
                case "--port" -> port = value;
                case "--host" -> host = value;
                default -> unknown.add(option);
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown options: " + unknown);
        }
        int portNumber;
        try {
            portNumber = Integer.parseInt(require(port, "--port"));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--port: " + port + " (expected: a number)");
        }
        return new ContainerArgs(
                require(id, "--container-id"),
                FunctionId.parse(require(function, "--function")),
                require(className, "--class"),
                Path.of(require(jar, "--jar")),
                portNumber,
                require(host, "--host"));
    }

    private static String require(String value, String option) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException(option + ": missing");
        }
        return value;
    }
}
