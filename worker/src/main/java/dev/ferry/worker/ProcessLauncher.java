package dev.ferry.worker;

import java.io.IOException;

/** {@link Sandbox#process()}: the JVM as a plain child of the worker, with the worker's environment and more. */
final class ProcessLauncher implements ContainerLauncher {

    @Override
    public SandboxedProcess launch(ContainerLaunch launch) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(launch.command());
        builder.environment().putAll(launch.environment());
        return ForegroundProcess.of(builder.start());
    }

    @Override
    public boolean writesClassDataArchive() {
        return true;
    }
}
