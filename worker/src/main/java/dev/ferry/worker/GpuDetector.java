package dev.ferry.worker;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Finds a machine's NVIDIA GPUs by running {@code nvidia-smi}. Immutable and thread-safe;
 * {@link #detect()} blocks for as long as the command runs (at most the timeout).
 *
 * <p>What it concludes:
 * <ul>
 *   <li>the command is not there (not found on the PATH, or no such file): no GPUs, a CPU
 *       machine;</li>
 *   <li>it exits with code 0: one GPU per non-blank line, {@code index, uuid, name,
 *       memory.total} in MiB (further columns are ignored); nothing printed means none;</li>
 *   <li>it exits with code 6, nvidia-smi's "no devices were found": no GPUs (the driver is
 *       installed, the machine has no GPU), logged as a warning;</li>
 *   <li>anything else (another exit code, a line that does not parse, no exit within the
 *       timeout, a command that cannot be run): an {@link IllegalStateException} naming the
 *       command, and the line and what was expected. A GPU machine whose nvidia-smi is broken
 *       must not quietly join the cluster as a CPU machine.</li>
 * </ul>
 */
public final class GpuDetector {

    /** nvidia-smi's query for what {@link GpuDevice} holds. */
    public static final List<String> NVIDIA_SMI =
            List.of("nvidia-smi", "--query-gpu=index,uuid,name,memory.total", "--format=csv,noheader,nounits");

    /** Default {@link #of(List, Duration) timeout}: 10 seconds, for a driver that is slow to wake up. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    /** nvidia-smi's exit code when the driver finds no GPU. */
    static final int NO_DEVICES_FOUND = 6;

    private static final System.Logger logger = System.getLogger(GpuDetector.class.getName());
    private static final String EXPECTED = "index, uuid, name, memory.total in MiB, comma-separated";

    private final List<String> command;
    private final Duration timeout;

    private GpuDetector(List<String> command, Duration timeout) {
        this.command = command;
        this.timeout = timeout;
    }

    /** Runs {@link #NVIDIA_SMI} with the {@link #DEFAULT_TIMEOUT}. */
    public static GpuDetector nvidiaSmi() {
        return new GpuDetector(NVIDIA_SMI, DEFAULT_TIMEOUT);
    }

    /**
     * Runs {@code command} (its first element found on the PATH unless it holds a slash),
     * which must print what {@link #NVIDIA_SMI} prints, within {@code timeout}.
     */
    public static GpuDetector of(List<String> command, Duration timeout) {
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(timeout, "timeout");
        if (command.isEmpty() || command.get(0).isBlank()) {
            throw new IllegalArgumentException("command: " + command + " (expected: a program and its arguments)");
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout: " + timeout + " (expected: > 0)");
        }
        return new GpuDetector(List.copyOf(command), timeout);
    }

    /** The command this detector runs. */
    public List<String> command() {
        return command;
    }

    /**
     * The machine's GPUs, in the order the command lists them; empty for a machine without
     * the command or without GPUs.
     *
     * @throws IllegalStateException when the command fails, times out or prints what does not
     *     parse (see the class description)
     */
    public List<GpuDevice> detect() {
        String program = command.get(0);
        if (Executables.find(program).isEmpty()) {
            logger.log(System.Logger.Level.DEBUG, () -> program + " not found: no GPUs");
            return List.of();
        }
        Process process;
        try {
            process = new ProcessBuilder(command).start();
        } catch (IOException e) {
            throw new IllegalStateException(describe() + " could not be run: " + e.getMessage(), e);
        }
        try {
            process.getOutputStream().close();
            CompletableFuture<String> out = readAll(process.getInputStream());
            CompletableFuture<String> err = readAll(process.getErrorStream());
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException(
                        describe() + " did not finish within " + ContainerProcess.spaced(timeout));
            }
            int exitCode = process.exitValue();
            String stdout = out.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            String stderr = err.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (exitCode == NO_DEVICES_FOUND) {
                logger.log(
                        System.Logger.Level.WARNING,
                        describe() + " found no GPU (exit code 6): " + (stdout + stderr).strip()
                                + "; going on without GPUs");
                return List.of();
            }
            if (exitCode != 0) {
                String said = (stderr.isBlank() ? stdout : stderr).strip();
                throw new IllegalStateException(describe() + " exited with code " + exitCode
                        + (said.isEmpty() ? "" : ": " + said) + " (expected: exit code 0 and one GPU per line)");
            }
            return parse(stdout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + describe(), e);
        } catch (IOException | ExecutionException | TimeoutException e) {
            throw new IllegalStateException(describe() + ": reading its output failed: " + e.getMessage(), e);
        } finally {
            process.destroyForcibly();
        }
    }

    /**
     * The GPUs in {@code output}, one per non-blank line.
     *
     * @throws IllegalStateException naming the command, the line and what was expected
     */
    List<GpuDevice> parse(String output) {
        List<GpuDevice> gpus = new ArrayList<>();
        List<String> lines = output.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            String[] fields = line.split(",");
            if (fields.length < 4) {
                throw malformed(i, line, "4 fields or more");
            }
            try {
                int index = Integer.parseInt(fields[0].trim());
                long memoryMib = Long.parseLong(fields[3].trim());
                gpus.add(new GpuDevice(index, fields[1].trim(), fields[2].trim(), memoryMib));
            } catch (IllegalArgumentException e) {
                throw malformed(i, line, e.getMessage());
            }
        }
        return List.copyOf(gpus);
    }

    private IllegalStateException malformed(int lineIndex, String line, String problem) {
        return new IllegalStateException(describe() + " printed \"" + line + "\" on line " + (lineIndex + 1) + ": "
                + problem + " (expected: " + EXPECTED + ")");
    }

    private String describe() {
        return String.join(" ", command);
    }

    private static CompletableFuture<String> readAll(InputStream in) {
        CompletableFuture<String> text = new CompletableFuture<>();
        Thread.ofVirtual().name("ferry-gpu-detector-output").start(() -> {
            try (in) {
                text.complete(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                text.completeExceptionally(new UncheckedIOException(e));
            }
        });
        return text;
    }

    @Override
    public String toString() {
        return "GpuDetector[" + describe() + ", timeout " + ContainerProcess.spaced(timeout) + "]";
    }
}
