package dev.ferry.routing;

import static dev.ferry.routing.ContainerLogsContract.line;
import static dev.ferry.routing.ContainerLogsContract.texts;
import static dev.ferry.routing.Samples.app;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.request.protocol.FunctionId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Redis that asks for more than an address: an ACL user with a password, and TLS with a
 * certificate that a private CA signed. Both servers are real {@code redis-server}s; the CA
 * and certificates are made by {@code openssl} for this run.
 */
class RedisCredentialsAndTlsTest {

    private static final String USER = "ferry";
    private static final String PASSWORD = "Acl-s3cret-pw";

    @TempDir
    static Path certificates;

    static TestCa ca;
    static RedisServer acl; // plain TCP, ACL user "ferry", default user off
    static RedisServer tls; // TLS only, ACL user "ferry"

    @BeforeAll
    static void start() {
        ca = TestCa.create(certificates, "Ferry test CA");
        acl = RedisServer.builder().user(USER, PASSWORD).start();
        tls = RedisServer.builder()
                .user(USER, PASSWORD)
                .tls(ca.issue("redis", "IP:127.0.0.1,DNS:localhost"))
                .start();
    }

    @AfterAll
    static void stop() {
        for (RedisServer server : new RedisServer[] {acl, tls}) {
            if (server != null) {
                server.close();
            }
        }
    }

    @Test
    void anAclUserWithItsPasswordCanDeployReadAndFollowChanges() {
        assertThat(acl.uri()).isEqualTo("redis://ferry:" + PASSWORD + "@127.0.0.1:" + acl.port() + "/0");
        try (RoutingStore writer = RoutingStore.redis(acl.uri(), "acl");
                RoutingStore reader = RoutingStore.redis(acl.uri(), "acl");
                ContainerLogs logs = ContainerLogs.redis(acl.uri(), "acl")) {
            assertThat(writer.describe())
                    .isEqualTo("Redis at redis://ferry:***@127.0.0.1:" + acl.port() + "/0")
                    .doesNotContain(PASSWORD);

            writer.deploy(app("shop", "v1", "cart"));
            writer.putRoute("api.example.com", FunctionId.parse("shop--cart"));

            // The other store hears it by the change feed, which is a pub/sub connection of its own.
            Await.until(
                    Duration.ofSeconds(10),
                    () -> reader.app("shop").isPresent()
                            && reader.route("api.example.com").isPresent(),
                    "the deployment and the route, by the change feed");
            assertThat(reader.app("shop").orElseThrow().version()).isEqualTo("v1");
            assertThat(acl.redisCli("HEXISTS", "ferry:acl:apps", "shop")).isEqualTo("1");

            logs.append(List.of(line("shop", "cart", "hello")));
            assertThat(texts(logs.tail("shop", Optional.empty(), 10))).containsExactly("hello");

            // The rest of what a cluster does, all on ferry:* keys, which is all the user may touch.
            byte[] jar = {1, 2, 3};
            String digest = "a".repeat(64);
            writer.putJar(digest, jar);
            assertThat(reader.jar(digest))
                    .hasValueSatisfying(read -> assertThat(read).isEqualTo(jar));
            assertThat(writer.acquireLeadership("controller-1", Duration.ofSeconds(10)))
                    .isTrue();
            assertThat(reader.acquireLeadership("controller-2", Duration.ofSeconds(10)))
                    .isFalse();
            writer.releaseLeadership("controller-1");
        }
    }

