package dev.ferry.cli.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A controller's admin API beyond loopback: refused without TLS; over HTTPS with a certificate
 * from the local authority, the cluster's first admin token saved for its https URL, and
 * {@code ferry} commands that find both. Real processes, a real Redis.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdminTlsEndToEndTest {

    private ClusterProcesses cluster;

    @BeforeAll
    void start() throws Exception {
        cluster = ClusterProcesses.start();
    }

    @AfterAll
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aControllerOnANonLoopbackAddressWithoutTlsRefusesToStartSayingWhy() throws Exception {
        RoleProcess exposed = cluster.launch(
                "exposed",
                "controller",
                "--redis",
                cluster.redis.uri(),
                "--host",
                "0.0.0.0",
                "--admin-port",
                "0",
                "--id",
                "exposed",
                "--home",
                cluster.home("exposed").toString());
        assertThat(exposed.process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS))
                .isTrue();
        assertThat(exposed.process.exitValue()).isNotZero();
        exposed.awaitErr(
                Pattern.compile("adminHost: 0\\.0\\.0\\.0 is not a loopback address and the admin API has no TLS"),
                Duration.ofSeconds(10));
    }

    @Test
    void overLocalTlsTheCommandsFindTheTokenAndTrustTheAuthority() throws Exception {
        ClusterProcesses.Controller controller = cluster.controller(cluster.launch(
                "tls",
                "controller",
                "--redis",
                cluster.redis.uri(),
                "--admin-tls-local",
                "--admin-port",
                "0",
                "--id",
                "tls",
                "--home",
                cluster.home("tls").toString()));
        assertThat(controller.adminUrl()).startsWith("https://127.0.0.1:");

        ClusterProcesses.Run ls =
                cluster.ferry("ls", "--home", cluster.home("tls").toString());
        assertThat(ls.exitCode()).as(ls.err()).isZero();
        ClusterProcesses.Run tokens =
                cluster.ferry("token", "ls", "--home", cluster.home("tls").toString());
        assertThat(tokens.exitCode()).as(tokens.err()).isZero();
        assertThat(tokens.out()).contains("bootstrap-tls", "admin");
    }
}
