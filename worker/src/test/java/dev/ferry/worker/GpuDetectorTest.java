package dev.ferry.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The detector against fake nvidia-smi scripts: real processes, made up output. */
class GpuDetectorTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    @Test
    void listsTheGpusNvidiaSmiPrints() throws Exception {
        Path script = FakeNvidiaSmi.write(dir, "NVIDIA H100 80GB HBM3", 2);

        List<GpuDevice> gpus = detector(script).detect();

        assertThat(gpus).containsExactlyElementsOf(FakeNvidiaSmi.devices("NVIDIA H100 80GB HBM3", 2));
        assertThat(gpus).extracting(GpuDevice::index).containsExactly(0, 1);
        assertThat(gpus).extracting(GpuDevice::memoryMib).containsOnly(81559L);
        assertThat(gpus.get(0).uuid())
                .isNotEqualTo(gpus.get(1).uuid())
                .matches("GPU-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    }

    @Test
    void readsTheRealFormatAndIgnoresExtraColumns() throws Exception {
        Path script = FakeNvidiaSmi.script(
                dir, "0, GPU-dfa0340b-6fd2-01a8-5b83-9f4e7a7ec0f3, NVIDIA H200, 143771, 0, 0\n\n", "", 0);

        assertThat(detector(script).detect())
                .containsExactly(new GpuDevice(0, "GPU-dfa0340b-6fd2-01a8-5b83-9f4e7a7ec0f3", "NVIDIA H200", 143771));
    }

    /**
     * The exact output of {@link GpuDetector}'s query on a real H200 machine (driver 580.159.04,
     * CUDA 13.0), captured on 2026-11-27, byte for byte.
     */
    @Test
    void readsWhatARealH200MachinePrints() throws Exception {
        Path script =
                FakeNvidiaSmi.script(dir, "0, GPU-9ce49c92-f91f-680e-f332-4f495674fc1e, NVIDIA H200, 143771\n", "", 0);

        assertThat(detector(script).detect())
                .containsExactly(new GpuDevice(0, "GPU-9ce49c92-f91f-680e-f332-4f495674fc1e", "NVIDIA H200", 143771));
        assertThat(dev.ferry.request.protocol.GpuRequest.modelOf("NVIDIA H200", 143771))
                .isEqualTo("H200");
    }

    @Test
    void emptyOutputIsNoGpus() throws Exception {
        assertThat(detector(FakeNvidiaSmi.script(dir, "", "", 0)).detect()).isEmpty();
    }

    @Test
    void missingCommandIsACpuMachine() {
        assertThat(GpuDetector.of(List.of(dir.resolve("nvidia-smi").toString()), TIMEOUT)
                        .detect())
                .isEmpty();
        assertThat(GpuDetector.of(List.of("ferry-no-such-nvidia-smi", "--query-gpu=index"), TIMEOUT)
                        .detect())
                .isEmpty();
    }

    @Test
    void noDevicesFoundIsNoGpus() throws Exception {
        Path script = FakeNvidiaSmi.script(dir, "No devices were found\n", "", GpuDetector.NO_DEVICES_FOUND);

        assertThat(detector(script).detect()).isEmpty();
    }

    @Test
    void failureNamesTheCommandAndWhatItSaid() throws Exception {
        Path script = FakeNvidiaSmi.script(
                dir, "", "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.\n", 9);

        assertThatThrownBy(() -> detector(script).detect())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage(script
                        + " --query-gpu=index,uuid,name,memory.total --format=csv,noheader,nounits exited with code 9: "
                        + "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver."
                        + " (expected: exit code 0 and one GPU per line)");
    }

    @Test
    void exitOneWithoutOutputFails() throws Exception {
        Path script = FakeNvidiaSmi.script(dir, "", "", 1);

        assertThatThrownBy(() -> detector(script).detect())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageEndingWith("exited with code 1 (expected: exit code 0 and one GPU per line)");
    }

    @Test
    void garbageNamesTheLineAndWhatWasExpected() throws Exception {
        Path script = FakeNvidiaSmi.script(dir, "0, GPU-a, NVIDIA H100, 81559\nthis is not csv\n", "", 0);

        assertThatThrownBy(() -> detector(script).detect())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith(script.toString())
                .hasMessageEndingWith(" printed \"this is not csv\" on line 2: 4 fields or more"
                        + " (expected: index, uuid, name, memory.total in MiB, comma-separated)");
    }

    @Test
    void unparsableNumbersAreGarbageToo() throws Exception {
        Path script = FakeNvidiaSmi.script(dir, "0, GPU-a, NVIDIA A100, [N/A]\n", "", 0);

        assertThatThrownBy(() -> detector(script).detect())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("printed \"0, GPU-a, NVIDIA A100, [N/A]\" on line 1: For input string: \"[N/A]\"")
                .hasMessageContaining("(expected: index, uuid, name, memory.total in MiB, comma-separated)");
    }

    @Test
    void commandThatHangsTimesOut() throws Exception {
        Path script = dir.resolve("nvidia-smi");
        Files.writeString(script, "#!/bin/sh\nexec sleep 600\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));

        long started = System.nanoTime();
        assertThatThrownBy(() -> GpuDetector.of(List.of(script.toString()), Duration.ofMillis(300))
                        .detect())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage(script + " did not finish within 300 ms");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void refusesEmptyCommandsAndTimeouts() {
        assertThatThrownBy(() -> GpuDetector.of(List.of(), TIMEOUT))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("command: [] (expected: a program and its arguments)");
        assertThatThrownBy(() -> GpuDetector.of(List.of("nvidia-smi"), Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("timeout: PT0S (expected: > 0)");
        assertThat(GpuDetector.nvidiaSmi().command()).isEqualTo(GpuDetector.NVIDIA_SMI);
    }

    @Test
    void capacityCountsCoresMemoryAndGpus() throws Exception {
        MachineCapacity capacity = MachineCapacity.detect(detector(FakeNvidiaSmi.write(dir, "NVIDIA L4", 1)));

        assertThat(capacity.cpuCores()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(capacity.memoryMib()).isPositive();
        assertThat(capacity.gpus()).extracting(GpuDevice::name).containsExactly("NVIDIA L4");
    }

    private static GpuDetector detector(Path script) {
        return GpuDetector.of(
                List.of(script.toString(), "--query-gpu=index,uuid,name,memory.total", "--format=csv,noheader,nounits"),
                TIMEOUT);
    }
}
