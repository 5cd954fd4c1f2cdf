package dev.ferry.perf.bench;

import java.nio.file.Path;
import java.util.List;

/** A target that is one started process (and whatever it forks): what all four share. */
abstract class ProcessTarget implements Target {

    private final Processes.Child process;

    ProcessTarget(Processes.Child process) {
        this.process = process;
    }

    /** The target's processes now: the one started and its descendants. */
    final List<ProcessHandle> processes() {
        return process.processTree();
    }

    /** Where the process's stdout and stderr go. */
    final Path log() {
        return process.log();
    }

    /** Stops the process and everything it started; see {@link Processes.Child#stop()}. */
    @Override
    public final void close() {
        process.stop();
    }
}
