package dev.ferry.perf.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The benches' one way to start, watch and stop processes, with real processes: a launch that
 * is never ready fails with what a reader needs (command, status, what it waited for, the log)
 * and leaves nothing running.
 */
class ProcessesTest {

    @TempDir
    Path work;

    @Test
    void aLaunchWhoseProcessExitsFirstNamesItsCommandStatusAndLog() {
        Processes.Launch fails = Processes.launch(
                        List.of("sh", "-c", "echo about to fail; exit 3"), work, work.resolve("fails.log"))
                .readyOnLine("never printed");

        assertThatThrownBy(() -> fails.start(Duration.ofSeconds(20)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("`sh -c echo about to fail; exit 3`")
                .hasMessageContaining("exited with status 3 before a log line containing \"never printed\"")
                .hasMessageContaining("fails.log")
                .hasMessageContaining("    about to fail");
    }

    @Test
    void aLaunchThatIsNotReadyInTimeIsStoppedAndSaysWhatItWaitedFor() throws IOException {
        int port = Processes.freeLoopbackPort();
        Set<Long> before = runningDescendants();
        Processes.Launch sleeps = Processes.launch(List.of("sleep", "60"), work, work.resolve("sleeps.log"))
                .readyOnPort(port);

        assertThatThrownBy(() -> sleeps.start(Duration.ofMillis(300)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("`sleep 60`")
                .hasMessageContaining(
                        "timed out after 300 ms waiting for port 127.0.0.1:" + port + " to accept connections")
                .hasMessageContaining("(empty)");
        assertThat(runningDescendants())
                .as("the sleep and its watchdog, stopped")
                .isSubsetOf(before);
    }

    @Test
    void aLaunchIsReadyOnceEverySignHasShownInTurn() throws IOException {
        Path log = work.resolve("signs.log");
        List<String> probed = new ArrayList<>();
        Processes.Launch launch = Processes.launch(
                        List.of("sh", "-c", "echo first; echo second; exec sleep 60"), work, log)
                .readyOnLine("first")
                .readyWhen(() -> "the probe", () -> {
                    String text = Files.readString(log);
                    probed.add(text);
                    return text.contains("second");
                });

        List<ProcessHandle> processes;
        try (Processes.Child child = launch.start(Duration.ofSeconds(20))) {
            assertThat(child.isAlive()).isTrue();
            assertThat(probed)
                    .as("the probe, asked after the line showed")
                    .first()
                    .asString()
                    .contains("first");
            processes = child.processTree();
        }
        assertThat(processes).noneMatch(ProcessHandle::isAlive);
    }

    @Test
    void aProcessRunToItsEndGivesItsStatusAndOneThatRunsOnIsStopped() throws IOException {
        try (Processes.Child child = Processes.launch(List.of("sh", "-c", "exit 4"), work, work.resolve("exits.log"))
                .start(Duration.ofSeconds(20))) {
            assertThat(child.awaitExit(Duration.ofSeconds(20))).isEqualTo(4);
        }
        Set<Long> before = runningDescendants();
        try (Processes.Child child = Processes.launch(List.of("sleep", "60"), work, work.resolve("runs-on.log"))
                .start(Duration.ofSeconds(20))) {
            assertThatThrownBy(() -> child.awaitExit(Duration.ofMillis(200)))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("`sleep 60`")
                    .hasMessageContaining("still running after 200 ms (expected: to exit)");
            assertThat(child.isAlive()).isFalse();
        }
        assertThat(runningDescendants()).isSubsetOf(before);
    }

    @Test
    void aStopFinishesWhenTheStoppingThreadIsInterrupted() throws IOException {
        // As when a test's timeout interrupts a bench that then stops what it started.
        Processes.Child child = Processes.launch(
                        List.of("sh", "-c", "trap '' TERM; echo ignoring TERM; while :; do sleep 0.1; done"),
                        work,
                        work.resolve("ignores-term.log"))
                .readyOnLine("ignoring TERM")
                .start(Duration.ofSeconds(20));
        List<ProcessHandle> processes = child.processTree();

        Thread.currentThread().interrupt();
        try {
            child.stop();
        } finally {
            assertThat(Thread.interrupted())
                    .as("the interrupt, kept for the caller")
                    .isTrue();
        }
        assertThat(processes).noneMatch(ProcessHandle::isAlive);
    }

    @Test
    void stopAllStopsTheLastStartedFirstAndEveryOneWhenOneFails() {
        List<String> stopped = new ArrayList<>();
        AutoCloseable backend = () -> stopped.add("backend");
        AutoCloseable stuck = () -> {
            stopped.add("stuck");
            throw new IllegalStateException("stuck: left processes [42] running after SIGKILL");
        };
        AutoCloseable proxy = () -> stopped.add("proxy");

        assertThatThrownBy(() -> Processes.stopAll(List.of(backend, stuck, proxy)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("stuck: left processes [42] running after SIGKILL");
        assertThat(stopped).containsExactly("proxy", "stuck", "backend");
    }

    @Test
    void aVersionIsTheFirstLineTheToolPrintsOrSaysItIsMissing() {
        assertThat(RedisProcess.version()).matches("\\d+\\.\\d+\\.\\d+");
        assertThat(Processes.version("no-such-tool-ferry", "--version")).isEqualTo("(no-such-tool-ferry not found)");
    }

    @Test
    void aMissingExecutableFailsWithHowToInstallIt() {
        assertThatThrownBy(() -> Processes.executable("no-such-proxy-ferry", "apt-get install no-such-proxy-ferry"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("no-such-proxy-ferry: not found on PATH")
                .hasMessageContaining("apt-get install no-such-proxy-ferry");
    }

    /** The pids of this JVM's descendants that are running. */
    private static Set<Long> runningDescendants() {
        return ProcessHandle.current()
                .descendants()
                .filter(ProcessHandle::isAlive)
                .map(ProcessHandle::pid)
                .collect(Collectors.toSet());
    }
}
