package dev.ferry.worker;

import java.util.Objects;

/**
 * How and why a container's process ended: set once the container is
 * {@link ContainerState#EXITED} (see {@link Container#exit()}).
 *
 * <p>Java reports a process killed by signal {@code n} as exit code {@code 128 + n}, as a
 * shell does, and a sandbox launcher passes its command's exit on the same way; so a process
 * that calls {@code exit(137)} itself reads as killed by SIGKILL too.
 *
 * @param exitCode the exit code the worker saw: the container's own, or {@code 128 + n} after
 *     signal {@code n}
 * @param signal the signal that ended the process (9 for SIGKILL), 0 if it exited on its own
 * @param outOfMemory whether the kernel killed it for going over its memory limit; only a
 *     {@code runc} worker enforces, and so reports, memory limits
 * @param startTimedOut whether the worker killed it because it was not ready within the
 *     start timeout
 * @param requested whether the worker ended it on request: {@link Container#stop()},
 *     {@link Container#kill()}, a cancelled start, or the worker's close
 * @param reason what happened, for people: {@code "out of memory (limit 256 MiB)"},
 *     {@code "exited with code 3"}, {@code "killed by signal 9 (SIGKILL)"},
 *     {@code "not ready within 60 s"}, {@code "stopped"}
 */
public record ContainerExit(
        int exitCode, int signal, boolean outOfMemory, boolean startTimedOut, boolean requested, String reason) {

    public ContainerExit {
        Objects.requireNonNull(reason, "reason");
        if (signal < 0) {
            throw new IllegalArgumentException("signal: " + signal + " (expected: >= 0)");
        }
    }

    /** Whether it ended neither on request nor at its own clean exit (code 0): a crash, a kill, an OOM, a start that timed out. */
    public boolean failed() {
        return !requested && exitCode != 0;
    }
}
