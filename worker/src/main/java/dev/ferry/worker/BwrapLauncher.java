package dev.ferry.worker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@link Sandbox#bwrap()}: each container in bubblewrap.
 *
 * <p>The sandbox: its own PID, IPC and UTS namespaces (host name = container id) and mount
 * namespace; the machine's file system read-only ({@code --ro-bind / /}) with a fresh
 * {@code /dev} (null, zero, random, tty, shm and the like, plus the container's GPUs), a
 * fresh {@code /proc} and an empty {@code /tmp}. Hidden: the password hashes
 * ({@code /etc/shadow}, {@code /etc/gshadow}), the SSH host keys ({@code /etc/ssh}),
 * {@code /root} and the worker's home (where {@code ~/.ferry} keeps the local CA's key). What the
 * JVM reads from under any of those (the jar in a temporary directory, a class path in the home)
 * is bound back read-only. Everything else on the machine stays visible: bwrap hides little,
 * runc shows little. No capabilities, no new privileges, the {@link SeccompProfile} filter, a
 * new session (no terminal to push input into), and {@code --die-with-parent}: if the worker
 * dies, so does the container.
 *
 * <p>User: with a {@link UserNamespace} (a worker running as root, where the kernel allows one),
 * bwrap itself is started as the container's unprivileged user by {@code setpriv} and makes a
 * user namespace where that user is root ({@code --unshare-user --uid 0 --gid 0}), and no further
 * one ({@code --disable-userns}). So what the container reads of the machine is what a stranger
 * may read, and the paths it needs that a stranger cannot reach are bound from
 * {@link UserNamespaces}' copies. Without one, it runs as the worker's user: root, without
 * capabilities, but the owner of root's files.
 *
 * <p>Network: the host's, where the gateway calls the container's port on a host address;
 * or, under {@link ContainerNetwork#NONE}, a namespace of its own with only loopback
 * ({@code --unshare-net}), and the launch's socket directory bound writable at its own path,
 * where the container makes the socket file it is called on.
 *
 * <p>The filter: bwrap reads a BPF program from a file descriptor ({@code --seccomp 9}), and a
 * Java child has only descriptors 0-2. So bwrap is started by {@code /bin/sh}, which opens the
 * program's file (written once, at the launcher's start) as descriptor 9 and {@code exec}s
 * bwrap (or setpriv, which {@code exec}s bwrap) in its own place: the process the worker started
 * is bwrap, as before. bwrap sets {@code PR_SET_NO_NEW_PRIVS} before it loads the filter, in the
 * JVM's process only, after its own set-up.
 *
 * <p>Signals: bwrap does not relay them. Its first process is bwrap itself, which starts
 * bwrap again as PID 1 of the new namespace (a reaper), which starts the JVM. So a stop sends
 * SIGTERM to the JVM itself, found as that grandchild; a kill takes the whole tree. The exit
 * code travels back out unchanged ({@code 128 + n} for signal {@code n}).
 */
final class BwrapLauncher implements ContainerLauncher {

    /** Files hidden behind /dev/null where they exist. */
    private static final List<Path> MASKED_FILES =
            List.of(Path.of("/etc/shadow"), Path.of("/etc/shadow-"), Path.of("/etc/gshadow"), Path.of("/etc/gshadow-"));

    private static final System.Logger logger = System.getLogger(BwrapLauncher.class.getName());

    /** The shell that hands bwrap the filter as descriptor {@value #SECCOMP_FD}: {@code $0} is the file. */
    static final List<String> SHELL = List.of("/bin/sh", "-c", "exec \"$@\" 9< \"$0\"");

    static final String SECCOMP_FD = "9";

    private final Path bwrap;
    /** What starts bwrap as a container's user; null when the worker cannot switch users (it is not root). */
    private final Path setpriv;
    /** The seccomp filter's BPF program; deleted at {@link #close()}. */
    private final Path seccomp;
    /** Directories hidden behind an empty read-only tmpfs where they exist. */
    private final List<Path> maskedDirs;

