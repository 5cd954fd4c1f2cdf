package dev.ferry.worker;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@link Sandbox#runc(Path)}: each container an OCI container run by runc, with the limits of
 * its spec. See {@link OciBundle} for what the container holds.
 *
 * <p>Under the state directory: {@code worker.lock} (held while the worker lives),
 * {@code runc/} (runc's {@code --root}) and {@code bundles/<container id>/}.
 *
 * <p>A container is {@code runc run --keep --bundle <bundle> <id>} in the foreground, without a
 * terminal: the JVM inherits runc's standard streams (the worker's pipes), runc exits with the
 * JVM's exit code ({@code 128 + n} after signal {@code n}), and runc relays the signals it gets
 * to the JVM, which is PID 1 of the container. So a stop sends SIGTERM to runc. A kill sends
 * SIGKILL to runc and everything below it: runc cannot relay SIGKILL, and the JVM and its
 * children are runc's descendants. {@code --keep} leaves the cgroup in place after the JVM has
 * exited, so that its out-of-memory count can still be read; then {@code runc delete --force}
 * removes the cgroup and runc's state (killing whatever of the container still runs, such as a
 * JVM whose runc was killed) and the bundle goes.
 */
final class RuncLauncher implements ContainerLauncher {

    private static final System.Logger logger = System.getLogger(RuncLauncher.class.getName());
    /** How long a {@code runc delete} or {@code runc list} may take. */
    static final Duration RUNC_COMMAND_TIMEOUT = Duration.ofSeconds(10);

    private final Path runc;
    private final Path runcRoot;
    private final Path bundles;
    private final CgroupMemory cgroups;
    private final FileChannel lockFile;
    private final FileLock lock;

    private RuncLauncher(Path runc, Path stateDir, CgroupMemory cgroups, FileChannel lockFile, FileLock lock) {
        this.runc = runc;
        this.runcRoot = stateDir.resolve("runc");
        this.bundles = stateDir.resolve("bundles");
        this.cgroups = cgroups;
        this.lockFile = lockFile;
        this.lock = lock;
    }

