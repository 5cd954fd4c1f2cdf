package dev.ferry.worker;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The command line a container is started with, written to the contract of the runtime's
 * {@code dev.ferry.function.runtime.ContainerArgs}. The worker does not depend on the runtime
 * (it would pull Netty onto the worker's classpath for three strings), so the contract is
 * repeated here and pinned by a test against the real {@code ContainerArgs}.
 */
final class ContainerCommand {

    /** The container's main class. */
    static final String MAIN_CLASS = "dev.ferry.function.runtime.ContainerMain";

    /** Environment variable with the token that proves a ready line came from the runtime. */
    static final String READY_TOKEN_ENV = "FERRY_READY_TOKEN";

    /**
     * Environment variable with the container's secret, which every connection to its call
     * server must open with (the runtime's {@code ContainerArgs.SECRET_ENV}). In the environment
     * because a command line is every process's to read.
     */
    static final String SECRET_ENV = "FERRY_CONTAINER_SECRET";

    /**
     * JVM options every container gets, before the worker's own: the worker reads container
     * output as UTF-8, so the container must write it so, whatever the machine's locale.
     */
    static final List<String> FIXED_JVM_OPTIONS = List.of("-Dstdout.encoding=UTF-8", "-Dstderr.encoding=UTF-8");

    /**
     * JVM options a pool member gets besides a container's: it sets its container's environment
     * variables after it started, in the JDK's copy of the environment (see the runtime's
     * {@code JavaEnvironment}).
     */
    static final List<String> POOL_JVM_OPTIONS = List.of("--add-opens", "java.base/java.lang=ALL-UNNAMED");

    /** The first argument of a pool member: the runtime's {@code PoolArgs.FLAG}. */
    static final String POOL_FLAG = "--pool";

    private static final SecureRandom random = new SecureRandom();

    private ContainerCommand() {}

    /** The line a container prints on standard output when it is ready for calls. */
    static String readyLine(String token) {
        return "ferry-ready " + token;
    }

    /** A new unguessable ready token: 128 random bits in hex. */
    static String newReadyToken() {
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /** The runtime's {@code ContainerArgs.localSocketName}: the local socket of the container with ready token {@code token}. */
    static String localSocketName(String token) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
            return "ferry/" + HexFormat.of().formatHex(hash, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** The arguments of the main class, as {@code ContainerArgs.toArgs()} writes them. */
    static List<String> args(String containerId, ContainerSpec spec, String host, int port) {
        return List.of(
                "--container-id",
                containerId,
                "--function",
                spec.function().toString(),
                "--class",
                spec.className(),
                "--jar",
                spec.jar().toString(),
                "--port",
                Integer.toString(port),
                "--host",
                host);
    }

    /** The line a pool member prints on standard output once it has bound its port and takes an assignment. */
    static String startedLine(String token) {
        return "ferry-pool-started " + token;
    }

    /** The line that starts a pool member's warm-up, on its standard input: the runtime's {@code PoolArgs.WARM_UP}. */
    static final String WARM_UP = "warm-up";

    /** The line a pool member prints on standard output once it is warm and waits for an assignment. */
    static String pooledLine(String token) {
        return "ferry-pooled " + token;
    }

    /**
     * A pool member's whole command: {@code <java> <fixed options> <pool options> <jvmOptions>
     * -cp <classpath> <main class> --pool --member-id <id> --port <port> --host <host>
     * --warm-up-calls <n>}, as the runtime's {@code PoolArgs} reads it.
     */
    static List<String> pool(
            Path java,
            List<String> jvmOptions,
            String classpath,
            String memberId,
            String host,
            int port,
            int warmUpCalls) {
        List<String> command = new ArrayList<>();
        command.add(java.toString());
        command.addAll(FIXED_JVM_OPTIONS);
        command.addAll(POOL_JVM_OPTIONS);
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(classpath);
        command.add(MAIN_CLASS);
        command.addAll(List.of(
                POOL_FLAG,
                "--member-id",
                memberId,
                "--port",
                Integer.toString(port),
                "--host",
                host,
                "--warm-up-calls",
                Integer.toString(warmUpCalls)));
        return command;
    }

    /**
     * The assignment line that makes a pool member {@code containerId}, serving {@code spec}
     * from {@code jar} with {@code environment}: the runtime's {@code Assignment}. Tab-separated
     * {@code key=value} fields, values escaped so they hold no tab or line break.
     */
    static String assignment(
            String containerId, ContainerSpec spec, Path jar, java.util.Map<String, String> environment) {
        StringBuilder line = new StringBuilder();
        field(line, "container-id", containerId);
        field(line, "function", spec.function().toString());
        field(line, "class", spec.className());
        field(line, "jar", jar.toString());
        new java.util.TreeMap<>(environment).forEach((name, value) -> field(line, "env." + name, value));
        return line.toString();
    }

    private static void field(StringBuilder line, String key, String value) {
        if (!line.isEmpty()) {
            line.append('\t');
        }
        line.append(key)
                .append('=')
                .append(value.replace("%", "%25")
                        .replace("\t", "%09")
                        .replace("\n", "%0A")
                        .replace("\r", "%0D"));
    }

    /** The whole command: {@code <java> <fixed options> <jvmOptions> -cp <classpath> <main class> <args>}. */
    static List<String> of(
            Path java,
            List<String> jvmOptions,
            String classpath,
            String containerId,
            ContainerSpec spec,
            String host,
            int port) {
        List<String> command = new ArrayList<>();
        command.add(java.toString());
        command.addAll(FIXED_JVM_OPTIONS);
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(classpath);
        command.add(MAIN_CLASS);
        command.addAll(args(containerId, spec, host, port));
        return command;
    }
}