    /**
     * A launcher of {@code bwrap}, which writes the filter's program to a file of its own now.
     *
     * @throws IllegalStateException when it cannot, or the machine's architecture is not one
     *     {@link SeccompProfile} knows
     */
    BwrapLauncher(Path bwrap, Path setpriv) {
        this.bwrap = bwrap;
        this.setpriv = setpriv;
        try {
            // createTempFile makes it readable by the worker's user only.
            this.seccomp = Files.createTempFile("ferry-seccomp-", ".bpf");
            Files.write(seccomp, SeccompProfile.bpfProgram(SeccompProfile.Arch.current()));
        } catch (IOException e) {
            throw new IllegalStateException("--sandbox bwrap: cannot write the seccomp filter: " + e.getMessage(), e);
        }
        List<Path> dirs = new ArrayList<>(List.of(Path.of("/etc/ssh"), Path.of("/root")));
        Path home =
                Path.of(System.getProperty("user.home", "/")).toAbsolutePath().normalize();
        if (home.getNameCount() > 0 && !dirs.contains(home)) {
            dirs.add(home);
        }
        this.maskedDirs = dirs.stream().filter(Files::isDirectory).toList();
    }

    @Override
    public void close() {
        try {
            Files.deleteIfExists(seccomp);
        } catch (IOException e) {
            logger.log(System.Logger.Level.DEBUG, "removing " + seccomp, e);
        }
    }