    @Test
    void aRefusedCredentialFailsTheOpenNamingRedisButNeverThePassword() {
        String address = "redis://ferry:***@127.0.0.1:" + acl.port() + "/0";
        try (LogCapture log = LogCapture.start()) {
            assertThatThrownBy(() -> RoutingStore.redis("redis://ferry:wrong-pw@127.0.0.1:" + acl.port(), "acl"))
                    .isInstanceOf(StoreUnavailableException.class)
                    .hasMessageStartingWith("Redis at " + address + " refused the credentials (user ferry): WRONGPASS")
                    .hasMessageNotContaining("wrong-pw");
            assertThatThrownBy(
                            () -> RoutingStore.redis("redis://nobody:" + PASSWORD + "@127.0.0.1:" + acl.port(), "acl"))
                    .isInstanceOf(StoreUnavailableException.class)
                    .hasMessageStartingWith("Redis at redis://nobody:***@127.0.0.1:" + acl.port()
                            + "/0 refused the credentials (user nobody): WRONGPASS")
                    .hasMessageNotContaining(PASSWORD);
            // No credentials at all, while the default user is off.
            assertThatThrownBy(() -> RoutingStore.redis("redis://127.0.0.1:" + acl.port(), "acl"))
                    .isInstanceOf(StoreUnavailableException.class)
                    .hasMessageStartingWith("Redis at redis://127.0.0.1:" + acl.port()
                            + "/0 wants credentials, and the URI has none: NOAUTH");
            assertThatThrownBy(() -> ContainerLogs.redis("redis://ferry:wrong-pw@127.0.0.1:" + acl.port(), "acl")
                            .tail("shop", Optional.empty(), 1))
                    .isInstanceOf(StoreUnavailableException.class)
                    .hasMessageContaining("Redis at " + address)
                    .hasMessageNotContaining("wrong-pw");

            assertThat(log.lines())
                    .isNotEmpty() // Lettuce's DEBUG says much about a failed connect
                    .noneMatch(l -> l.contains("wrong-pw") || l.contains(PASSWORD));
        }
    }

    @Test
    void tlsWithThePrivateCaAndAPasswordWorks() {
        RedisEndpoint endpoint = RedisEndpoint.builder(tls.uri())
                .trustedCertificates(ca.certificate())
                .build();
        assertThat(endpoint.toString())
                .isEqualTo("rediss://ferry:***@127.0.0.1:" + tls.port() + "/0 (trusting " + ca.certificate() + ")");
        try (RoutingStore writer = RoutingStore.redis(endpoint, "tls");
                RoutingStore reader = RoutingStore.redis(endpoint, "tls");
                ContainerLogs logs = ContainerLogs.redis(endpoint, "tls")) {
            assertThat(writer.describe()).isEqualTo("Redis at rediss://ferry:***@127.0.0.1:" + tls.port() + "/0");
            writer.deploy(app("shop", "v1", "cart"));
            Await.until(Duration.ofSeconds(10), () -> reader.app("shop").isPresent(), "the deployment, over TLS");
            assertThat(tls.redisCli("HEXISTS", "ferry:tls:apps", "shop")).isEqualTo("1");
            logs.append(List.of(line("shop", "cart", "over tls")));
            assertThat(texts(logs.tail("shop", Optional.empty(), 10))).containsExactly("over tls");
        }
    }

    @Test
    void tlsWithoutTheCaFailsTheHandshakeNamingRedis() {
        try (LogCapture log = LogCapture.start()) {
            assertThatThrownBy(() -> RoutingStore.redis(tls.uri(), "tls"))
                    .isInstanceOf(StoreUnavailableException.class)
                    .hasMessageStartingWith(
                            "Redis at rediss://ferry:***@127.0.0.1:" + tls.port() + "/0 failed the TLS handshake: ")
                    .hasMessageContaining("PKIX")
                    .hasMessageContaining("not signed by a CA this process trusts")
                    .hasMessageNotContaining(PASSWORD);
            assertThat(log.lines()).isNotEmpty().noneMatch(l -> l.contains(PASSWORD));
        }
    }

