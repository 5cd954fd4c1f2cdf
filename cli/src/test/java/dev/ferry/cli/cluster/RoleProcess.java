package dev.ferry.cli.cluster;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One {@code ferry} process of the cluster under test (a gateway, controller or worker, each
 * a child JVM): its output lines, captured and echoed with its name, and the pids of every
 * process it ever started (a worker's containers), so none outlives the test.
 */
final class RoleProcess {

    final String name;
    final Process process;
    /** Every stdout line, in order. */
    final List<String> out = new CopyOnWriteArrayList<>();
    /** Every stderr line, in order. */
    final List<String> err = new CopyOnWriteArrayList<>();
    /** Every descendant ever seen: containers are children of the worker JVM. */
    private final Set<ProcessHandle> descendants = ConcurrentHashMap.newKeySet();

    private final List<Thread> readers = new ArrayList<>();

    private RoleProcess(String name, Process process, Path outFile, Path errFile) {
        this.name = name;
        this.process = process;
        readers.add(tail(outFile, out, "[" + name + "] "));
        readers.add(tail(errFile, err, "[" + name + " err] "));
    }

    /**
     * Starts {@code command}, its stdout and stderr going to files in {@code logDir} that
     * are read as they grow. Files, not pipes: the JDK closes a child's pipes when it exits,
     * and a reader blocked on one then loses the last lines (those a shutdown prints).
     */
    static RoleProcess start(String name, List<String> command, Path logDir) throws IOException {
        Files.createDirectories(logDir);
        Path outFile = logDir.resolve(name + ".out");
        Path errFile = logDir.resolve(name + ".err");
        Process process = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(outFile.toFile())
                .redirectError(errFile.toFile())
                .start();
        return new RoleProcess(name, process, outFile, errFile);
    }

    /** Reads {@code file} as it grows, one line at a time, until the process has exited and all is read. */
    private Thread tail(Path file, List<String> lines, String prefix) {
        return Thread.ofPlatform().daemon().name("output-" + name).start(() -> {
            try (InputStream in = Files.newInputStream(file)) {
                ByteArrayOutputStream line = new ByteArrayOutputStream();
                byte[] buffer = new byte[8192];
                while (true) {
                    boolean exited = !process.isAlive();
                    int n = in.read(buffer);
                    if (n < 0) {
                        if (exited) {
                            break; // everything it wrote before it exited is read
                        }
                        LockSupport.parkNanos(10_000_000L);
                        continue;
                    }
                    for (int i = 0; i < n; i++) {
                        if (buffer[i] == '\n') {
                            emit(line, lines, prefix);
                        } else {
                            line.write(buffer[i]);
                        }
                    }
                }
                if (line.size() > 0) {
                    emit(line, lines, prefix);
                }
            } catch (IOException e) {
                lines.add("(cannot read " + file + ": " + e + ")");
            }
        });
    }

    private static void emit(ByteArrayOutputStream bytes, List<String> lines, String prefix) {
        String line = bytes.toString(StandardCharsets.UTF_8);
        bytes.reset();
        if (line.endsWith("\r")) {
            line = line.substring(0, line.length() - 1);
        }
        lines.add(line);
        System.out.println(prefix + line);
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    /** Records the descendants alive now; {@link ClusterProcesses} calls it often. */
    void sampleDescendants() {
        if (process.isAlive()) {
            process.descendants().forEach(descendants::add);
        }
    }

    /** The descendants ever seen that are still alive. */
    List<ProcessHandle> liveDescendants() {
        return descendants.stream().filter(ProcessHandle::isAlive).toList();
    }

    /** The first line of {@code lines} matching {@code pattern}, if any. */
    static Optional<Matcher> find(List<String> lines, Pattern pattern) {
        for (String line : lines) {
            Matcher m = pattern.matcher(line);
            if (m.find()) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }

    /** Waits for a stdout line matching {@code pattern}; fails early, with its output, when the process exits. */
    Matcher awaitOut(Pattern pattern, Duration timeout) {
        return await(out, pattern, timeout, "stdout");
    }

    /** Waits for a stderr line matching {@code pattern}; fails early, with its output, when the process exits. */
    Matcher awaitErr(Pattern pattern, Duration timeout) {
        return await(err, pattern, timeout, "stderr");
    }

    private Matcher await(List<String> lines, Pattern pattern, Duration timeout, String stream) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Optional<Matcher> match = find(lines, pattern);
            if (match.isPresent()) {
                return match.get();
            }
            if (!process.isAlive()) {
                joinReaders();
                match = find(lines, pattern);
                if (match.isPresent()) {
                    return match.get();
                }
                throw new AssertionError(name + " exited with " + process.exitValue() + " before printing /" + pattern
                        + "/ on " + stream + "; its output:\n" + transcript());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(name + " printed no line matching /" + pattern + "/ on " + stream + " within "
                        + timeout.toSeconds() + " s; its output:\n" + transcript());
            }
            ClusterProcesses.pause(Duration.ofMillis(20));
        }
    }

    /** Its output so far, for failure messages. */
    String transcript() {
        StringBuilder text = new StringBuilder();
        out.forEach(l -> text.append("  out: ").append(l).append('\n'));
        err.forEach(l -> text.append("  err: ").append(l).append('\n'));
        return text.toString();
    }

    /** SIGKILL, as a crash: nothing runs on the way out. Waits until it is gone. */
    void kill() {
        sampleDescendants();
        process.destroyForcibly();
        waitFor(Duration.ofSeconds(10));
    }

    /** SIGTERM: the role's shutdown hook stops it gracefully. */
    void terminate() {
        sampleDescendants();
        process.destroy();
    }

    boolean waitFor(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    void joinReaders() {
        for (Thread reader : readers) {
            try {
                reader.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public String toString() {
        return name + " (pid " + process.pid() + ")";
    }
}