    /**
     * A launcher with its state under {@code stateDir}, locked for this worker, cleared of
     * what a worker that died there left behind.
     *
     * @throws IllegalStateException if another worker holds the state directory, or it cannot be set up
     */
    static RuncLauncher open(Path runc, Path stateDir, CgroupMemory cgroups) {
        FileChannel channel = null;
        try {
            Files.createDirectories(stateDir);
            channel = FileChannel.open(
                    stateDir.resolve("worker.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                throw new IllegalStateException("--sandbox runc: state directory " + stateDir
                        + " is in use by another worker (expected: one state directory per worker)");
            }
            RuncLauncher launcher = new RuncLauncher(runc, stateDir, cgroups, channel, lock);
            launcher.removeLeftovers();
            return launcher;
        } catch (IOException e) {
            closeQuietly(channel);
            throw new IllegalStateException(
                    "--sandbox runc: cannot set up state directory " + stateDir + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    @Override
    public SandboxedProcess launch(ContainerLaunch launch) throws IOException {
        Path bundle = bundles.resolve(launch.id());
        OciBundle.delete(bundle);
        try {
            OciBundle.create(
                    bundle,
                    launch,
                    ContainerEnvironment.sandboxed(System.getenv(), launch.environment()),
                    cgroups.limitsSwap());
        } catch (IOException | RuntimeException e) {
            deleteBundle(bundle);
            throw e;
        }
        ProcessBuilder builder = new ProcessBuilder(
                runc.toString(),
                "--root",
                runcRoot.toString(),
                "run",
                "--keep",
                "--bundle",
                bundle.toString(),
                launch.id());
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            deleteBundle(bundle);
            throw e;
        }
        String cgroupsPath = OciBundle.cgroupsPath(launch.id());
        return ForegroundProcess.of(
                process,
                () -> {
                    long oomKills = cgroups.oomKills(cgroupsPath);
                    delete(launch.id());
                    deleteBundle(bundle);
                    return oomKills;
                },
                limits -> update(launch.id(), limits));
    }

    /**
     * {@code runc update}: sets a running container's CPU quota, memory (without swap, where the
     * kernel accounts swap) and process count, as {@link OciBundle} would have at its start. A
     * pool member gets its container's limits this way.
     */
    private void update(String id, ContainerLimits limits) throws IOException {
        if (limits.isUnlimited()) {
            return;
        }
        List<String> arguments = new ArrayList<>(List.of("update"));
        if (limits.memoryMib() > 0) {
            String bytes = Long.toString(limits.memoryMib() * 1024 * 1024);
            arguments.addAll(List.of("--memory", bytes));
            if (cgroups.limitsSwap()) {
                arguments.addAll(List.of("--memory-swap", bytes));
            }
        }
        if (limits.cpu() > 0) {
            arguments.addAll(List.of(
                    "--cpu-period",
                    Long.toString(OciBundle.CPU_PERIOD_MICROS),
                    "--cpu-quota",
                    Long.toString(Math.round(limits.cpu() * OciBundle.CPU_PERIOD_MICROS))));
        }
        if (limits.pids() > 0) {
            arguments.addAll(List.of("--pids-limit", Integer.toString(limits.pids())));
        }
        arguments.add(id);
        RuncResult result = runc(arguments);
        if (result.exitCode() != 0) {
            throw new IOException("runc update " + id + " exited with code " + result.exitCode() + ": "
                    + result.output().strip());
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException e) {
            logger.log(System.Logger.Level.DEBUG, "releasing " + lock, e);
        }
        closeQuietly(lockFile);
    }

    /** Deletes what a worker that died with this state directory left: containers (still running or not) and bundles. */
    private void removeLeftovers() throws IOException {
        if (Files.isDirectory(runcRoot)) {
            RuncResult list = runc(List.of("list", "--quiet"));
            if (list.exitCode() != 0) {
                throw new IOException("runc list failed: " + list.output());
            }
            for (String id : list.output()
                    .lines()
                    .map(String::strip)
                    .filter(s -> !s.isEmpty())
                    .toList()) {
                logger.log(
                        System.Logger.Level.INFO,
                        "removing container " + id + " left in " + runcRoot + " by an earlier worker");
                delete(id);
            }
        }
        if (Files.isDirectory(bundles)) {
            try (DirectoryStream<Path> left = Files.newDirectoryStream(bundles)) {
                for (Path bundle : left) {
                    deleteBundle(bundle);
                }
            }
        }
    }

    /** {@code runc delete --force id}: kills what still runs of the container, removes its cgroup and state. */
    private void delete(String id) {
        try {
            RuncResult result = runc(List.of("delete", "--force", id));
            if (result.exitCode() != 0 && !result.output().contains("does not exist")) {
                logger.log(
                        System.Logger.Level.WARNING,
                        "runc delete --force " + id + " exited with code " + result.exitCode() + ": "
                                + result.output().strip());
            }
        } catch (IOException e) {
            logger.log(System.Logger.Level.WARNING, "runc delete --force " + id + " failed", e);
        }
    }

    private static void deleteBundle(Path bundle) {
        try {
            OciBundle.delete(bundle);
        } catch (IOException e) {
            logger.log(System.Logger.Level.WARNING, "cannot remove bundle " + bundle, e);
        }
    }

    private record RuncResult(int exitCode, String output) {}

    private RuncResult runc(List<String> arguments) throws IOException {
        List<String> command = new ArrayList<>(List.of(runc.toString(), "--root", runcRoot.toString()));
        command.addAll(arguments);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        try {
            // runc says little; the pipe holds it all until the process is done.
            if (!process.waitFor(RUNC_COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish within "
                        + RUNC_COMMAND_TIMEOUT.toSeconds() + " s");
            }
            return new RuncResult(
                    process.exitValue(), new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + String.join(" ", command), e);
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // nothing held
            }
        }
    }

    @Override
    public String toString() {
        return "runc (" + runcRoot.getParent() + ", " + cgroups + ")";
    }
}
