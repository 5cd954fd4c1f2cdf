package dev.ferry.function.runtime;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares a class as a Ferry function and carries its settings.
 *
 * <p>The class must be public, have a public no-argument constructor and implement
 * {@link AsgiApp} (directly, or through {@link HttpHandler}). One instance serves every
 * input of a container, up to {@link #maxInputs()} at once on separate virtual threads, so
 * it must be thread-safe.
 *
 * <p>Durations are written as a number and a unit: {@code "500ms"}, {@code "30s"},
 * {@code "5m"}, {@code "1h"}.
 *
 * <p>Settings marked "takes effect with the autoscaler" are validated and recorded now and
 * acted on when that part lands.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface FerryFunction {

    /**
     * The function's name: lower-case letters, digits and single hyphens, starting with a
     * letter. Its URL is {@code http://<app>--<name>.<domain>}.
     */
    String name();

    /** The most inputs one container runs at once; later requests wait. Default 1, as Modal. */
    int maxInputs() default 1;

    /**
     * The inputs per container the autoscaler aims at, at most {@link #maxInputs()};
     * 0 means "same as maxInputs". Takes effect with the autoscaler.
     */
    int targetInputs() default 0;

    /** How long one input may run before it is cancelled and the client gets a 504. */
    String timeout() default "300s";

    /**
     * The largest request body the function takes, e.g. {@code "10MB"} or {@code "512KiB"};
     * larger requests get a 413. Default: no limit (uploads of any size stream through).
     */
    String maxRequestBody() default "";

    /**
     * The largest WebSocket message, fragments joined, e.g. {@code "1MiB"}; a larger one closes
     * the socket with 1009. Default 16 MiB.
     */
    String maxWebSocketMessage() default "16MiB";

    /** How long a container may sit idle before it is stopped (scale to zero). */
    String scaledownWindow() default "60s";

    /** Containers kept running even when idle. Takes effect with the autoscaler. */
    int minContainers() default 0;

    /** The most containers at once; 0 means no limit. Takes effect with the autoscaler. */
    int maxContainers() default 0;

    /** Idle containers kept in reserve beyond demand. Takes effect with the autoscaler. */
    int bufferContainers() default 0;

    /**
     * CPU cores reserved per container, e.g. 0.5; 0 means the default, 0.125. The scheduler
     * places the container where that much is free, and a {@code runc} worker holds a declared
     * value to it (a CPU quota).
     */
    double cpu() default 0;

    /**
     * Memory per container in MiB; 0 means the default: 128 for placement, and a 1 GiB limit
     * under {@code runc}. The scheduler places the container where that much is free, and a
     * {@code runc} worker holds it to it: a container over its limit is killed and reported as
     * out of memory.
     */
    int memoryMib() default 0;

    /**
     * GPUs per container in order of preference, e.g. {@code {"H100", "A100-80GB:2"}}; empty
     * for none. Types: T4, L4, A10, L40S, A100 (either size), A100-40GB, A100-80GB, H100, H200,
     * B200, or any; an optional {@code :n} asks for n of them (1 to 8); case-insensitive. The
     * container sees exactly its GPUs (CUDA_VISIBLE_DEVICES, NVIDIA_VISIBLE_DEVICES).
     */
    String[] gpu() default {};

    /**
     * Labels a worker must carry to run this function, each {@code key=value}, e.g.
     * {@code {"zone=eu"}}; a worker gets labels with {@code ferry worker --label}.
     */
    String[] workerLabels() default {};

    /**
     * The most requests each gateway holds for this function while every container's input
     * slots are taken; more get a 503 with Retry-After. 0 means the gateway's default
     * ({@code --max-queued}, 1024).
     */
    int maxQueued() default 0;

    /**
     * How long a held request waits for a free input slot before a 503 with Retry-After, e.g.
     * "30s"; empty means the gateway's default ({@code --queue-timeout}, 60s).
     */
    String queueTimeout() default "";

    /**
     * Whether callers must present a token allowed to call this app: {@code Authorization:
     * Bearer <token>} (or the {@code Ferry-Key}/{@code Ferry-Secret} header pair). Without one
     * the gateway answers 401 before it queues the request or starts a container. The function
     * sees the token's name in its scope ({@code ferry.caller} in the scope's extensions),
     * never the secret.
     */
    boolean requiresAuth() default false;

    /**
     * Secrets (made with {@code ferry secret set NAME KEY=VALUE…}) whose keys become
     * environment variables in the container. A deploy naming a secret that does not exist is
     * refused.
     */
    String[] secrets() default {};

    /**
     * The container's network: "none" (a network of its own with only loopback: it serves
     * Ferry's calls and reaches nothing), "host" (the machine's), or empty for the worker's
     * default ({@code ferry worker --container-network}).
     */
    String network() default "";
}
