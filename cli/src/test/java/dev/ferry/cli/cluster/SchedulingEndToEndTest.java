package dev.ferry.cli.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.cli.cluster.ClusterProcesses.Controller;
import dev.ferry.cli.cluster.ClusterProcesses.Gateway;
import dev.ferry.cli.cluster.ClusterProcesses.Run;
import dev.ferry.cli.cluster.ClusterProcesses.Worker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Placement, isolation and healing with real processes on loopback: Redis, a controller, a
 * gateway and three workers, each a separate JVM started with {@code ferry ...}:
 * <ul>
 *   <li>{@code w-cpu}: a CPU worker labelled {@code pool=general};</li>
 *   <li>{@code w-gpu}: labelled {@code pool=general}, whose {@code --nvidia-smi} is a script
 *       that reports two H100s;</li>
 *   <li>{@code w-runc}: runs containers under {@code runc} with cgroup limits, labelled
 *       {@code sandbox=runc}.</li>
 * </ul>
 * The tests run in order: the last one kills a worker.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SchedulingEndToEndTest {

    private static final Duration COLD_START = Duration.ofSeconds(60);

    private ClusterProcesses cluster;
    private Controller controller;
    private Gateway gateway;
    private Worker cpuWorker;
    private Worker gpuWorker;
    private final ExecutorService clients = Executors.newCachedThreadPool();

    @BeforeAll
    void startTheCluster() throws IOException {
        cluster = ClusterProcesses.start();
        Path nvidiaSmi = fakeNvidiaSmi(cluster.home("fake-nvidia-smi"));
        var ctl = cluster.launchController("ctl");
        var gw = cluster.launchGateway("gw", "--unschedulable-wait", "3s");
        var cpu = cluster.launchWorker("w-cpu", "--label", "pool=general");
        var gpu = cluster.launchWorker("w-gpu", "--label", "pool=general", "--nvidia-smi", nvidiaSmi.toString());
        var runc = cluster.launchWorker("w-runc", "--label", "sandbox=runc", "--sandbox", "runc");
        controller = cluster.controller(ctl);
        gateway = cluster.gateway(gw);
        cpuWorker = cluster.worker(cpu);
        gpuWorker = cluster.worker(gpu);
        cluster.worker(runc);
        cluster.awaitLeader(controller, Duration.ofSeconds(20));
        Path jar =
                cluster.jar("sched.jar", "sched", GpuProbe.class, GpuQuad.class, GeneralHello.class, MemoryHog.class);
        Run deploy = cluster.ferry("deploy", jar.toString(), "--controller", controller.adminUrl());
        assertThat(deploy.exitCode()).as(deploy.toString()).isZero();
    }

    @AfterAll
    void stopTheCluster() {
        clients.shutdownNow();
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

    /** A stand-in for nvidia-smi that reports two H100s, in the format of the real one's CSV query. */
    private static Path fakeNvidiaSmi(Path dir) throws IOException {
        Path script = dir.resolve("nvidia-smi");
        Files.writeString(script, """
                #!/bin/sh
                echo "0, GPU-11111111-0000-0000-0000-000000000000, NVIDIA H100 80GB HBM3, 81559"
                echo "1, GPU-22222222-0000-0000-0000-000000000000, NVIDIA H100 80GB HBM3, 81559"
                """);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return script;
    }

    @Test
    @Order(1)
    void gpuContainersLandOnTheGpuWorkerWithOneDeviceEachAndAThirdWaitsWithTheReason() throws Exception {
        String host = host("sched--gpu-probe");
        List<Future<RawHttp.Response>> busy = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            busy.add(clients.submit(() -> RawHttp.get(gateway.httpPort(), host, "/?ms=10000")));
        }
        ClusterProcesses.await(
                "two gpu-probe containers ready",
                COLD_START,
                () -> readyOf("sched--gpu-probe").size() == 2);
        List<JsonNode> ready = readyOf("sched--gpu-probe");
        assertThat(ready).allSatisfy(c -> assertThat(c.path("worker").asText()).isEqualTo(gpuWorker.id()));
        assertThat(ready).extracting(c -> c.path("gpus").toString()).containsExactlyInAnyOrder("[0]", "[1]");

        // A third call: a third container is wanted, and cannot be placed; the call waits for a
        // GPU container to be free rather than being turned away while two serve.
        Future<RawHttp.Response> third = clients.submit(() -> RawHttp.get(gateway.httpPort(), host, "/?ms=1"));
        ClusterProcesses.await(
                "a third gpu-probe container, unplaced",
                COLD_START,
                () -> inState("sched--gpu-probe", "UNPLACED").stream()
                        .anyMatch(c -> c.path("reason").asText().contains("no worker has a free gpu any")));
        Run ls = cluster.ferry("ls", "--controller", controller.adminUrl());
        assertThat(ls.out())
                .as(ls.toString())
                .contains("UNPLACED")
                .contains("gpu any")
                .contains("w-gpu")
                .contains("0:H100,1:H100");

        List<String> answers = new ArrayList<>();
        for (Future<RawHttp.Response> f : busy) {
            RawHttp.Response r = f.get(60, TimeUnit.SECONDS);
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            answers.add(r.body().strip());
        }
        assertThat(answers)
                .containsExactlyInAnyOrder(
                        "w-gpu GPU-11111111-0000-0000-0000-000000000000 GPU-11111111-0000-0000-0000-000000000000",
                        "w-gpu GPU-22222222-0000-0000-0000-000000000000 GPU-22222222-0000-0000-0000-000000000000");
        RawHttp.Response served = third.get(60, TimeUnit.SECONDS);
        assertThat(served.status()).as(served.toString()).isEqualTo(200);
        assertThat(served.body()).startsWith("w-gpu GPU-");

        // A function no worker can ever take: 503 with the scheduler's reason after --unschedulable-wait.
        long start = System.nanoTime();
        RawHttp.Response never = RawHttp.get(gateway.httpPort(), host("sched--gpu-quad"), "/");
        long waitedMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(never.status()).as(never.toString()).isEqualTo(503);
        assertThat(never.body()).contains("no worker has gpu H100:4");
        assertThat(waitedMs)
                .as("waited about the gateway's --unschedulable-wait")
                .isBetween(2_500L, 14_000L);
    }

    @Test
    @Order(2)
    void aContainerOverItsMemoryLimitUnderRuncIsReportedOutOfMemoryAndReplaced() throws Exception {
        String host = host("sched--hog");
        RawHttp.Response small = ClusterProcesses.awaitValue(
                "hog to answer",
                COLD_START,
                () -> RawHttp.get(gateway.httpPort(), host, "/?mib=16"),
                r -> r.status() == 200);
        assertThat(small.body()).isEqualTo("held 16 MiB\n");
        String first = readyOf("sched--hog").getFirst().path("id").asText();

        RawHttp.Response over = RawHttp.get(gateway.httpPort(), host, "/?mib=600");

        assertThat(over.status()).as(over.toString()).isEqualTo(502);
        assertThat(over.body()).contains("container " + first).contains("out of memory (limit 256 MiB)");
        RawHttp.Response again = ClusterProcesses.awaitValue(
                "the replacement to answer",
                COLD_START,
                () -> RawHttp.get(gateway.httpPort(), host, "/?mib=16"),
                r -> r.status() == 200);
        assertThat(again.body()).isEqualTo("held 16 MiB\n");
        assertThat(readyOf("sched--hog")).singleElement().satisfies(c -> {
            assertThat(c.path("id").asText()).isNotEqualTo(first);
            assertThat(c.path("worker").asText()).isEqualTo("w-runc");
        });
        assertThat(controller.process().err).anyMatch(l -> l.contains(first) && l.contains("out of memory"));
    }

    @Test
    @Order(3)
    void aKilledWorkersContainersAreReplacedOnAnotherWorker() throws Exception {
        String host = host("sched--general");
        RawHttp.Response before = ClusterProcesses.awaitValue(
                "general to answer",
                COLD_START,
                () -> RawHttp.get(gateway.httpPort(), host, "/"),
                r -> r.status() == 200);
        // A CPU-only function goes to the CPU worker, leaving the GPU worker's room for GPU work.
        assertThat(before.body()).isEqualTo("served by w-cpu\n");

        long killed = System.nanoTime();
        cpuWorker.process().kill();

        // Its orphaned container may answer a little longer, until it notices its worker is gone.
        ClusterProcesses.awaitValue(
                "general to answer from another worker",
                COLD_START,
                () -> RawHttp.get(gateway.httpPort(), host, "/"),
                r -> r.status() == 200 && r.body().equals("served by w-gpu\n"));
        long ms = (System.nanoTime() - killed) / 1_000_000;
        System.out.println(
                "[test] kill -9 of " + cpuWorker.id() + " to its container serving again elsewhere: " + ms + " ms");
        assertThat(readyOf("sched--general"))
                .singleElement()
                .satisfies(c -> assertThat(c.path("worker").asText()).isEqualTo("w-gpu"));
        assertThat(LogLine.said(
                        controller.process().err, "WARN", "controller", "worker w-cpu is lost: no heartbeat since "))
                .as("the controller's warning that w-cpu is lost")
                .isTrue();
    }

    private String host(String functionId) {
        return functionId + ".localhost:" + gateway.httpPort();
    }

    /** The READY containers of {@code functionId}, as the admin API lists them. */
    private List<JsonNode> readyOf(String functionId) {
        return inState(functionId, "READY");
    }

    /** The containers of {@code functionId} in {@code state} (or UNPLACED), as the admin API lists them. */
    private List<JsonNode> inState(String functionId, String state) {
        try {
            List<JsonNode> ready = new ArrayList<>();
            for (JsonNode app : cluster.apps(controller.adminUrl()).path("apps")) {
                for (JsonNode f : app.path("functions")) {
                    if (f.path("id").asText().equals(functionId)) {
                        f.path("containers").forEach(c -> {
                            if (c.path("state").asText().equals(state)) {
                                ready.add(c);
                            }
                        });
                    }
                }
            }
            return ready;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
