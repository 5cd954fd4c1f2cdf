package dev.ferry.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ContainerEnvironmentTest {

    @Test
    void aSandboxedContainerGetsTheWorkersLocaleAndLogLevelButNoSecrets() {
        Map<String, String> worker = Map.of(
                "LANG",
                "de_DE.UTF-8",
                "FERRY_LOG_LEVEL",
                "DEBUG",
                "REDIS_PASSWORD",
                "hunter2",
                "PATH",
                "/opt/worker/bin");

        Map<String, String> env = ContainerEnvironment.sandboxed(worker, Map.of("APP_MODE", "test"));

        assertThat(env)
                .containsExactlyInAnyOrderEntriesOf(Map.of(
                        "PATH",
                        ContainerEnvironment.SANDBOX_PATH,
                        "HOME",
                        "/tmp",
                        "LANG",
                        "de_DE.UTF-8",
                        "FERRY_LOG_LEVEL",
                        "DEBUG",
                        "APP_MODE",
                        "test"));
    }
}