    @Override
    public SandboxedProcess launch(ContainerLaunch launch) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command(launch));
        Map<String, String> env = builder.environment();
        Map<String, String> sandboxed = ContainerEnvironment.sandboxed(Map.copyOf(env), launch.environment());
        env.clear();
        env.putAll(sandboxed);
        Process process = builder.start();
        return new SandboxedProcess() {
            @Override
            public Process process() {
                return process;
            }

            @Override
            public void terminate() {
                Optional<ProcessHandle> jvm = process.toHandle()
                        .children()
                        .flatMap(ProcessHandle::children)
                        .findFirst();
                // Not started yet: bwrap dies of the signal, and --die-with-parent takes the rest.
                jvm.orElse(process.toHandle()).destroy();
            }

            @Override
            public long cleanUp() {
                killStragglers(launch.id());
                return 0;
            }
        };
    }

    /**
     * Kills what is left of container {@code id} once the bwrap the worker started has exited.
     * bwrap forks the pid namespace's init, which forks the JVM; --die-with-parent is set by
     * that child after the fork, so a bwrap killed in that instant (a start cancelled at once,
     * a worker closing) leaves an init, reparented to the system's, with a JVM that never
     * ends. The init carries the container's id on its command line; killing it takes its
     * whole pid namespace, the JVM included, with it.
     */
    static void killStragglers(String id) {
        // Matched on the command line's text: the JDK gives no argument list for a command line
        // over 4 KiB (bwrap's binds and the JVM's class path make them longer) and cuts the text
        // there; bwrap's --hostname comes first.
        String mark = " --hostname " + id + " ";
        ProcessHandle.allProcesses()
                .filter(p ->
                        p.info().commandLine().map(line -> line.contains(mark)).orElse(false))
                .forEach(ProcessHandle::destroyForcibly);
    }

    /** The whole command: the shell that opens the filter, setpriv to the container's user if it has one, then bwrap's. */
    List<String> command(ContainerLaunch launch) {
        List<String> command = new ArrayList<>(SHELL);
        command.add(seccomp.toString());
        if (launch.userNamespace() != null) {
            if (setpriv == null) {
                throw new IllegalStateException("a user namespace needs setpriv, which this launcher was not given");
            }
            command.addAll(asUser(setpriv, launch.userNamespace().user()));
        }
        command.addAll(bwrapCommand(launch));
        return command;
    }

    /** {@code setpriv}, switching to {@code user} with no other groups, before the command that follows. */
    static List<String> asUser(Path setpriv, ContainerUser user) {
        return List.of(setpriv.toString(), "--reuid=" + user.uid(), "--regid=" + user.gid(), "--clear-groups", "--");
    }

    /**
     * Why bwrap cannot make a user namespace as {@code user} here (the kernel, or a security
     * module, allows none to unprivileged users), or empty when it can: a sandbox with nothing
     * in it, run once.
     */
    static java.util.Optional<String> userNamespaceRefusal(Path bwrap, Path setpriv, ContainerUser user) {
        List<String> command = new ArrayList<>(asUser(setpriv, user));
        command.addAll(List.of(
                bwrap.toString(),
                "--unshare-user",
                "--disable-userns",
                "--uid",
                "0",
                "--gid",
                "0",
                "--ro-bind",
                "/",
                "/",
                "--",
                "/bin/true"));
        try {
            Process probe =
                    new ProcessBuilder(command).redirectErrorStream(true).start();
            probe.getOutputStream().close();
            if (!probe.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                probe.destroyForcibly();
                return java.util.Optional.of("bwrap did not finish within 10 s");
            }
            String output = new String(probe.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            return probe.exitValue() == 0
                    ? java.util.Optional.empty()
                    : java.util.Optional.of("bwrap exited with code " + probe.exitValue() + ": " + output.strip());
        } catch (IOException e) {
            return java.util.Optional.of(e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return java.util.Optional.of("interrupted");
        }
    }

    /** bwrap's command line, {@code --seccomp 9} included. */
    List<String> bwrapCommand(ContainerLaunch launch) {
        List<String> command = new ArrayList<>(List.of(
                bwrap.toString(),
                "--unshare-pid",
                "--unshare-ipc",
                "--unshare-uts",
                "--hostname",
                launch.id(),
                "--die-with-parent",
                "--new-session",
                "--cap-drop",
                "ALL",
                "--seccomp",
                SECCOMP_FD,
                "--ro-bind",
                "/",
                "/",
                "--dev",
                "/dev",
                "--proc",
                "/proc",
                "--tmpfs",
                "/tmp"));
        if (launch.userNamespace() != null) {
            // bwrap's own set-up keeps the user's capabilities in the namespace; --cap-drop takes them from the JVM.
            command.addAll(1, List.of("--unshare-user", "--disable-userns", "--uid", "0", "--gid", "0"));
        }
        for (Path file : MASKED_FILES) {
            if (Files.isRegularFile(file)) {
                command.addAll(List.of("--ro-bind", "/dev/null", file.toString()));
            }
        }
        for (Path dir : maskedDirs) {
            command.addAll(List.of("--tmpfs", dir.toString()));
        }
        List<Path> replaced = new ArrayList<>(List.of(Path.of("/tmp"), Path.of("/dev"), Path.of("/proc")));
        replaced.addAll(maskedDirs);
        for (Path path : launch.readablePaths()) {
            Path absolute = path.toAbsolutePath().normalize();
            Path source = launch.source(absolute);
            boolean hidden = replaced.stream().anyMatch(absolute::startsWith);
            if ((hidden || !source.equals(absolute)) && Files.exists(absolute)) {
                command.addAll(List.of("--ro-bind", source.toString(), absolute.toString()));
            }
        }
        if (launch.network() == ContainerNetwork.NONE) {
            command.add("--unshare-net");
            command.addAll(List.of(
                    "--bind", launch.socketDir().toString(), launch.socketDir().toString()));
        }
        for (Path dir : maskedDirs) {
            command.addAll(List.of("--remount-ro", dir.toString()));
        }
        for (Path device : launch.gpuDevices()) {
            command.addAll(List.of("--dev-bind", device.toString(), "/dev/" + device.getFileName()));
        }
        command.addAll(List.of("--chdir", "/tmp", "--"));
        command.addAll(launch.command());
        return command;
    }
}
