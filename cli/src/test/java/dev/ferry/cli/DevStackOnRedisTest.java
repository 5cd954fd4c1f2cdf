package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.examples.Hello;
import dev.ferry.function.runtime.TestJars;
import dev.ferry.routing.RedisServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@code ferry dev --redis URL}: every role in one process, with the cluster's state in a real Redis. */
class DevStackOnRedisTest {

    /** A dev stack whose state is in {@code redis} under {@code cluster}, on free ports, with containers of the test class path. */
    static DevStack.Builder onRedis(RedisServer redis, String cluster, Path home) {
        return DevStack.builder()
                .gateway(gateway -> gateway.httpPort(0).httpsPort(0).queueTimeout(Duration.ofSeconds(30)))
                .home(home)
                .runtimeClasspath(TestJars.runtimeClasspath(DevStackOnRedisTest.class, Hello.class))
                .redis(redis.uri())
                .cluster(cluster);
    }

    @Test
    void theDevStackKeepsItsStateInRedisAndServesFromIt() throws Exception {
        Path home = Files.createTempDirectory("ferry-dev-redis");
        try (RedisServer redis = RedisServer.start()) {
            try (DevStack stack = onRedis(redis, "dev-test", home).build().start();
                    HttpClient client = HttpClient.newBuilder()
                            .version(HttpClient.Version.HTTP_1_1)
                            .build()) {
                assertThat(stack.store().describe()).isEqualTo("Redis at " + redis.uri());
                stack.deploy(
                        TestJars.jar(home.resolve("build/examples.jar"), "examples", Hello.class), Optional.empty());

                HttpResponse<String> response = client.send(
                        HttpRequest.newBuilder(URI.create("http://examples--hello.localhost:" + stack.httpPort() + "/"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());

                assertThat(response.statusCode()).isEqualTo(200);
                assertThat(redis.redisCli("HEXISTS", "ferry:dev-test:apps", "examples"))
                        .isEqualTo("1");
                assertThat(redis.redisCli("HLEN", "ferry:dev-test:containers")).isEqualTo("1");
                assertThat(redis.redisCli("HKEYS", "ferry:dev-test:workers")).startsWith("worker-dev-");
            }
        }
    }
}
