package dev.ferry.perf.bench;

import java.io.File;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The one way the benches start, watch and stop the processes they measure (bare servers,
 * nginx, HAProxy, redis-server, Ferry's JVMs) and the tools they ask for a version. A target is
 * only as trustworthy as its start and stop: a port that nothing listens on yet, or a proxy
 * left running by an earlier run, silently skews every number. So a {@link Launch} waits for
 * readiness (a port that accepts, a log line, a probe) with one explicit deadline and stops
 * what it started when that fails, and a stop takes down the whole process tree: SIGTERM, then
 * SIGKILL. Every failure names the command, what was waited for and the last lines of the
 * process's log.
 */
final class Processes {

    /** How often readiness is polled: short against a process's start, long against a syscall. */
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    /** How long a process may take to exit after SIGTERM before it is killed. */
    static final Duration STOP_GRACE = Duration.ofSeconds(5);

    private static final int TAIL_LINES = 30;
    /** Arguments longer than this (class paths) are shortened in messages. */
    private static final int MAX_SHOWN_ARGUMENT = 160;

    /**
     * Children not stopped yet. A bench stopped by SIGTERM or Ctrl-C never reaches its
     * {@code finally}; the hook stops them then, so no proxy outlives the run and holds its
     * ports. (Nothing can run on SIGKILL: the bare server watches its parent itself, and the
     * others are in the bench's process group, which a terminal's Ctrl-C signals as a whole.)
     */
    private static final Set<Child> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime()
                .addShutdownHook(Thread.ofPlatform()
                        .name("bench-processes-stop")
                        .unstarted(() -> {
                            for (Child child : List.copyOf(LIVE)) {
                                try {
                                    child.stop();
                                } catch (RuntimeException e) {
                                    System.err.println("bench: " + e.getMessage());
                                }
                            }
                        }));
    }

    private Processes() {}

    /**
     * A loopback TCP port that was free a moment ago: bound on 127.0.0.1 with port 0, then
     * released. Another process could take it before the caller binds it; on a machine that
     * runs only the bench that does not happen in practice, and the caller's bind then fails
     * loudly rather than measuring the wrong server.
     */
    static int freeLoopbackPort() throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return socket.getLocalPort();
        }
    }

    /**
     * The executable {@code name}, looked for on PATH and then in the sbin directories a
     * non-root PATH often lacks.
     *
     * @param installHint the command that installs it, for the error message
     * @throws IOException when it is nowhere
     */
    static Path executable(String name, String installHint) throws IOException {
        List<Path> candidates = new ArrayList<>();
        String path = Objects.requireNonNullElse(System.getenv("PATH"), "");
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty()) {
                candidates.add(Path.of(dir, name));
            }
        }
        for (String dir : List.of("/usr/sbin", "/usr/local/sbin", "/sbin")) {
            candidates.add(Path.of(dir, name));
        }
        for (Path candidate : candidates) {
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new IOException(
                name + ": not found on PATH nor in /usr/sbin, /usr/local/sbin, /sbin (expected: installed; "
                        + installHint + ")");
    }

    /**
     * {@code java ARGUMENTS} on this JVM's launcher, so children run on the same JDK as the
     * bench, with native access allowed (Netty's epoll and the JDK warn without it).
     */
    static List<String> javaCommand(List<String> arguments) {
        String java = ProcessHandle.current()
                .info()
                .command()
                .orElseGet(() ->
                        Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED"));
        command.addAll(arguments);
        return command;
    }

    /**
     * How to start {@code command} in {@code workDir}, its stdout and stderr appended to
     * {@code log}; nothing runs before {@link Launch#start}.
     */
    static Launch launch(List<String> command, Path workDir, Path log) {
        return new Launch(command, workDir, log);
    }

    /**
     * The first line that {@code name flag} prints (such as "bubblewrap 0.8.0"), for a report's
     * description of the machine; "(name not found)" when it is not installed and "(name version
     * unknown)" when it does not run or does not end within {@link #STOP_GRACE}. Blocking.
     */
    static String version(String name, String flag) {
        Path executable;
        try {
            executable = executable(name, "");
        } catch (IOException e) {
            return "(" + name + " not found)";
        }
        try {
            Path log = Files.createTempFile("bench-version-", ".log");
            try (Child child = launch(List.of(executable.toString(), flag), log.getParent(), log)
                    .start(STOP_GRACE)) {
                child.awaitExit(STOP_GRACE);
                return new String(Files.readAllBytes(log), StandardCharsets.UTF_8)
                        .strip()
                        .lines()
                        .findFirst()
                        .orElse(name);
            } finally {
                Files.deleteIfExists(log);
            }
        } catch (IOException | RuntimeException e) {
            return "(" + name + " version unknown)";
        }
    }

    /**
     * Stops each of {@code started}, the last started first (a proxy before its backend), and
     * every one even when another fails. Blocks until all have stopped.
     *
     * @throws IllegalStateException when one could not be stopped: the first failure, the others suppressed
     */
    static void stopAll(List<? extends AutoCloseable> started) {
        IllegalStateException failure = null;
        for (AutoCloseable one : started.reversed()) {
            try {
                one.close();
            } catch (Exception e) {
                IllegalStateException stopFailure = e instanceof IllegalStateException ise
                        ? ise
                        : new IllegalStateException("stopping " + one + ": " + e.getMessage(), e);
                if (failure == null) {
                    failure = stopFailure;
                } else {
                    failure.addSuppressed(stopFailure);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** A check of readiness: true once the process is ready. Called again and again, from one thread, until it is. */
    @FunctionalInterface
    interface Probe {
        boolean ready() throws IOException;
    }

    /**
     * A process to start and what shows that it is ready. Not thread-safe; each {@link #start}
     * starts a process of its own.
     */
    static final class Launch {

        /** One sign of readiness: what it waits for (for messages), and a fresh probe of it for each start. */
        private record Sign(Supplier<String> awaited, Function<Child, Probe> probe) {}

        private final List<String> command;
        private final Path workDir;
        private final Path log;
        private final Map<String, String> env = new LinkedHashMap<>();
        private final List<Sign> signs = new ArrayList<>();

        private Launch(List<String> command, Path workDir, Path log) {
            if (command.isEmpty()) {
                throw new IllegalArgumentException("command: [] (expected: an executable and its arguments)");
            }
            this.command = List.copyOf(command);
            this.workDir = workDir;
            this.log = log;
        }

        /** Variables added to this JVM's environment for the process; none by default. */
        Launch env(Map<String, String> variables) {
            env.putAll(variables);
            return this;
        }

        /** Ready once 127.0.0.1:{@code port} accepts a TCP connection while the process is alive. */
        Launch readyOnPort(int port) {
            signs.add(new Sign(
                    () -> "port 127.0.0.1:" + port + " to accept connections", child -> () -> child.accepting(port)));
            return this;
        }

        /** Ready once a line of the log contains {@code fragment} (printed before the process exits). */
        Launch readyOnLine(String fragment) {
            signs.add(new Sign(
                    () -> "a log line containing \"" + fragment + "\"",
                    child -> new LogScanner(child.log(), fragment)::found));
            return this;
        }

        /**
         * Ready once {@code probe} says so while the process is alive.
         *
         * @param awaited what the probe waits for, for messages; asked only when the wait fails
         */
        Launch readyWhen(Supplier<String> awaited, Probe probe) {
            signs.add(new Sign(awaited, child -> probe));
            return this;
        }

        /**
         * Starts the process and returns once every sign of readiness has shown, in the order
         * given, all within {@code timeout} of the start (at once when none was given). Blocking.
         *
         * @throws IOException when it cannot start, exits first or {@code timeout} passes; it is
         *     stopped by then, and the message names the command, what was waited for and the
         *     log's last lines
         */
        Child start(Duration timeout) throws IOException {
            Files.createDirectories(workDir);
            Path parent = log.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            // stdin stays an open pipe from this JVM, so a child that watches it for EOF (the bare
            // server, the watchdog) exits when this JVM dies, however it dies.
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(workDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            builder.environment().putAll(env);
            Process process;
            try {
                process = builder.start();
            } catch (IOException e) {
                throw new IOException(
                        "cannot start `" + String.join(" ", command) + "` in " + workDir + ": " + e.getMessage(), e);
            }
            Child child =
                    new Child(command, process, log, watchdog(process.pid()).orElse(null));
            LIVE.add(child);
            try {
                long deadline = System.nanoTime() + timeout.toNanos();
                for (Sign sign : signs) {
                    child.await(sign.probe().apply(child), sign.awaited(), deadline, timeout);
                }
            } catch (IOException | RuntimeException e) {
                try {
                    child.stop();
                } catch (RuntimeException stopFailure) {
                    e.addSuppressed(stopFailure);
                }
                throw e;
            }
            return child;
        }
    }

    /**
     * A shell that waits for EOF on its stdin, a pipe from this JVM, and then sends SIGTERM to
     * {@code pid}: so a child outlives this JVM by no more than its own shutdown, even when the
     * JVM dies by SIGKILL or a crash and no Java code runs. Empty when no shell can be started;
     * the shutdown hook and {@link Child#stop()} still stop the child.
     */
    private static Optional<Process> watchdog(long pid) {
        try {
            return Optional.of(new ProcessBuilder(
                            "/bin/sh",
                            "-c",
                            "while IFS= read -r _; do :; done; kill -TERM \"$1\" 2>/dev/null",
                            "bench-watchdog",
                            Long.toString(pid))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * A started process and its log. Thread-safe. {@link #close()} (= {@link #stop()}) is
     * idempotent and leaves neither the process nor any of its descendants running.
     */
    static final class Child implements AutoCloseable {

        private final List<String> command;
        private final Process process;
        private final Path log;
        /** Null when none could be started. */
        private final Process watchdog;
        /** Every process of the tree ever seen, so that orphans of a dead parent are still found. */
        private final Set<ProcessHandle> seen = new LinkedHashSet<>();

        private Child(List<String> command, Process process, Path log, Process watchdog) {
            this.command = command;
            this.process = process;
            this.log = log;
            this.watchdog = watchdog;
        }

        Path log() {
            return log;
        }

        long pid() {
            return process.pid();
        }

        boolean isAlive() {
            return process.isAlive();
        }

        /** The process and its descendants now; each is also remembered for {@link #stop()}. */
        synchronized List<ProcessHandle> processTree() {
            List<ProcessHandle> tree = new ArrayList<>();
            tree.add(process.toHandle());
            process.descendants().forEach(tree::add);
            seen.addAll(tree);
            return tree;
        }

        /**
         * Polls {@code probe} until it says ready.
         *
         * @throws IOException when the process exits first or {@code deadline} (a nanoTime)
         *     passes; the message names the command, {@code awaited} and the log's last lines
         */
        private void await(Probe probe, Supplier<String> awaited, long deadline, Duration timeout) throws IOException {
            while (!probe.ready()) {
                if (!process.isAlive()) {
                    throw failure("exited with status " + process.exitValue() + " before " + awaited.get());
                }
                pause(deadline, awaited, timeout);
            }
        }

        /** Whether 127.0.0.1:{@code port} accepts a connection; throws when it does but this process has exited. */
        private boolean accepting(int port) throws IOException {
            if (!accepts(port)) {
                return false;
            }
            if (!process.isAlive()) {
                throw failure("exited with status " + process.exitValue() + ", yet port 127.0.0.1:" + port
                        + " accepts connections (is another process listening there?)");
            }
            return true;
        }

        /**
         * Blocks until the process exits and returns its exit status.
         *
         * @throws IOException when it still runs after {@code timeout}; it is stopped by then
         */
        int awaitExit(Duration timeout) throws IOException {
            if (!waitFor(process.toHandle(), timeout)) {
                stop();
                throw failure("still running after " + timeout.toMillis() + " ms (expected: to exit)");
            }
            // The handle can hear the exit before the JDK's reaper has recorded it in the
            // Process, whose exitValue() then throws "process hasn't exited": wait for that too.
            try {
                return process.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for the exit status of " + process.pid(), e);
            }
        }

        /**
         * Fails with the standard message when the process has exited.
         *
         * @throws IOException naming the command, its exit status and the log's last lines
         */
        void checkAlive() throws IOException {
            if (!process.isAlive()) {
                throw failure("exited with status " + process.exitValue());
            }
        }

        /**
         * An IOException whose message names the command, says {@code problem} and ends with the
         * log's last lines.
         */
        IOException failure(String problem) {
            return new IOException(describe(problem));
        }

        /** {@code problem}, the command and the log's last lines, as one message. */
        String describe(String problem) {
            return "`" + shownCommand() + "` (pid " + process.pid() + ") " + problem + "\n  log " + log
                    + ", last lines:\n" + tail();
        }

        /** The log's last lines, each indented; a note when there is no log or it is empty. */
        String tail() {
            List<String> lines = lastLines(log, TAIL_LINES);
            if (lines.isEmpty()) {
                return "    (empty)";
            }
            StringBuilder text = new StringBuilder();
            for (String line : lines) {
                text.append("    ").append(line).append('\n');
            }
            return text.substring(0, text.length() - 1);
        }

        /**
         * SIGTERM, up to {@link #STOP_GRACE} for the process to exit, then SIGKILL; afterwards any
         * descendant still running (an orphan of a parent that did not stop its children) gets
         * the same treatment. Returns when all have exited, or throws when one survives SIGKILL.
         */
        @Override
        public void close() {
            stop();
        }

        /** See {@link #close()}. */
        synchronized void stop() {
            LIVE.remove(this);
            // SIGKILL: on SIGTERM or EOF it would signal a pid that may be gone by then.
            if (watchdog != null) {
                watchdog.destroyForcibly();
                waitFor(watchdog.toHandle(), STOP_GRACE);
            }
            processTree();
            process.destroy();
            if (!waitFor(process.toHandle(), STOP_GRACE)) {
                processTree(); // children started during the grace period
                process.destroyForcibly();
                waitFor(process.toHandle(), STOP_GRACE);
            }
            List<ProcessHandle> left =
                    seen.stream().filter(ProcessHandle::isAlive).toList();
            left.forEach(ProcessHandle::destroy);
            long deadline = System.nanoTime() + STOP_GRACE.toNanos();
            for (ProcessHandle handle : left) {
                if (!waitFor(handle, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))) {
                    handle.destroyForcibly();
                }
            }
            List<Long> survivors = new ArrayList<>();
            for (ProcessHandle handle : seen) {
                if (handle.isAlive() && !waitFor(handle, STOP_GRACE)) {
                    survivors.add(handle.pid());
                }
            }
            if (!survivors.isEmpty()) {
                throw new IllegalStateException(describe("left processes " + survivors + " running after SIGKILL"));
            }
        }

        /**
         * SIGKILL to this process alone, as a crash would end it: its descendants are left
         * running (orphans) and stay remembered, so {@link #stop()} still ends those that are
         * left. Blocks until the process has exited.
         *
         * @return its descendants as they were just before the kill
         * @throws IllegalStateException when it has not exited {@link #STOP_GRACE} after SIGKILL
         */
        synchronized List<ProcessHandle> kill() {
            List<ProcessHandle> tree = processTree();
            process.destroyForcibly();
            if (!waitFor(process.toHandle(), STOP_GRACE)) {
                throw new IllegalStateException(
                        describe("still running " + STOP_GRACE.toSeconds() + " s after SIGKILL"));
            }
            return tree.subList(1, tree.size());
        }

        private void pause(long deadline, Supplier<String> awaited, Duration timeout) throws IOException {
            if (System.nanoTime() - deadline >= 0) {
                throw failure("timed out after " + timeout.toMillis() + " ms waiting for " + awaited.get());
            }
            LockSupport.parkNanos(POLL_NANOS);
            if (Thread.interrupted()) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException(
                        describe("was still starting: interrupted while waiting for " + awaited.get()));
            }
        }

        /** The command as messages show it: whole, except that an overlong argument (a class path) is cut. */
        String shownCommand() {
            StringBuilder shown = new StringBuilder();
            for (String argument : command) {
                if (!shown.isEmpty()) {
                    shown.append(' ');
                }
                if (argument.length() > MAX_SHOWN_ARGUMENT) {
                    shown.append(argument, 0, MAX_SHOWN_ARGUMENT)
                            .append("...(")
                            .append(argument.length())
                            .append(" chars)");
                } else {
                    shown.append(argument);
                }
            }
            return shown.toString();
        }

        @Override
        public String toString() {
            return "pid " + process.pid() + ": " + shownCommand();
        }
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Whether {@code handle} exits within {@code timeout}; false when it is still running. An
     * interrupt does not cut the wait short (it is kept for the caller): stopping must finish
     * even then, as when a test's timeout interrupts a bench, or a leaked server skews the next
     * run and a stop's check of what survived would see processes that were only still dying.
     */
    private static boolean waitFor(ProcessHandle handle, Duration timeout) {
        long deadline = System.nanoTime() + Math.max(1, timeout.toNanos());
        boolean interrupted = false;
        try {
            while (handle.isAlive()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    handle.onExit().get(left, TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (TimeoutException | ExecutionException e) {
                    return !handle.isAlive();
                }
            }
            return true;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The last {@code count} lines of {@code file} (its last 16 KiB at most); none when it does not exist. */
    static List<String> lastLines(Path file, int count) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            int length = (int) Math.min(size, 16 * 1024);
            ByteBuffer buffer = ByteBuffer.allocate(length);
            channel.position(size - length);
            while (buffer.hasRemaining() && channel.read(buffer) >= 0) {
                // read to the end
            }
            String text = new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
            List<String> lines = new ArrayList<>(List.of(text.split("\r?\n")));
            if (length < size && !lines.isEmpty()) {
                lines.removeFirst(); // probably cut in the middle
            }
            lines.removeIf(String::isBlank);
            return lines.subList(Math.max(0, lines.size() - count), lines.size());
        } catch (NoSuchFileException e) {
            return List.of("(no log at " + file + ")");
        } catch (IOException e) {
            return List.of("(cannot read " + file + ": " + e.getMessage() + ")");
        }
    }

    /**
     * Reads a growing log from where it last stopped and says whether a line containing the
     * fragment has appeared. Only whole lines are read, so a line still being written is looked
     * at once its end arrives, and a fragment never matches across two lines.
     */
    private static final class LogScanner {

        private static final int CHUNK = 64 * 1024;

        private final Path log;
        private final String fragment;
        private long position;
        private boolean found;

        LogScanner(Path log, String fragment) {
            this.log = log;
            this.fragment = fragment;
        }

        boolean found() throws IOException {
            while (!found) {
                String lines = readLines();
                if (lines.isEmpty()) {
                    return false;
                }
                for (String line : lines.split("\n")) {
                    if (line.contains(fragment)) {
                        found = true;
                        break;
                    }
                }
            }
            return true;
        }

        /** The next whole lines after {@link #position}, at most {@link #CHUNK} bytes; empty when there are none. */
        private String readLines() throws IOException {
            try (FileChannel channel = FileChannel.open(log, StandardOpenOption.READ)) {
                ByteBuffer buffer = ByteBuffer.allocate(CHUNK);
                channel.position(position);
                int n = Math.max(0, channel.read(buffer));
                int cut = n;
                while (cut > 0 && buffer.get(cut - 1) != '\n') {
                    cut--;
                }
                if (cut == 0 && n == CHUNK) {
                    cut = n; // a line longer than a chunk: look at it in pieces
                }
                position += cut;
                return new String(buffer.array(), 0, cut, StandardCharsets.UTF_8);
            } catch (NoSuchFileException e) {
                return "";
            }
        }
    }
}
