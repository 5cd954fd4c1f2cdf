package dev.ferry.cli.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.cli.cluster.ClusterProcesses.Controller;
import dev.ferry.cli.cluster.ClusterProcesses.Gateway;
import dev.ferry.cli.cluster.ClusterProcesses.Run;
import dev.ferry.cli.cluster.ClusterProcesses.Worker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The only GPU worker killed with its whole process tree, as {@code kill -9} of its process
 * group does, then one request to its GPU function: the request reached no living container, so
 * it must wait, and end in the 503 that names why no container can be started, not in a 502.
 * Real processes on loopback: Redis, a controller, a gateway, a CPU worker and a GPU worker
 * (a stand-in {@code nvidia-smi} reports one H100).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GpuWorkerLossEndToEndTest {

    private static final Duration COLD_START = Duration.ofSeconds(60);

    private ClusterProcesses cluster;
    private Controller controller;
    private Gateway gateway;
    private Worker gpuWorker;

    @BeforeAll
    void startTheCluster() throws IOException {
        cluster = ClusterProcesses.start();
        Path nvidiaSmi = cluster.home("fake-nvidia-smi").resolve("nvidia-smi");
        Files.writeString(nvidiaSmi, """
                #!/bin/sh
                echo "0, GPU-11111111-0000-0000-0000-000000000000, NVIDIA H100 80GB HBM3, 81559"
                """);
        Files.setPosixFilePermissions(nvidiaSmi, PosixFilePermissions.fromString("rwxr-xr-x"));
        var ctl = cluster.launchController("ctl");
        var gw = cluster.launchGateway("gw", "--unschedulable-wait", "3s");
        var cpu = cluster.launchWorker("w-cpu");
        var gpu = cluster.launchWorker("w-gpu", "--nvidia-smi", nvidiaSmi.toString());
        controller = cluster.controller(ctl);
        gateway = cluster.gateway(gw);
        cluster.worker(cpu);
        gpuWorker = cluster.worker(gpu);
        cluster.awaitLeader(controller, Duration.ofSeconds(20));
        Path jar = cluster.jar("gpu.jar", "gpu", GpuProbe.class);
        Run deploy = cluster.ferry("deploy", jar.toString(), "--controller", controller.adminUrl());
        assertThat(deploy.exitCode()).as(deploy.toString()).isZero();
    }

    @AfterAll
    void stopTheCluster() {
        if (cluster == null) {
            return;
        }
        cluster.close();
        assertThat(cluster.leftovers)
                .as("processes that outlived the cluster's shutdown")
                .isEmpty();
        assertThat(cluster.leakReports())
                .as("Netty leak reports in the processes' output")
                .isEmpty();
    }

    @Test
    void aRequestAfterTheOnlyGpuWorkerWasKilledGets503NamingWhyNot502() throws Exception {
        String host = "gpu--gpu-probe.localhost:" + gateway.httpPort();
        RawHttp.Response served = ClusterProcesses.awaitValue(
                "gpu-probe to answer",
                COLD_START,
                () -> RawHttp.get(gateway.httpPort(), host, "/"),
                r -> r.status() == 200);
        assertThat(served.body()).startsWith("w-gpu GPU-");

        // kill -9 of the worker's process group: its container goes with it, and nobody is left
        // to report the container's exit.
        ProcessHandle worker = ProcessHandle.of(gpuWorker.process().pid()).orElseThrow();
        worker.descendants().forEach(ProcessHandle::destroyForcibly);
        gpuWorker.process().kill();

        RawHttp.Response answer = RawHttp.get(gateway.httpPort(), host, "/");

        assertThat(answer.status()).as(answer.toString()).isEqualTo(503);
        assertThat(answer.body())
                .as(answer.toString())
                .contains("gpu--gpu-probe")
                .contains("no worker has gpu any")
                .doesNotContain("exited during the call");
        assertThat(answer.headers()).containsEntry("x-ferry-error", "no_capacity");
    }
}
