package dev.ferry.worker;

/**
 * Where a container is in its life. A container moves forward only:
 * {@code STARTING → READY → STOPPING → EXITED}, skipping states where it must
 * ({@code STARTING → STOPPING}, or straight to {@code EXITED} when the process dies).
 */
public enum ContainerState {

    /** The process runs but has not yet said it is ready for calls. */
    STARTING,

    /** The process printed its ready line: its port takes calls. */
    READY,

    /**
     * The container is being stopped: it got SIGTERM (and gets SIGKILL after the worker's
     * stop grace), or it was killed because it was not ready in time.
     */
    STOPPING,

    /** The process is gone; {@link Container#exitCode()} holds its exit code. Final. */
    EXITED
}
