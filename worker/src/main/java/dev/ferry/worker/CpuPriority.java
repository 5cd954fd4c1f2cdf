package dev.ferry.worker;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs pool members at a lower CPU priority than containers while they warm up and wait, and
 * raises it when one becomes a container: a refilling pool then takes only the CPU that
 * serving containers leave.
 *
 * <p>On Linux a niceness is per thread, and only a privileged process may lower it again. So
 * members are niced only where the worker can raise them back (it runs as root and finds
 * {@code nice} and {@code renice}); elsewhere they run at normal priority, and only the pool's
 * one-refill-at-a-time rule keeps them from crowding out containers.
 *
 * @param nice the {@code nice} command; empty where members are not niced
 * @param renice the {@code renice} command
 */
record CpuPriority(Optional<Path> nice, Optional<Path> renice) {

    /** The niceness of a waiting pool member: below every container's (0), above idle work. */
    static final int POOL_NICENESS = 10;

    private static final long RENICE_TIMEOUT_MILLIS = 5_000;

    /** What this machine allows: niced members for a root worker with both commands, else none. */
    static CpuPriority detect(String toolPath, boolean root) {
        Optional<Path> nice = Executables.find("nice", toolPath);
        Optional<Path> renice = Executables.find("renice", toolPath);
        if (!root || nice.isEmpty() || renice.isEmpty()) {
            return new CpuPriority(Optional.empty(), Optional.empty());
        }
        return new CpuPriority(nice, renice);
    }

    /** Whether pool members run niced. */
    boolean nicesMembers() {
        return nice.isPresent();
    }

    /** {@code command}, run at {@link #POOL_NICENESS} where members are niced. */
    List<String> member(List<String> command) {
        if (nice.isEmpty()) {
            return command;
        }
        List<String> niced = new ArrayList<>(List.of(nice.get().toString(), "-n", Integer.toString(POOL_NICENESS)));
        niced.addAll(command);
        return niced;
    }

    /**
     * Sets every thread of {@code process} and of the processes below it (the JVM inside a
     * sandbox) back to niceness 0.
     *
     * @throws IOException when {@code renice} fails
     */
    void raise(Process process) throws IOException {
        if (renice.isEmpty()) {
            return;
        }
        List<String> command = new ArrayList<>(List.of(renice.get().toString(), "-n", "0", "-p"));
        int before = command.size();
        Stream.concat(Stream.of(process.toHandle()), process.descendants())
                .forEach(p -> command.addAll(threads(p.pid())));
        if (command.size() == before) {
            return; // it has exited: nothing to raise
        }
        Process renicing = new ProcessBuilder(command).redirectErrorStream(true).start();
        renicing.getOutputStream().close();
        try {
            if (!renicing.waitFor(RENICE_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)) {
                renicing.destroyForcibly();
                throw new IOException("renice did not finish within " + RENICE_TIMEOUT_MILLIS + " ms");
            }
        } catch (InterruptedException e) {
            renicing.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while renicing " + process.pid(), e);
        }
        // A thread that ended in between makes renice fail for it alone; the others are set.
        if (renicing.exitValue() != 0) {
            String output =
                    new String(renicing.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (!output.contains("No such process")) {
                throw new IOException("renice exited with code " + renicing.exitValue() + ": " + output.strip());
            }
        }
    }

    /** The thread ids of process {@code pid}, as strings; empty when it is gone. */
    private static List<String> threads(long pid) {
        List<String> ids = new ArrayList<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks) {
                ids.add(task.getFileName().toString());
            }
        } catch (IOException e) {
            // gone
        }
        return ids;
    }
}
