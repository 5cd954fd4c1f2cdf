package dev.ferry.worker;

import java.io.IOException;
import java.util.List;

/**
 * A container's process as launched into its sandbox: the process the worker started (the
 * JVM itself, or bwrap or runc around it), and how to signal and clean up after it.
 */
interface SandboxedProcess {

    /** The process the worker started; its exit is the container's exit, its pipes are the container's output. */
    Process process();

    /** Asks the container's JVM to stop (SIGTERM), through whatever sits around it. */
    void terminate();

    /**
     * Kills the container with everything it started (SIGKILL), now. The default suits a
     * sandbox whose processes all descend from {@link #process()}.
     */
    default void kill() {
        killTree(process());
    }

    /**
     * Holds the running container to {@code limits} from now on: how a pool member, started
     * without limits, gets those of the container it becomes. Nothing in a sandbox that does
     * not enforce limits.
     *
     * @throws IOException when the sandbox could not set them
     */
    default void applyLimits(ContainerLimits limits) throws IOException {}

    /**
     * Called once after {@link #process()} has exited and before the exit is reported:
     * reads what the sandbox knows about the exit, and removes what the sandbox left behind
     * (killing anything of the container still running). Blocks for as long as that takes.
     *
     * @return how many processes of the container the kernel killed for want of memory
     */
    default long cleanUp() {
        return 0;
    }

    /** SIGKILL to {@code process} and to the processes it started. */
    static void killTree(Process process) {
        if (!process.isAlive()) {
            // its pid may already belong to another process
            return;
        }
        List<ProcessHandle> descendants = process.descendants().toList();
        // the process first, so that it starts no more; through its handle, to keep reading
        // its output to the end (Process.destroy() would close our ends of the pipes)
        process.toHandle().destroyForcibly();
        descendants.forEach(ProcessHandle::destroyForcibly);
    }
}
