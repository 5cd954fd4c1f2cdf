package dev.ferry.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The reasons people read, for each way a container ends. */
class ContainerExitTest {

    private static final ContainerLimits LIMITED = ContainerLimits.of(0, 256, 0);
    private static final Duration START = Duration.ofSeconds(60);
    private static final Duration GRACE = Duration.ofSeconds(10);

    @Test
    void exitOnItsOwnGivesTheCode() {
        ContainerExit exit = exit(3, 0, false, false, false, false);

        assertThat(exit).isEqualTo(new ContainerExit(3, 0, false, false, false, "exited with code 3"));
        assertThat(exit.failed()).isTrue();
        assertThat(exit(0, 0, false, false, false, false).failed()).isFalse();
    }

    @Test
    void signalIsNamed() {
        assertThat(exit(137, 0, false, false, false, false).reason()).isEqualTo("killed by signal 9 (SIGKILL)");
        assertThat(exit(139, 0, false, false, false, false).reason()).isEqualTo("killed by signal 11 (SIGSEGV)");
        assertThat(exit(168, 0, false, false, false, false).reason()).isEqualTo("killed by signal 40");
        assertThat(exit(137, 0, false, false, false, false).signal()).isEqualTo(9);
        assertThat(exit(255, 0, false, false, false, false).signal()).isZero();
    }

    @Test
    void outOfMemoryNeedsAKillAndACount() {
        ContainerExit oom = exit(137, 1, false, false, false, false);

        assertThat(oom.reason()).isEqualTo("out of memory (limit 256 MiB)");
        assertThat(oom.outOfMemory()).isTrue();
        // a child of the container was killed for memory; the JVM went on and exited itself
        assertThat(exit(1, 2, false, false, false, false).outOfMemory()).isFalse();
        assertThat(ContainerProcess.exitOf(137, 1, ContainerLimits.NONE, false, START, false, false, false, GRACE)
                        .reason())
                .isEqualTo("out of memory (no limit of its own: the machine ran out)");
    }

    @Test
    void whatTheWorkerDidComesFirst() {
        assertThat(exit(137, 0, true, false, false, false).reason()).isEqualTo("not ready within 60 s");
        assertThat(exit(137, 0, true, false, false, false).startTimedOut()).isTrue();
        assertThat(exit(0, 0, false, true, false, false).reason()).isEqualTo("stopped");
        assertThat(exit(143, 0, false, true, false, false).reason()).isEqualTo("stopped");
        assertThat(exit(1, 0, false, true, false, false).reason()).isEqualTo("stopped (exited with code 1)");
        assertThat(exit(137, 0, false, true, false, true).reason())
                .isEqualTo("stopped (killed after the 10 s stop grace)");
        assertThat(exit(137, 0, false, false, true, false).reason()).isEqualTo("killed on request");
        assertThat(exit(137, 0, false, false, true, false).requested()).isTrue();
        assertThat(exit(137, 0, false, false, true, false).failed()).isFalse();
    }

    @Test
    void durationsReadWithAUnit() {
        assertThat(ContainerProcess.spaced(Duration.ofSeconds(60))).isEqualTo("60 s");
        assertThat(ContainerProcess.spaced(Duration.ofMillis(1500))).isEqualTo("1.5 s");
        assertThat(ContainerProcess.spaced(Duration.ofMillis(250))).isEqualTo("250 ms");
    }

    private static ContainerExit exit(
            int code, long oomKills, boolean timedOut, boolean stop, boolean kill, boolean afterGrace) {
        return ContainerProcess.exitOf(code, oomKills, LIMITED, timedOut, START, stop, kill, afterGrace, GRACE);
    }
}
