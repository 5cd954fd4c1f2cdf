package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.function.runtime.TestJars;
import java.math.BigInteger;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** HTTPS with the dev server's local certificate authority: ALPN, both HTTP versions, reissue and reload. */
@ExtendWith(FerryStackExtension.class)
class HttpsEndToEndTest {

    @Test
    void alpnNegotiatesHttp2AndTheScopeSaysHttps(FerryStack stack) throws Exception {
        try (HttpClient client = stack.tlsClient(HttpClient.Version.HTTP_2)) {
            HttpResponse<String> response = client.send(
                    HttpRequest.newBuilder(stack.httpsUri("testapp--scope", "/s?x=1"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_2);
            assertThat(response.body()).contains("http_version=2\n", "scheme=https\n", "path=/s\n", "query=x=1\n");
        }
    }

    @Test
    void http11OverTlsWorksForClientsThatAskForIt(FerryStack stack) throws Exception {
        try (HttpClient client = stack.tlsClient(HttpClient.Version.HTTP_1_1)) {
            HttpResponse<String> response = client.send(
                    HttpRequest.newBuilder(stack.httpsUri("testapp--scope", "/"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
            assertThat(response.body()).contains("http_version=1.1\n", "scheme=https\n");
        }
    }

    @Test
    void aDeployedAppIsServedWithACertificateForItsHosts(FerryStack stack) throws Exception {
        Path jar = TestJars.jar(stack.home.resolve("build/tls-app.jar"), "tls-app", TestApp.class);
        stack.dev.deploy(jar, Optional.empty());

        try (HttpClient client = stack.tlsClient(HttpClient.Version.HTTP_2)) {
            HttpResponse<String> response = client.send(
                    HttpRequest.newBuilder(stack.httpsUri("tls-app--boom", "/ok"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(response.body()).isEqualTo("still serving");
            X509Certificate served =
                    (X509Certificate) response.sslSession().orElseThrow().getPeerCertificates()[0];
            List<String> names = served.getSubjectAlternativeNames().stream()
                    .map(name -> String.valueOf(name.get(1)))
                    .toList();
            assertThat(names).contains("localhost", "tls-app--boom.localhost", "examples--hello.localhost");
        }
    }

    @Test
    void newConnectionsGetAReplacedCertificateWithoutARestart(FerryStack stack) throws Exception {
        BigInteger before = servedSerial(stack);

        // As a user replacing the files would: written to disk, picked up by the gateway's watch.
        stack.dev
                .localCertificates()
                .orElseThrow()
                .issue(List.of("examples--hello.localhost", "testapp--scope.localhost"));

        FerryStack.await("new connections to present the new certificate", () -> {
            try {
                return !servedSerial(stack).equals(before);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        stack.dev.reissueCertificate(); // every host again, for the tests after this one
    }

    private static BigInteger servedSerial(FerryStack stack) throws Exception {
        try (HttpClient client = stack.tlsClient(HttpClient.Version.HTTP_1_1)) {
            HttpResponse<String> response = client.send(
                    HttpRequest.newBuilder(stack.httpsUri("examples--hello", "/"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            return ((X509Certificate) response.sslSession().orElseThrow().getPeerCertificates()[0]).getSerialNumber();
        }
    }
}
