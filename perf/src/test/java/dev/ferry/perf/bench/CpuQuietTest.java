package dev.ferry.perf.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Against real processes: one that waits on its input, one that spins. */
class CpuQuietTest {

    private static boolean awaitQuiet(List<String> command, Duration limit) throws Exception {
        Process p = new ProcessBuilder(command).start();
        try {
            return CpuQuiet.await(() -> List.of(p.toHandle()), limit);
        } finally {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aProcessThatWaitsIsQuietAfterOneWindow() throws Exception {
        assertThat(awaitQuiet(List.of("/bin/sh", "-c", "read line"), Duration.ofSeconds(10)))
                .isTrue();
    }

    @Test
    void aProcessThatSpinsIsNotQuietByTheLimit() throws Exception {
        assertThat(awaitQuiet(List.of("/bin/sh", "-c", "while :; do :; done"), Duration.ofSeconds(1)))
                .isFalse();
    }
}
