package dev.ferry.worker;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Everything a {@link ContainerLauncher} needs to start one container.
 *
 * @param id the container's id (or the pool member's), which names it in its sandbox
 * @param limits its resource limits, which a runc sandbox sets at the start (a pool member
 *     starts without, and gets its container's at the assignment)
 * @param command the JVM's command line, the same in every sandbox (absolute paths that a
 *     sandbox keeps visible at the same place)
 * @param environment the variables the worker adds (see {@link ContainerEnvironment#added})
 * @param readablePaths what the command reads besides the system: the JDK, the runtime's class
 *     path entries, the class data archive and the jar; a sandbox makes them visible read-only
 * @param gpuDevices the device nodes of the container's GPUs and the driver's control nodes;
 *     empty without GPUs
 * @param network {@link ContainerNetwork#HOST} or {@link ContainerNetwork#NONE} (a network
 *     namespace of its own), never {@link ContainerNetwork#DEFAULT}
 * @param socketDir under {@link ContainerNetwork#NONE}, the directory the container makes its
 *     call socket in, which the sandbox binds writable at the same path; null otherwise
 * @param userNamespace the user the container runs as in a user namespace of its own, and where
 *     the readable paths that user cannot reach are bound from; null for none (the worker's
 *     user, as root is in the process sandbox or when the kernel allows no user namespace)
 */
record ContainerLaunch(
        String id,
        ContainerLimits limits,
        List<String> command,
        Map<String, String> environment,
        List<Path> readablePaths,
        List<Path> gpuDevices,
        ContainerNetwork network,
        Path socketDir,
        UserNamespace userNamespace) {

    ContainerLaunch {
        if (network == ContainerNetwork.DEFAULT) {
            throw new IllegalArgumentException("network: default (expected: none or host)");
        }
        if ((network == ContainerNetwork.NONE) != (socketDir != null)) {
            throw new IllegalArgumentException(
                    "socketDir: " + socketDir + " (expected: a directory under network none, none otherwise)");
        }
        command = List.copyOf(command);
        environment = Map.copyOf(environment);
        readablePaths = List.copyOf(readablePaths);
        gpuDevices = List.copyOf(gpuDevices);
    }

    /** Where the sandbox binds readable path {@code path} from: itself, unless the container's user cannot reach it there. */
    Path source(Path path) {
        return userNamespace == null ? path.toAbsolutePath().normalize() : userNamespace.source(path);
    }

    /** A launch without a user namespace. */
    ContainerLaunch(
            String id,
            ContainerLimits limits,
            List<String> command,
            Map<String, String> environment,
            List<Path> readablePaths,
            List<Path> gpuDevices,
            ContainerNetwork network,
            Path socketDir) {
        this(id, limits, command, environment, readablePaths, gpuDevices, network, socketDir, null);
    }

    /** A launch on the host's network. */
    ContainerLaunch(
            String id,
            ContainerLimits limits,
            List<String> command,
            Map<String, String> environment,
            List<Path> readablePaths,
            List<Path> gpuDevices) {
        this(id, limits, command, environment, readablePaths, gpuDevices, ContainerNetwork.HOST, null, null);
    }

    /** Names the environment's variables, never their values: a secret's may be among them. */
    @Override
    public String toString() {
        return "ContainerLaunch[id=" + id + ", limits=" + limits + ", command=" + command + ", environment="
                + new java.util.TreeSet<>(environment.keySet()) + ", readablePaths=" + readablePaths + ", gpuDevices="
                + gpuDevices + ", network=" + network + ", socketDir=" + socketDir + ", userNamespace="
                + (userNamespace == null ? "none" : userNamespace.user()) + "]";
    }
}
