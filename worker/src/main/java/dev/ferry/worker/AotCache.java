package dev.ferry.worker;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The container runtime's ahead-of-time cache (JDK 25+, JEP 483/514/515): the runtime's
 * classes loaded and linked, and profiles of its methods, so a container JVM starts without
 * loading them from jars and its JIT starts from the profiles. Made once per runtime class
 * path and JDK by a training run: a pool member that makes its synthetic calls and exits,
 * started with {@code -XX:AOTCacheOutput}. It runs only Ferry's own code, so every sandbox may
 * map the result. Until it exists, containers start without it (on the class data archive, if
 * any), as they do on JDKs before 25.
 */
final class AotCache {

    private static final System.Logger logger = System.getLogger(AotCache.class.getName());

    /** Synthetic calls of the training run: enough to load and profile the call path. */
    static final int TRAINING_CALLS = 3_000;

    /** The longest a training run may take, JVM start, calls and writing the cache together. */
    static final Duration TRAINING_TIMEOUT = Duration.ofMinutes(3);

    private final Path file;
    private volatile boolean ready;
    /** The training run while it runs; stopped with the worker. */
    private volatile Process training;

    private volatile boolean stopped;

    AotCache(Path file) {
        this.file = file;
        this.ready = Files.isRegularFile(file);
    }

    /** Ends a training run that is still going (the worker is closing); no cache is kept from it. */
    void stop() {
        stopped = true;
        Process running = training;
        if (running != null) {
            running.destroyForcibly();
        }
    }

    /** Whether this JDK can make and use the cache: 25 and later. */
    static boolean supported() {
        return Runtime.version().feature() >= 25;
    }

    /**
     * {@code options} without those the JVM refuses beside an AOT cache: {@code -Xshare:*} and
     * {@code -XX:SharedArchiveFile} (the cache is itself the class data archive).
     */
    static List<String> compatible(List<String> options) {
        return options.stream()
                .filter(o -> !o.startsWith("-Xshare:") && !o.startsWith("-XX:SharedArchiveFile"))
                .toList();
    }

    Path file() {
        return file;
    }

    /** Whether the cache exists, so that containers started from now on use it. */
    boolean ready() {
        return ready;
    }

    /** What the JVM logs of the cache and of its making: errors only, in the process's output. */
    static final List<String> LOG_OPTIONS = List.of("-Xlog:aot=error", "-Xlog:cds=error");

    /** The options that make a container JVM use the cache. */
    List<String> options() {
        List<String> options = new ArrayList<>(List.of("-XX:AOTCache=" + file));
        options.addAll(LOG_OPTIONS);
        return List.copyOf(options);
    }

    /** The option that makes the training run write the cache, to a temporary file beside it. */
    String outputOption() {
        return "-XX:AOTCacheOutput=" + temporary();
    }

    /**
     * Deletes the caches of other builds and JDKs beside this one (tens of MB each, and every
     * rebuild makes a new one). A JVM that maps one keeps its pages; a worker still handing one
     * out starts its containers without it, as the JVM does with a cache it cannot open.
     */
    private void deleteOthers() {
        try (DirectoryStream<Path> caches = Files.newDirectoryStream(file.getParent(), "container-*.aot")) {
            for (Path other : caches) {
                if (!other.equals(file)) {
                    Files.deleteIfExists(other);
                }
            }
        } catch (IOException e) {
            logger.log(System.Logger.Level.DEBUG, "removing older AOT caches beside " + file, e);
        }
    }

    /** This process's own: workers that share the directory may train at once; the last one's cache stays. */
    private Path temporary() {
        return file.resolveSibling(
                file.getFileName() + "." + ProcessHandle.current().pid() + ".training");
    }

    /**
     * Runs {@code command} (a pool member with {@link #outputOption()}) with
     * {@code environment}: tells it to warm up once it prints {@code startedLine}, waits for its
     * pooled line {@code pooledLine}, ends it, and keeps the cache it wrote. Blocks for the whole
     * run; logs, and keeps going without a cache, on failure.
     */
    void train(List<String> command, Map<String, String> environment, String startedLine, String pooledLine) {
        long start = System.nanoTime();
        Process process = null;
        try {
            Files.createDirectories(file.getParent());
            Files.deleteIfExists(temporary());
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            builder.environment().putAll(environment);
            process = builder.start();
            training = process;
            if (stopped) {
                return; // the worker closed while this started; finally ends it
            }
            List<String> output = new ArrayList<>();
            boolean warm = false;
            try (BufferedReader lines =
                    new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    if (line.equals(startedLine)) {
                        process.getOutputStream()
                                .write((ContainerCommand.WARM_UP + "\n").getBytes(StandardCharsets.UTF_8));
                        process.getOutputStream().flush();
                    } else if (line.equals(pooledLine)) {
                        warm = true;
                        process.getOutputStream()
                                .close(); // no assignment: the member exits and the JVM writes the cache
                    } else if (output.size() < 40) {
                        output.add(line);
                    }
                }
            }
            if (!process.waitFor(TRAINING_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IOException("did not finish within " + TRAINING_TIMEOUT.toMinutes() + " minutes");
            }
            if (!warm || process.exitValue() != 0 || !Files.isRegularFile(temporary())) {
                throw new IOException("exited with code " + process.exitValue() + ": " + String.join(" | ", output));
            }
            Files.move(temporary(), file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            ready = true;
            deleteOthers();
            logger.log(
                    System.Logger.Level.INFO,
                    "container runtime AOT cache made in " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)
                            + " ms: " + file);
        } catch (IOException e) {
            if (stopped) {
                return;
            }
            logger.log(
                    System.Logger.Level.WARNING,
                    "could not make the container runtime's AOT cache " + file + " (containers start without it): "
                            + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (process != null) {
                process.destroyForcibly();
            }
            try {
                Files.deleteIfExists(temporary());
            } catch (IOException e) {
                // a leftover is replaced by the next training
            }
        }
    }
}
