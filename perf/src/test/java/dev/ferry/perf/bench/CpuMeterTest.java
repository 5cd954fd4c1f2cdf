package dev.ferry.perf.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Against real processes (a shell that spins, one that sleeps), through a target that is only their list. */
class CpuMeterTest {

    private final List<Process> started = new ArrayList<>();

    @TempDir
    Path logs;

    @AfterEach
    void stop() throws Exception {
        for (Process p : started) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private ProcessHandle start(String script) throws Exception {
        Process p = new ProcessBuilder("/bin/sh", "-c", script)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        started.add(p);
        return p.toHandle();
    }

    private ProcessHandle spinning() throws Exception {
        // Builtins only (a forked child's CPU would go to the shell's cutime, not counted), and
        // bounded: about 30 s on a 2-core machine, should the test JVM die before it is stopped.
        return start("i=0; while [ $i -lt 12000000 ]; do i=$((i+1)); done");
    }

    private ProcessHandle sleeping() throws Exception {
        return start("exec sleep 30");
    }

    /** A target whose candidates are {@code candidates} (as they are at each call) and of which {@code counted} count. */
    private static final class Listed implements Target {
        final List<ProcessHandle> candidates = new ArrayList<>();
        final List<ProcessHandle> counted = new ArrayList<>();

        @Override
        public String name() {
            return "listed";
        }

        @Override
        public int port(Protocol protocol) {
            return 0;
        }

        @Override
        public Optional<Route> route(Endpoint endpoint) {
            return Optional.empty();
        }

        @Override
        public List<ProcessHandle> cpuCandidates() {
            return List.copyOf(candidates);
        }

        @Override
        public Map<Long, String> cpuProcesses(List<ProcessHandle> candidates) {
            Map<Long, String> roles = new LinkedHashMap<>();
            for (ProcessHandle p : counted) {
                if (candidates.contains(p)) {
                    roles.put(p.pid(), "counted " + p.pid());
                }
            }
            return roles;
        }

        @Override
        public void close() {}
    }

    private static void pause(long millis) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(millis));
    }

    @Test
    void countsTheCpuOfTheProcessesThatCountPerRequest() throws Exception {
        Listed target = new Listed();
        ProcessHandle spinning = spinning();
        ProcessHandle sleeping = sleeping();
        target.candidates.addAll(List.of(spinning, sleeping));
        target.counted.addAll(List.of(spinning, sleeping));

        CpuMeter meter = CpuMeter.start(target);
        pause(600);
        CpuMeter.Use use = meter.stop(1_000);

        assertThat(use.ticks()).isPositive(); // a spinning shell, even on a busy machine
        assertThat(use.processes()).containsOnlyKeys(spinning.pid(), sleeping.pid());
        assertThat(use.microsPerRequest()).isCloseTo(use.ticks() * 1e6 / use.ticksPerSecond() / 1_000, offset(1e-6));
        assertThat(use.seconds()).isLessThan(1.0); // one spinning process for 0.6 s, with slack
    }

    @Test
    void aCandidateThatDoesNotCountAddsNothing() throws Exception {
        Listed target = new Listed();
        ProcessHandle spinning = spinning();
        ProcessHandle sleeping = sleeping();
        target.candidates.addAll(List.of(spinning, sleeping));
        target.counted.add(sleeping);

        CpuMeter meter = CpuMeter.start(target);
        pause(300);
        CpuMeter.Use use = meter.stop(10);

        assertThat(use.ticks()).isZero();
        assertThat(use.processes()).containsOnlyKeys(sleeping.pid());
        assertThat(use.microsPerRequest()).isZero();
        assertThat(meter.stop(0).microsPerRequest()).isNaN();
    }

    @Test
    void aProcessThatStartedDuringTheRunCountsWithAllItsTicks() throws Exception {
        Listed target = new Listed();
        ProcessHandle sleeping = sleeping();
        target.candidates.add(sleeping);
        target.counted.add(sleeping);

        CpuMeter meter = CpuMeter.start(target);
        ProcessHandle spinning = spinning(); // as a container the autoscaler adds mid-run
        target.candidates.add(spinning);
        target.counted.add(spinning);
        pause(600);
        CpuMeter.Use use = meter.stop(100);

        assertThat(use.processes()).containsOnlyKeys(sleeping.pid(), spinning.pid());
        assertThat(use.ticks()).isPositive();
    }

    @Test
    void ferryCountsThePortsOfHellosContainersOnly() throws Exception {
        var apps = new ObjectMapper().readTree("""
                {"apps": [
                  {"name": "examples", "version": "v2", "functions": [
                    {"name": "hello", "id": "examples--hello", "containers": [
                      {"version": "v2", "state": "READY", "address": "127.0.0.1:40001"},
                      {"version": "v1", "state": "STOPPING", "address": "127.0.0.1:40002"},
                      {"version": "v2", "state": "UNPLACED", "address": ""},
                      {"version": "v2", "state": "PENDING", "address": "127.0.0.1:0"}
                    ]},
                    {"name": "sse", "id": "examples--sse", "containers": [
                      {"version": "v2", "state": "READY", "address": "127.0.0.1:40003"}
                    ]}
                  ]},
                  {"name": "other", "version": "v1", "functions": [
                    {"name": "hello", "containers": [{"state": "READY", "address": "127.0.0.1:40004"}]}
                  ]}
                ]}
                """);

        assertThat(FerryTarget.containerPorts(apps, "examples", "hello")).containsExactly(40001, 40002);
        assertThat(FerryTarget.containerPorts(apps, "examples", "ws")).isEmpty();
    }

    @Test
    void aProxysCpuCountsItsOwnProcessesAndItsBackends() throws Exception {
        try (ProcessTarget backend = new ProcessTarget("direct", sleep(logs, "direct"), 1, 1) {};
                ProcessTarget proxy = new ProcessTarget("nginx", sleep(logs, "nginx"), 2, 2, backend) {}) {
            List<ProcessHandle> candidates = proxy.cpuCandidates();

            assertThat(candidates)
                    .extracting(ProcessHandle::pid)
                    .containsExactly(proxy.process().pid(), backend.process().pid());
            assertThat(proxy.cpuProcesses(candidates))
                    .containsExactly(
                            Map.entry(proxy.process().pid(), "nginx: sleep"),
                            Map.entry(backend.process().pid(), "backend (direct): sleep"));
            assertThat(backend.cpuProcesses(backend.cpuCandidates()))
                    .containsExactly(Map.entry(backend.process().pid(), "direct: sleep"));
        }
        assertThat(ProcessTarget.title(Long.MAX_VALUE)).isEqualTo("(command line unreadable)");
    }

    private static Processes.Child sleep(Path logs, String name) throws Exception {
        return Processes.launch(List.of("sleep", "30"), logs, logs.resolve(name + ".log"))
                .start(Duration.ofSeconds(10));
    }
}