    @Test
    void aCertificateForAnotherHostIsRefused() throws Exception {
        TestCa other = TestCa.create(Files.createDirectories(certificates.resolve("other")), "Other CA");
        // Trust the CA, but the server's certificate is for another name.
        try (RedisServer elsewhere = RedisServer.builder()
                .tls(ca.issue("elsewhere", "DNS:redis.elsewhere.example"))
                .start()) {
            assertThatThrownBy(() -> RoutingStore.redis(
                            RedisEndpoint.builder(elsewhere.uri())
                                    .trustedCertificates(ca.certificate())
                                    .build(),
                            "tls"))
                    .isInstanceOf(StoreUnavailableException.class)
                    .hasMessageStartingWith(
                            "Redis at rediss://127.0.0.1:" + elsewhere.port() + "/0 failed the TLS handshake: ")
                    .hasMessageContaining("127.0.0.1");
        }
        // A CA that did not sign the server's certificate is no help either.
        assertThatThrownBy(() -> RoutingStore.redis(
                        RedisEndpoint.builder(tls.uri())
                                .trustedCertificates(other.certificate())
                                .build(),
                        "tls"))
                .isInstanceOf(StoreUnavailableException.class)
                .hasMessageContaining("failed the TLS handshake: ")
                .hasMessageContaining("PKIX");
    }

    @Test
    void plainRedisToATlsPortFailsPromptly() {
        long start = System.nanoTime();
        assertThatThrownBy(() -> RoutingStore.redis("redis://ferry:" + PASSWORD + "@127.0.0.1:" + tls.port(), "tls"))
                .isInstanceOf(StoreUnavailableException.class)
                .hasMessageStartingWith("Redis at redis://ferry:***@127.0.0.1:" + tls.port() + "/0 is unreachable: ")
                .hasMessageEndingWith("(if it speaks only TLS, use rediss://)")
                .hasMessageNotContaining(PASSWORD);
        // Bounded by the connect and command timeouts (2 s each), not a hang.
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void caCertificatesAreCheckedAtOpen() throws Exception {
        assertThatThrownBy(() -> RoutingStore.redis(
                        RedisEndpoint.builder(acl.uri())
                                .trustedCertificates(ca.certificate())
                                .build(),
                        "acl"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Redis CA certificates: " + ca.certificate() + " (expected: a rediss:// URI")
                .hasMessageNotContaining(PASSWORD);
        Path missing = certificates.resolve("missing.pem");
        assertThatThrownBy(() -> RoutingStore.redis(
                        RedisEndpoint.builder(tls.uri())
                                .trustedCertificates(missing)
                                .build(),
                        "tls"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Redis CA certificates: " + missing + " (expected: a readable PEM file");
        Path garbage = Files.writeString(certificates.resolve("garbage.pem"), "not a certificate\n");
        assertThatThrownBy(() -> RoutingStore.redis(
                        RedisEndpoint.builder(tls.uri())
                                .trustedCertificates(garbage)
                                .build(),
                        "tls"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Redis CA certificates: " + garbage + " (expected: a readable PEM file");
    }

    /**
     * Every log record written meanwhile by any logger (JUL's root), down to DEBUG (FINE), the
     * level {@code FERRY_LOG_LEVEL=DEBUG,io.lettuce=DEBUG} gives. Lettuce's TRACE writes the bytes it
     * sends, AUTH and its password included: that level is not asked of it.
     */
    private static final class LogCapture extends Handler implements AutoCloseable {
        private final List<String> lines = new CopyOnWriteArrayList<>();
        private final Logger root = Logger.getLogger("");
        private final Level rootLevel = root.getLevel();

        static LogCapture start() {
            LogCapture capture = new LogCapture();
            capture.setLevel(Level.FINE);
            capture.root.addHandler(capture);
            capture.root.setLevel(Level.FINE);
            return capture;
        }

        List<String> lines() {
            return lines;
        }

        @Override
        public void publish(LogRecord record) {
            if (!isLoggable(record)) {
                return;
            }
            String message = record.getMessage();
            if (record.getParameters() != null) {
                for (Object parameter : record.getParameters()) {
                    message += " " + parameter;
                }
            }
            lines.add(message + (record.getThrown() == null ? "" : " " + record.getThrown()));
        }

        @Override
        public void flush() {}

        @Override
        public void close() {
            root.removeHandler(this);
            root.setLevel(rootLevel);
        }
    }
}
