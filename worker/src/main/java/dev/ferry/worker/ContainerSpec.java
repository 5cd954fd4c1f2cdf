package dev.ferry.worker;

import dev.ferry.request.protocol.FunctionId;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What to run in a container: one function of a user's jar, with its resource limits, its
 * GPUs and extra environment variables. Immutable.
 *
 * @param function the function it serves
 * @param className the user's class that implements the function
 * @param jar the user's jar
 * @param limits CPU, memory and process limits; enforced by a {@code runc} worker only (see
 *     {@link Sandbox})
 * @param gpus the UUIDs of the GPUs the container may use, as {@code nvidia-smi} names them
 *     ({@code GPU-dfa0340b-6fd2-01a8-5b83-9f4e7a7ec0f3}), chosen by the controller; the
 *     container sees exactly these, and no two running containers of a worker share one
 * @param environment extra environment variables for the container, e.g.
 *     {@code FERRY_WORKER_ID}; the names the worker sets itself ({@link #RESERVED_ENVIRONMENT})
 *     are refused
 * @param network the container's network: {@link ContainerNetwork#DEFAULT} (the worker's),
 *     {@link ContainerNetwork#NONE} or {@link ContainerNetwork#HOST}
 */
public record ContainerSpec(
        FunctionId function,
        String className,
        Path jar,
        ContainerLimits limits,
        List<String> gpus,
        Map<String, String> environment,
        ContainerNetwork network) {

    /**
     * The environment variables the worker sets in every container, which a spec may not set:
     * the ready token, the container's id ({@code FERRY_CONTAINER_ID}) and the GPUs it sees
     * ({@code CUDA_VISIBLE_DEVICES}, {@code NVIDIA_VISIBLE_DEVICES}).
     */
    public static final Set<String> RESERVED_ENVIRONMENT = Set.of(
            ContainerCommand.READY_TOKEN_ENV,
            ContainerCommand.SECRET_ENV,
            ContainerEnvironment.CONTAINER_ID,
            ContainerEnvironment.CUDA_VISIBLE_DEVICES,
            ContainerEnvironment.NVIDIA_VISIBLE_DEVICES);

    /** A GPU UUID as it goes into a comma-separated list: no commas, no whitespace. */
    private static final Pattern GPU_UUID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_./:-]*");

    private static final Pattern ENVIRONMENT_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    public ContainerSpec {
        Objects.requireNonNull(function, "function");
        Objects.requireNonNull(className, "className");
        Objects.requireNonNull(jar, "jar");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(gpus, "gpus");
        Objects.requireNonNull(environment, "environment");
        Objects.requireNonNull(network, "network");
        if (className.isBlank()) {
            throw new IllegalArgumentException("className: \"" + className + "\" (expected: a class name)");
        }
        gpus = List.copyOf(gpus);
        Set<String> seen = new HashSet<>();
        for (String gpu : gpus) {
            if (!GPU_UUID.matcher(gpu).matches()) {
                throw new IllegalArgumentException(
                        "gpus: \"" + gpu
                                + "\" (expected: a GPU UUID like GPU-dfa0340b-6fd2-01a8-5b83-9f4e7a7ec0f3, without commas or whitespace)");
            }
            if (!seen.add(gpu)) {
                throw new IllegalArgumentException("gpus: " + gpu + " twice in " + gpus + " (expected: each GPU once)");
            }
        }
        Map<String, String> copy = new LinkedHashMap<>();
        environment.forEach((name, value) -> {
            Objects.requireNonNull(name, "environment name");
            Objects.requireNonNull(value, "environment value of " + name);
            if (!ENVIRONMENT_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("environment: \"" + name
                        + "\" (expected: a name of letters, digits and _, not starting with a digit)");
            }
            if (RESERVED_ENVIRONMENT.contains(name)) {
                throw new IllegalArgumentException("environment: " + name + " (expected: none of "
                        + RESERVED_ENVIRONMENT + ", which the worker sets)");
            }
            if (value.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("environment: value of " + name + " holds a NUL character");
            }
            copy.put(name, value);
        });
        environment = Collections.unmodifiableMap(copy);
    }

    /** A spec for {@code function} with no limits, no GPUs and no extra environment. Kept for callers of the three-part spec. */
    public ContainerSpec(FunctionId function, String className, Path jar) {
        this(function, className, jar, ContainerLimits.NONE, List.of(), Map.of(), ContainerNetwork.DEFAULT);
    }

    /** A spec for {@code function}, implemented by {@code className} in {@code jar}: no limits, no GPUs, no extra environment. */
    public static ContainerSpec of(FunctionId function, String className, Path jar) {
        return new ContainerSpec(function, className, jar);
    }

    /**
     * A spec for the function {@code functionId} ({@code <app>--<function>}), as {@link #of(FunctionId, String, Path)}.
     *
     * @throws IllegalArgumentException naming the id, unless it is one
     */
    public static ContainerSpec of(String functionId, String className, Path jar) {
        return new ContainerSpec(FunctionId.parse(functionId), className, jar);
    }

    /** A spec with everything given; see the record's components. */
    public static ContainerSpec of(
            FunctionId function,
            String className,
            Path jar,
            ContainerLimits limits,
            List<String> gpus,
            Map<String, String> environment) {
        return new ContainerSpec(function, className, jar, limits, gpus, environment, ContainerNetwork.DEFAULT);
    }

    /** This spec with {@code limits} instead of its own. */
    public ContainerSpec withLimits(ContainerLimits limits) {
        return new ContainerSpec(function, className, jar, limits, gpus, environment, network);
    }

    /** This spec with the GPUs {@code gpus} instead of its own. */
    public ContainerSpec withGpus(List<String> gpus) {
        return new ContainerSpec(function, className, jar, limits, gpus, environment, network);
    }

    /** Names the environment's variables, never their values: a secret's may be among them. */
    @Override
    public String toString() {
        return "ContainerSpec[function=" + function + ", className=" + className + ", jar=" + jar + ", limits=" + limits
                + ", gpus=" + gpus + ", environment=" + environment.keySet() + "]";
    }

    /** This spec with {@code environment} instead of its own extra environment. */
    public ContainerSpec withEnvironment(Map<String, String> environment) {
        return new ContainerSpec(function, className, jar, limits, gpus, environment, network);
    }

    /** This spec with {@code network} instead of its own. */
    public ContainerSpec withNetwork(ContainerNetwork network) {
        return new ContainerSpec(function, className, jar, limits, gpus, environment, network);
    }
}
