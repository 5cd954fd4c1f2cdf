package dev.ferry.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Device nodes for GPUs, from files laid out as /dev and the driver's /proc files are (regular files standing in for nodes). */
class GpuNodesTest {

    @TempDir
    Path dir;

    private final List<GpuDevice> gpus = FakeNvidiaSmi.devices("NVIDIA H100 80GB HBM3", 2);

    @Test
    void driverMinorNumbersWinOverTheIndex() throws Exception {
        Path dev = devices("nvidia0", "nvidia1", "nvidia7", "nvidiactl", "nvidia-uvm");
        Path driver = Files.createDirectories(dir.resolve("driver"));
        information(driver, "00000000:1B:00.0", gpus.get(1).uuid(), 7);

        GpuNodes nodes = new GpuNodes(dev, driver, gpus);

        assertThat(nodes.nodes(List.of(gpus.get(1).uuid())))
                .containsExactly(dev.resolve("nvidia7"), dev.resolve("nvidiactl"), dev.resolve("nvidia-uvm"));
        assertThat(nodes.nodes(List.of(gpus.get(0).uuid(), gpus.get(1).uuid())))
                .containsExactly(
                        dev.resolve("nvidia0"),
                        dev.resolve("nvidia7"),
                        dev.resolve("nvidiactl"),
                        dev.resolve("nvidia-uvm"));
        assertThat(nodes.nodes(List.of())).isEmpty();
    }

    @Test
    void unknownGpuOrMissingNodeIsNamed() throws Exception {
        Path dev = devices("nvidia0");
        GpuNodes nodes = new GpuNodes(dev, dir.resolve("no-driver"), gpus);

        assertThatThrownBy(() -> nodes.nodes(List.of("GPU-unknown")))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith("GPU GPU-unknown is not one of this worker's GPUs [");
        assertThatThrownBy(() -> nodes.nodes(List.of(gpus.get(1).uuid())))
                .isInstanceOf(IOException.class)
                .hasMessage("GPU " + gpus.get(1).uuid() + ": no device node " + dev.resolve("nvidia1"));
        assertThat(nodes.knows(gpus.get(0).uuid())).isTrue();
    }

    @Test
    void readsTheDriversInformationFile() {
        List<String> lines = List.of(
                "Model: \t\t NVIDIA H100 80GB HBM3",
                "IRQ:   \t\t 0",
                "GPU UUID: \t GPU-dfa0340b-6fd2-01a8-5b83-9f4e7a7ec0f3",
                "Video BIOS: \t 96.00.99.00.01",
                "Bus Type: \t PCIe",
                "DMA Size: \t 52 bits",
                "DMA Mask: \t 0xfffffffffffff",
                "Bus Location: \t 0000:1b:00.0",
                "Device Minor: \t 3",
                "GPU Excluded:\t No");

        assertThat(GpuNodes.parseInformation(lines)).contains(Map.entry("GPU-dfa0340b-6fd2-01a8-5b83-9f4e7a7ec0f3", 3));
        assertThat(GpuNodes.parseInformation(lines.subList(0, 3))).isEmpty();
    }

    private Path devices(String... names) throws IOException {
        Path dev = Files.createDirectories(dir.resolve("dev"));
        for (String name : names) {
            Files.createFile(dev.resolve(name));
        }
        return dev;
    }

    private static void information(Path driver, String busId, String uuid, int minor) throws IOException {
        Path gpu = Files.createDirectories(driver.resolve(busId));
        Files.writeString(
                gpu.resolve("information"),
                "Model: \t\t NVIDIA H100\nGPU UUID: \t " + uuid + "\nDevice Minor: \t " + minor + "\n");
    }
}
