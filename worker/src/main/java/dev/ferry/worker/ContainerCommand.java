package dev.ferry.worker;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The command line a container is started with, written to the contract of the runtime's
 * {@code dev.ferry.function.runtime.ContainerArgs}. The worker does not depend on the runtime
 * (it would pull gRPC onto the worker's classpath for three strings), so the contract is
 * repeated here and pinned by a test against the real {@code ContainerArgs}.
 */
final class ContainerCommand {

    /** The container's main class. */
    static final String MAIN_CLASS = "dev.ferry.function.runtime.ContainerMain";

    /** Environment variable with the token that proves a ready line came from the runtime. */
    static final String READY_TOKEN_ENV = "FERRY_READY_TOKEN";

    /**
     * JVM options every container gets, before the worker's own: the worker reads container
     * output as UTF-8, so the container must write it so, whatever the machine's locale.
     */
    static final List<String> FIXED_JVM_OPTIONS = List.of("-Dstdout.encoding=UTF-8", "-Dstderr.encoding=UTF-8");

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
