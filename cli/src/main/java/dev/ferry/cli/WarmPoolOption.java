package dev.ferry.cli;

import dev.ferry.worker.WorkerRole;
import picocli.CommandLine.Option;

/**
 * {@code --warm-pool}, the worker's pool of warm runtime processes, and where its AOT cache is
 * kept ({@value #AOT_DIR_ENV}): declared once for {@code ferry worker} and {@code ferry dev}.
 */
final class WarmPoolOption {

    /**
     * The environment variable naming the directory of the runtime's AOT cache, when not the
     * home's: the {@code ./ferry} launcher sets it to {@code cli/target/aot}, so that every home
     * of a checkout (the bench makes a fresh one per run) shares one cache per build.
     */
    static final String AOT_DIR_ENV = "FERRY_AOT_DIR";

    @Option(
            names = "--warm-pool",
            paramLabel = "N",
            description =
                    "Runtime processes to keep started and warmed up ahead of demand; each becomes a container in "
                            + "milliseconds instead of a fresh JVM's start. 0 turns the pool off (default: what a sixteenth "
                            + "of the memory holds at 96 MiB each, at most 8 per CPU core, 2 to 16).")
    Integer warmPool;

    /**
     * The pool size: the option's, else {@link WorkerRole#defaultWarmPool(int, long)} for
     * {@code cpus} and {@code memoryMib}.
     *
     * @throws IllegalArgumentException when the option is negative
     */
    int resolve(int cpus, long memoryMib) {
        if (warmPool == null) {
            return WorkerRole.defaultWarmPool(cpus, memoryMib);
        }
        if (warmPool < 0) {
            throw new IllegalArgumentException("--warm-pool: " + warmPool + " (expected: >= 0, 0 for none)");
        }
        return warmPool;
    }

    /**
     * Sets the pool ({@link #resolve}) and, from {@value #AOT_DIR_ENV} if set, the AOT cache's
     * directory on {@code worker}.
     */
    void applyTo(WorkerRole.Builder worker, int cpus, long memoryMib) {
        worker.warmPool(resolve(cpus, memoryMib));
        String dir = System.getenv(AOT_DIR_ENV);
        if (dir != null && !dir.isBlank()) {
            worker.aotCacheDirectory(java.nio.file.Path.of(dir));
        }
    }
}
