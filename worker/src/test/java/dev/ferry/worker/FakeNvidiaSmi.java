package dev.ferry.worker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * Fake {@code nvidia-smi} commands for tests of every module: shell scripts that print what the
 * real one prints for {@link GpuDetector#NVIDIA_SMI}'s query, or fail as it can. Hand the
 * script's path to {@link GpuDetector#of(java.util.List, java.time.Duration)} (as its first
 * element, with any arguments after it: the script ignores them).
 */
public final class FakeNvidiaSmi {

    private FakeNvidiaSmi() {}

    /**
     * Writes {@code dir/nvidia-smi} listing {@code count} GPUs named {@code name} (e.g.
     * {@code "NVIDIA H100 80GB HBM3"}), as {@link #devices(String, int)} describes them.
     *
     * @return the script's path
     */
    public static Path write(Path dir, String name, int count) throws IOException {
        return write(dir, devices(name, count));
    }

    /** Writes {@code dir/nvidia-smi} listing {@code gpus}, with memory.used and utilization.gpu columns after (0). */
    public static Path write(Path dir, List<GpuDevice> gpus) throws IOException {
        StringBuilder out = new StringBuilder();
        for (GpuDevice gpu : gpus) {
            out.append(gpu.index())
                    .append(", ")
                    .append(gpu.uuid())
                    .append(", ")
                    .append(gpu.name())
                    .append(", ")
                    .append(gpu.memoryMib())
                    .append(", 0, 0\n");
        }
        return script(dir, out.toString(), "", 0);
    }

    /**
     * Writes {@code dir/nvidia-smi}, a script that prints {@code stdout} and {@code stderr} as
     * given and exits with {@code exitCode}.
     */
    public static Path script(Path dir, String stdout, String stderr, int exitCode) throws IOException {
        Objects.requireNonNull(stdout, "stdout");
        Files.createDirectories(dir);
        Path data = dir.resolve("nvidia-smi.out");
        Path errors = dir.resolve("nvidia-smi.err");
        Files.writeString(data, stdout, StandardCharsets.UTF_8);
        Files.writeString(errors, stderr, StandardCharsets.UTF_8);
        Path script = dir.resolve("nvidia-smi");
        Files.writeString(
                script,
                "#!/bin/sh\ncat '" + data + "'\ncat '" + errors + "' >&2\nexit " + exitCode + "\n",
                StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return script;
    }

    /**
     * {@code count} GPUs named {@code name}, indexes from 0, with UUIDs that depend on the name
     * and the index only (so two fakes of one name list the same UUIDs), and the memory the
     * real product has where known (H100 80 GB: 81559 MiB, H200: 143771, A100 80 GB: 81920,
     * A100 40 GB: 40960, L4: 23034, T4: 15360), else 16384.
     */
    public static List<GpuDevice> devices(String name, int count) {
        if (count < 0) {
            throw new IllegalArgumentException("count: " + count + " (expected: >= 0)");
        }
        List<GpuDevice> gpus = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            gpus.add(new GpuDevice(i, uuid(name, i), name, memoryMib(name)));
        }
        return List.copyOf(gpus);
    }

    /** The UUID {@link #devices(String, int)} gives GPU {@code index} named {@code name}: {@code GPU-xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}. */
    public static String uuid(String name, int index) {
        String hex =
                HexFormat.of().toHexDigits(name.hashCode()) + HexFormat.of().toHexDigits((long) index);
        // 8 + 16 hex digits: the name's hash, then the index
        return "GPU-" + hex.substring(0, 8) + "-" + hex.substring(8, 12) + "-" + hex.substring(12, 16) + "-"
                + hex.substring(16, 20) + "-" + hex.substring(20, 24) + "fa4e0000";
    }

    private static long memoryMib(String name) {
        String upper = name.toUpperCase(java.util.Locale.ROOT);
        if (upper.contains("H200")) {
            return 143771;
        } else if (upper.contains("H100")) {
            return 81559;
        } else if (upper.contains("A100") && upper.contains("40GB")) {
            return 40960;
        } else if (upper.contains("A100")) {
            return 81920;
        } else if (upper.contains("L4") && !upper.contains("L40")) {
            return 23034;
        } else if (upper.contains("T4")) {
            return 15360;
        }
        return 16384;
    }
}
