package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.routing.RedisServer;
import dev.ferry.routing.RoutingStore;
import dev.ferry.routing.TestCa;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code --redis} with a user, a password and TLS, and {@code --redis-ca}/{@code $FERRY_REDIS_CA}. */
class RedisSecurityOptionsTest {

    @TempDir
    Path dir;

    @Command(name = "store")
    static final class Holder {
        @Mixin
        StoreOptions store;
    }

    private static StoreOptions parse(Map<String, String> environment, String... args) {
        Holder holder = new Holder();
        new CommandLine(holder).parseArgs(args);
        holder.store.environment = environment::get;
        return holder.store;
    }

    @Test
    void aRoleConnectsToATlsRedisWithAUserTrustingTheCaOfRedisCa() throws Exception {
        TestCa ca = TestCa.create(dir, "Ferry test CA");
        try (RedisServer redis = RedisServer.builder()
                .user("ferry", "cli-s3cret")
                .tls(ca.issue("redis", "IP:127.0.0.1"))
                .start()) {
            StoreOptions options = parse(
                    Map.of(),
                    "--redis",
                    redis.uri(),
                    "--redis-ca",
                    ca.certificate().toString(),
                    "--redis-wait",
                    "0s");
            try (RoutingStore store = options.connect()) {
                assertThat(store.describe()).isEqualTo("Redis at rediss://ferry:***@127.0.0.1:" + redis.port() + "/0");
            }
            // The same CA, from the environment.
            StoreOptions fromEnvironment =
                    parse(Map.of(StoreOptions.CA_VARIABLE, ca.certificate().toString()), "--redis", redis.uri());
            assertThat(fromEnvironment.endpoint().trustedCertificates()).contains(ca.certificate());
            try (RoutingStore store = fromEnvironment.connect()) {
                assertThat(store.describe()).startsWith("Redis at rediss://");
            }

            // Without it, the JVM's trust store does not know the CA: the role says so, and gives up after its wait.
            CliTest.Run run = CliTest.ferry("worker", "--redis", redis.uri(), "--redis-wait", "1s", "--id", "w1");
            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.err())
                    .contains("ferry worker: Redis at rediss://ferry:***@127.0.0.1:" + redis.port()
                            + "/0 failed the TLS handshake: ")
                    .contains("not signed by a CA this process trusts")
                    .doesNotContain("cli-s3cret")
                    .doesNotContain("\tat ");
        }
    }

    @Test
    void aRoleNamesTheRedisThatRefusedItsCredentialsWithoutThePassword() {
        try (RedisServer redis = RedisServer.builder().user("ferry", "right-pw").start()) {
            CliTest.Run run = CliTest.ferry(
                    "gateway", "--redis", "redis://ferry:wrong-pw@127.0.0.1:" + redis.port(), "--redis-wait", "1s");
            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.err())
                    .contains("ferry gateway: Redis at redis://ferry:***@127.0.0.1:" + redis.port()
                            + "/0 refused the credentials (user ferry): WRONGPASS")
                    .doesNotContain("wrong-pw")
                    .doesNotContain("\tat ");
        }
    }

    @Test
    void redisCaIsForARedisOnly() {
        Path ca = dir.resolve("ca.pem");
        assertThatThrownBy(() -> parse(Map.of(), "--redis-ca", ca.toString()).endpoint())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--redis-ca: " + ca + " (expected: with --redis rediss://..., the Redis it is for)");
        // The variable alone is ignored without --redis: ferry dev keeps its in-memory store.
        assertThat(parse(Map.of(StoreOptions.CA_VARIABLE, ca.toString())).endpoint())
                .isNull();
        assertThat(parse(Map.of(), "--redis", "rediss://127.0.0.1:6380")
                        .endpoint()
                        .trustedCertificates())
                .isEmpty();
    }
}
