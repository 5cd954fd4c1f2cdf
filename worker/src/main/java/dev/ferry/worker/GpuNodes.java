package dev.ferry.worker;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Finds the device nodes a sandboxed container needs for its GPUs: {@code /dev/nvidia<minor>}
 * for each, plus the driver's control nodes ({@code nvidiactl}, {@code nvidia-uvm},
 * {@code nvidia-uvm-tools}, {@code nvidia-modeset}) that exist. The minor number comes from
 * the driver ({@code /proc/driver/nvidia/gpus/<bus id>/information}: "GPU UUID" and "Device
 * Minor"), which need not follow nvidia-smi's index; the index stands in where the driver
 * says nothing. Thread-safe.
 */
final class GpuNodes {

    static final List<String> CONTROL_NODES = List.of("nvidiactl", "nvidia-uvm", "nvidia-uvm-tools", "nvidia-modeset");

    private final Path devDir;
    private final Path driverDir;
    private final Map<String, GpuDevice> known;

    /**
     * @param devDir where the nodes are ({@code /dev})
     * @param driverDir the driver's per-GPU directories ({@code /proc/driver/nvidia/gpus})
     * @param known the worker's GPUs, by UUID
     */
    GpuNodes(Path devDir, Path driverDir, List<GpuDevice> known) {
        this.devDir = devDir;
        this.driverDir = driverDir;
        Map<String, GpuDevice> byUuid = new HashMap<>();
        known.forEach(gpu -> byUuid.put(gpu.uuid(), gpu));
        this.known = Map.copyOf(byUuid);
    }

    static GpuNodes system(List<GpuDevice> known) {
        return new GpuNodes(Path.of("/dev"), Path.of("/proc/driver/nvidia/gpus"), known);
    }

    /** Whether {@code uuid} is one of the worker's GPUs. */
    boolean knows(String uuid) {
        return known.containsKey(uuid);
    }

    /**
     * The nodes for {@code uuids}, GPUs first; empty for none.
     *
     * @throws IOException naming the GPU when it is not one of the worker's or its node is missing
     */
    List<Path> nodes(List<String> uuids) throws IOException {
        if (uuids.isEmpty()) {
            return List.of();
        }
        Map<String, Integer> minors = driverMinors();
        List<Path> nodes = new ArrayList<>();
        for (String uuid : uuids) {
            Integer minor = minors.get(uuid);
            if (minor == null) {
                GpuDevice gpu = known.get(uuid);
                if (gpu == null) {
                    throw new IOException("GPU " + uuid + " is not one of this worker's GPUs "
                            + known.keySet().stream().sorted().toList()
                            + " (a bwrap or runc worker must be given its GPUs, to pass their device nodes)");
                }
                minor = gpu.index();
            }
            Path node = devDir.resolve("nvidia" + minor);
            if (!Files.exists(node)) {
                throw new IOException("GPU " + uuid + ": no device node " + node);
            }
            nodes.add(node);
        }
        for (String control : CONTROL_NODES) {
            Path node = devDir.resolve(control);
            if (Files.exists(node)) {
                nodes.add(node);
            }
        }
        return nodes;
    }

    /** UUID → minor number, as the driver reports them; empty without the driver. */
    private Map<String, Integer> driverMinors() {
        Map<String, Integer> minors = new HashMap<>();
        if (!Files.isDirectory(driverDir)) {
            return minors;
        }
        try (DirectoryStream<Path> gpus = Files.newDirectoryStream(driverDir)) {
            for (Path gpu : gpus) {
                Path information = gpu.resolve("information");
                if (Files.isRegularFile(information)) {
                    parseInformation(Files.readAllLines(information))
                            .ifPresent(e -> minors.put(e.getKey(), e.getValue()));
                }
            }
        } catch (IOException e) {
            System.getLogger(GpuNodes.class.getName())
                    .log(
                            System.Logger.Level.WARNING,
                            "cannot read " + driverDir + "; taking nvidia-smi's index for the device minor",
                            e);
        }
        return minors;
    }

    /** UUID and minor number from the lines of a driver's information file. */
    static Optional<Map.Entry<String, Integer>> parseInformation(List<String> lines) {
        String uuid = null;
        Integer minor = null;
        for (String line : lines) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String key = line.substring(0, colon).trim();
            String value = line.substring(colon + 1).trim();
            if (key.equals("GPU UUID")) {
                uuid = value;
            } else if (key.equals("Device Minor")) {
                try {
                    minor = Integer.parseInt(value);
                } catch (NumberFormatException e) {
                    return Optional.empty();
                }
            }
        }
        return uuid != null && minor != null ? Optional.of(Map.entry(uuid, minor)) : Optional.empty();
    }
}
