package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.controller.LogsApp;
import dev.ferry.function.runtime.TestJars;
import dev.ferry.request.protocol.FunctionId;
import dev.ferry.routing.Await;
import dev.ferry.routing.ContainerInfo;
import dev.ferry.routing.ContainerState;
import dev.ferry.routing.RedisServer;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code ferry dev --redis URL}: container output goes through a Redis stream to the admin API, tail and follow. */
class LogsOnRedisTest {

    static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    @Timeout(120)
    void containerOutputReachesTheAdminApiThroughRedis() throws Exception {
        Path home = Files.createTempDirectory("ferry-logs-redis");
        try (RedisServer redis = RedisServer.start()) {
            try (DevStack stack = DevStackOnRedisTest.onRedis(redis, "logs-test", home)
                            .build()
                            .start();
                    HttpClient client = HttpClient.newBuilder()
                            .version(HttpClient.Version.HTTP_1_1)
                            .build()) {
                assertThat(stack.logs().describe()).isEqualTo("Redis at " + redis.uri());
                stack.deploy(
                        TestJars.jar(home.resolve("build/logsapp.jar"), LogsApp.NAME, LogsApp.class), Optional.empty());
                String admin = "http://127.0.0.1:" + stack.adminPort() + "/v1/logs/logsapp";
                String token = stack.adminToken().orElseThrow();

                assertThat(client.send(
                                        HttpRequest.newBuilder(URI.create("http://logsapp--say.localhost:"
                                                        + stack.httpPort() + "/?redis-1"))
                                                .build(),
                                        HttpResponse.BodyHandlers.ofString())
                                .statusCode())
                        .isEqualTo(200);
                ContainerInfo container = stack.store().containers().stream()
                        .filter(c -> c.function().equals(FunctionId.parse("logsapp--say"))
                                && c.state() == ContainerState.READY)
                        .findFirst()
                        .orElseThrow();
                String tags = " say " + container.id() + " " + container.worker() + " ";

                Await.until(
                        WAIT,
                        () -> body(client, token, admin + "?function=say").contains(tags + "stderr | err redis-1")
                                && body(client, token, admin + "?function=say").contains(tags + "stdout | out redis-1"),
                        "both lines, tagged");
                assertThat(container.worker()).startsWith("worker-dev-");
                assertThat(Long.parseLong(redis.redisCli("XLEN", "ferry:logs-test:logs:logsapp")))
                        .isGreaterThanOrEqualTo(2);

                HttpResponse<InputStream> follow = client.send(
                        HttpRequest.newBuilder(URI.create(admin + "?tail=0&follow=1"))
                                .header("Authorization", "Bearer " + token)
                                .build(),
                        HttpResponse.BodyHandlers.ofInputStream());
                try (BufferedReader lines =
                        new BufferedReader(new InputStreamReader(follow.body(), StandardCharsets.UTF_8))) {
                    client.send(
                            HttpRequest.newBuilder(URI.create(
                                            "http://logsapp--say.localhost:" + stack.httpPort() + "/?redis-2"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
                    String line;
                    do {
                        line = lines.readLine();
                    } while (line != null && line.isEmpty());
                    assertThat(line).contains(tags).endsWith(" redis-2").doesNotContain("redis-1");
                }
            }
        }
    }

    private static String body(HttpClient client, String token, String uri) {
        try {
            HttpResponse<String> response = client.send(
                    HttpRequest.newBuilder(URI.create(uri))
                            .header("Authorization", "Bearer " + token)
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            return response.body();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
