package dev.ferry.worker;

import java.io.IOException;

/**
 * Starts container commands in one kind of {@link Sandbox}. Thread-safe: launches run
 * concurrently.
 */
interface ContainerLauncher {

    /** Starts {@code launch}'s command; the JVM inside runs on, watched by the caller. */
    SandboxedProcess launch(ContainerLaunch launch) throws IOException;

    /** Whether the sandbox can write a class data archive next to it (the process sandbox only). */
    default boolean writesClassDataArchive() {
        return false;
    }

    /** Releases what the launcher holds for the worker's life (runc's state lock). After every container has exited. */
    default void close() {}
}
