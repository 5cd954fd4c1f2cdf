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

/**
 * Starts, watches and stops the processes the bench measures (bare servers, nginx, HAProxy,
 * Ferry). A target is only as trustworthy as its start and stop: a port that nothing listens
 * on yet, or a proxy left running by an earlier run, silently skews every number. So readiness
 * is waited for with an explicit deadline, and a stop takes down the whole process tree.
 * Every failure names the command, what was waited for and the last lines of the process's log.
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
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("bench-processes-stop").unstarted(() -> {
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
        throw new IOException(name + ": not found on PATH nor in /usr/sbin, /usr/local/sbin, /sbin (expected: installed; "
                + installHint + ")");
    }

    /** The java launcher of this JVM, so children run on the same JDK as the bench. */
    static String javaExecutable() {
        return ProcessHandle.current().info().command()
                .orElseGet(() -> Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /**
     * Starts {@code command} in {@code workDir} with stdout and stderr appended to {@code log}.
     * Its stdin stays an open pipe from this JVM, so a child that watches stdin for EOF (the
     * bare server does) exits when this JVM dies, however it dies.
     *
     * @param env variables added to this JVM's environment
     */
    static Child start(List<String> command, Path workDir, Path log, Map<String, String> env) throws IOException {
        List<String> copy = List.copyOf(command);
        Files.createDirectories(workDir);
        Path parent = log.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        ProcessBuilder builder = new ProcessBuilder(copy)
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(env);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new IOException("cannot start `" + String.join(" ", copy) + "` in " + workDir + ": " + e.getMessage(), e);
        }
        Child child = new Child(copy, process, log, watchdog(process.pid()).orElse(null));
        LIVE.add(child);
        return child;
    }

    /**
     * A shell that waits for EOF on its stdin, a pipe from this JVM, and then sends SIGTERM to
     * {@code pid}: so a child outlives this JVM by no more than its own shutdown, even when the
     * JVM dies by SIGKILL or a crash and no Java code runs. Empty when no shell can be started;
     * the shutdown hook and {@link Child#stop()} still stop the child.
     */
    private static Optional<Process> watchdog(long pid) {
        try {
            return Optional.of(new ProcessBuilder("/bin/sh", "-c",
                    "while IFS= read -r _; do :; done; kill -TERM \"$1\" 2>/dev/null", "bench-watchdog", Long.toString(pid))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** {@link #start(List, Path, Path, Map)} with this JVM's environment unchanged. */
    static Child start(List<String> command, Path workDir, Path log) throws IOException {
        return start(command, workDir, log, Map.of());
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

        List<String> command() {
            return command;
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
         * Blocks until a line of the log contains {@code fragment}.
         *
         * @throws IOException when the process exits first or {@code timeout} passes; the message
         *     names the command, the fragment and the log's last lines
         */
        void awaitLine(String fragment, Duration timeout) throws IOException {
            String what = "a log line containing \"" + fragment + "\"";
            LogScanner scanner = new LogScanner(log, fragment);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                if (scanner.found()) {
                    return;
                }
                if (!process.isAlive()) {
                    throw failure("exited with status " + process.exitValue() + " before " + what);
                }
                pause(deadline, what, timeout);
            }
        }

        /**
         * Blocks until 127.0.0.1:{@code port} accepts a TCP connection while the process is alive.
         *
         * @throws IOException when the process exits first or {@code timeout} passes
         */
        void awaitPort(int port, Duration timeout) throws IOException {
            String what = "port 127.0.0.1:" + port + " to accept connections";
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                if (!process.isAlive()) {
                    throw failure("exited with status " + process.exitValue() + " before " + what);
                }
                if (accepts(port)) {
                    if (!process.isAlive()) { // someone else holds the port
                        throw failure("exited with status " + process.exitValue() + " while " + what
                                + " (is another process listening there?)");
                    }
                    return;
                }
                pause(deadline, what, timeout);
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
            return "`" + shownCommand() + "` (pid " + process.pid() + ") " + problem
                    + "\n  log " + log + ", last lines:\n" + tail();
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
            List<ProcessHandle> left = seen.stream().filter(ProcessHandle::isAlive).toList();
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
                throw new IllegalStateException(describe("still running " + STOP_GRACE.toSeconds() + " s after SIGKILL"));
            }
            return tree.subList(1, tree.size());
        }

        private void pause(long deadline, String what, Duration timeout) throws IOException {
            if (System.nanoTime() - deadline >= 0) {
                throw failure("timed out after " + timeout.toMillis() + " ms waiting for " + what);
            }
            LockSupport.parkNanos(POLL_NANOS);
            if (Thread.interrupted()) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException(describe("was still starting: interrupted while waiting for " + what));
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
                    shown.append(argument, 0, MAX_SHOWN_ARGUMENT).append("...(").append(argument.length()).append(" chars)");
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

    /** Whether {@code handle} exits within {@code timeout}; false when it is still running. */
    private static boolean waitFor(ProcessHandle handle, Duration timeout) {
        if (!handle.isAlive()) {
            return true;
        }
        try {
            handle.onExit().get(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return !handle.isAlive();
        } catch (ExecutionException e) {
            return !handle.isAlive();
        } catch (InterruptedException e) {
            // Stopping must finish even when interrupted: a leaked server skews the next run.
            Thread.currentThread().interrupt();
            return !handle.isAlive();
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
