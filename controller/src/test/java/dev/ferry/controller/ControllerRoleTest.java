package dev.ferry.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.function.runtime.TestJars;
import dev.ferry.routing.ContainerLogs;
import dev.ferry.routing.RoutingStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The controller role's builder: each option checked at build, named with its value; defaults; nothing runs before start. */
class ControllerRoleTest {

    @TempDir
    Path home;

    private final RoutingStore store = RoutingStore.inMemory();
    private final ContainerLogs logs = ContainerLogs.inMemory();

    @AfterEach
    void close() {
        logs.close();
        store.close();
    }

    private ControllerRole.Builder required() {
        return ControllerRole.builder()
                .store(store)
                .id("controller-test")
                .home(home)
                .functionUrls(f -> "http://" + f + ".test/")
                .logs(logs);
    }

    @Test
    void buildNamesTheOptionThatCannotWork() {
        assertThatThrownBy(() -> required().store(null).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("store: null (expected: ");
        assertThatThrownBy(() -> required().id(null).build())
                .hasMessageStartingWith("id: null (expected: this controller's id");
        assertThatThrownBy(() -> required().home(null).build())
                .hasMessage("home: null (expected: the Ferry home directory)");
        assertThatThrownBy(() -> required().adminPort(65536).build())
                .hasMessage("adminPort: 65536 (expected: 0-65535)");
        assertThatThrownBy(() -> required().functionUrls(null).build())
                .hasMessage("functionUrls: null (expected: what makes a function's public URL)");
        assertThatThrownBy(() -> required().logs(null).build())
                .hasMessage("logs: null (expected: the ContainerLogs the admin API serves)");
    }

    @Test
    void aBuiltRoleRunsNothingUntilStarted() {
        ControllerRole role = required().build();

        assertThatThrownBy(role::adminPort)
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("controller controller-test: not started (expected: start() first)");
        assertThat(Thread.getAllStackTraces().keySet())
                .extracting(Thread::getName)
                .doesNotContain("ferry-controller-controller-test");
        role.close();
    }

    @Test
    void byDefaultServesTheAdminApiOnLoopbackAndDeploysWithNothingAfter() throws Exception {
        try (ControllerRole role = required().adminPort(0).build().start();
                HttpClient client = HttpClient.newHttpClient()) {
            role.deploy(
                    TestJars.jar(home.resolve("build/logsapp.jar"), LogsApp.NAME, LogsApp.class),
                    Optional.empty(),
                    "logsapp.jar");

            HttpResponse<String> apps = client.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + role.adminPort() + "/v1/apps"))
                            .header(
                                    "Authorization",
                                    "Bearer "
                                            + role.bootstrapToken()
                                                    .orElseThrow()
                                                    .secret())
                            .build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(apps.statusCode()).isEqualTo(200);
            assertThat(apps.body()).contains("\"url\":\"http://logsapp--say.test/\"");
            assertThatThrownBy(role::start)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("controller controller-test: started already (expected: one start)");
        }
    }
}
