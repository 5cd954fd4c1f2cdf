package dev.ferry.worker;

import dev.ferry.request.protocol.ContainerSecret;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The environment variables of a container. A {@code process} container inherits the worker's
 * environment, as any child process; a sandboxed one (bwrap, runc) starts from a small fixed
 * base instead, so that what the worker was given (a Redis password, cloud credentials) does
 * not reach user code. Both get the spec's extra variables and then the worker's own, which
 * a spec cannot set (see {@link ContainerSpec#RESERVED_ENVIRONMENT}).
 */
final class ContainerEnvironment {

    /** The container's id, e.g. {@code ct-abcd2345}. */
    static final String CONTAINER_ID = "FERRY_CONTAINER_ID";

    /** The GPUs CUDA may use, by UUID; empty for none. */
    static final String CUDA_VISIBLE_DEVICES = "CUDA_VISIBLE_DEVICES";

    /**
     * The GPUs the NVIDIA container toolkit passes in, by UUID; {@code void} for none (not
     * {@code none}, which would still mount the driver's files).
     */
    static final String NVIDIA_VISIBLE_DEVICES = "NVIDIA_VISIBLE_DEVICES";

    /** PATH inside a sandbox. */
    static final String SANDBOX_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /**
     * Variables a sandboxed container takes from the worker's environment when set there; with
     * FERRY_LOG_LEVEL the runtime in the container logs at the worker's levels.
     */
    private static final List<String> PASSED_TO_SANDBOX = List.of("LANG", "LC_ALL", "TZ", "FERRY_LOG_LEVEL");

    private ContainerEnvironment() {}

    /** What the worker adds to every container: the spec's extra variables, then its own. */
    static Map<String, String> added(
            String containerId, ContainerSpec spec, String readyToken, ContainerSecret secret) {
        Map<String, String> env = new LinkedHashMap<>(spec.environment());
        env.put(CONTAINER_ID, containerId);
        env.put(ContainerCommand.READY_TOKEN_ENV, readyToken);
        env.put(ContainerCommand.SECRET_ENV, secret.encoded());
        env.putAll(gpus(spec.gpus()));
        return env;
    }

    /** The GPU variables for {@code gpus}: the UUIDs comma-joined, or no GPU at all. */
    static Map<String, String> gpus(List<String> gpus) {
        if (gpus.isEmpty()) {
            return Map.of(CUDA_VISIBLE_DEVICES, "", NVIDIA_VISIBLE_DEVICES, "void");
        }
        String joined = String.join(",", gpus);
        return Map.of(CUDA_VISIBLE_DEVICES, joined, NVIDIA_VISIBLE_DEVICES, joined);
    }

    /**
     * The whole environment of a sandboxed container: PATH, {@code HOME=/tmp}, the worker's
     * LANG, LC_ALL, TZ and FERRY_LOG_LEVEL (LANG defaults to C.UTF-8), then {@code added}.
     */
    static Map<String, String> sandboxed(Map<String, String> workerEnvironment, Map<String, String> added) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", SANDBOX_PATH);
        env.put("HOME", "/tmp");
        env.put("LANG", "C.UTF-8");
        for (String name : PASSED_TO_SANDBOX) {
            String value = workerEnvironment.get(name);
            if (value != null && !value.isEmpty()) {
                env.put(name, value);
            }
        }
        env.putAll(added);
        return env;
    }
}
