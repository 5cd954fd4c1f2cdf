package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * curl, the client users reach for first, against a real stack: HTTP/1.1, HTTP/2 by prior
 * knowledge, by upgrade and over TLS. {@code ./ferry test} installs curl where it is missing.
 */
@ExtendWith(FerryStackExtension.class)
class CurlEndToEndTest {

    /** Runs curl with {@code args}; returns its output, "<body>|<http_version>". */
    private static String curl(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "--max-time", "30", "-w", "|%{http_version}"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        return output;
    }

    @Test
    void http11(FerryStack stack) throws Exception {
        assertThat(curl("--http1.1", "http://examples--hello.localhost:" + stack.port() + "/"))
                .isEqualTo("Hello from Ferry!\n|1.1");
    }

    @Test
    void http2WithPriorKnowledge(FerryStack stack) throws Exception {
        assertThat(curl("--http2-prior-knowledge", "http://examples--hello.localhost:" + stack.port() + "/"))
                .isEqualTo("Hello from Ferry!\n|2");
    }

    @Test
    void http2ByUpgrade(FerryStack stack) throws Exception {
        assertThat(curl("--http2", "http://examples--hello.localhost:" + stack.port() + "/"))
                .isEqualTo("Hello from Ferry!\n|2");
    }

    @Test
    void http2OverTlsTrustingTheLocalAuthority(FerryStack stack) throws Exception {
        String ca = stack.dev.localCertificates().orElseThrow().authority().toString();

        assertThat(curl("--cacert", ca, "https://examples--hello.localhost:" + stack.dev.httpsPort() + "/"))
                .isEqualTo("Hello from Ferry!\n|2");
    }

    @Test
    void uploadsAndStreamsBackWithHttp2(FerryStack stack) throws Exception {
        assertThat(curl(
                        "--http2-prior-knowledge",
                        "--data-binary",
                        "ferry",
                        "http://examples--echo.localhost:" + stack.port() + "/"))
                .isEqualTo("ferry|2");
    }
}
