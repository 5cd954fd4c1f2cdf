package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** HTTP/2 without TLS (h2c) on the gateway's HTTP port: prior knowledge and upgrade. */
@ExtendWith(FerryStackExtension.class)
class Http2EndToEndTest {

    @Test
    void priorKnowledgeCarriesManyConcurrentStreamsOnOneConnection(FerryStack stack) throws Exception {
        try (H2cClient client = new H2cClient(stack.port())) {
            List<CompletableFuture<H2cClient.Response>> responses = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                responses.add(client.send("GET", "examples--hello.localhost", "/", ""));
            }
            for (CompletableFuture<H2cClient.Response> response : responses) {
                assertThat(response.get(30, TimeUnit.SECONDS))
                        .isEqualTo(new H2cClient.Response(200, "Hello from Ferry!\n"));
            }
        }
    }

    @Test
    void theScopeOfAnHttp2StreamSaysVersion2AndCarriesTheBody(FerryStack stack) throws Exception {
        try (H2cClient client = new H2cClient(stack.port())) {
            H2cClient.Response response = client.send("POST", "testapp--scope.localhost", "/p?q=1", "sent")
                    .get(30, TimeUnit.SECONDS);

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.body())
                    .contains("http_version=2\n", "method=POST\n", "path=/p\n", "query=q=1\n", "body=sent\n")
                    .doesNotContain("x-http2-");
        }
    }

    @Test
    void trailersArriveAfterTheBody(FerryStack stack) throws Exception {
        try (H2cClient client = new H2cClient(stack.port())) {
            H2cClient.Response response =
                    client.send("GET", "testapp--trailers.localhost", "/", "").get(30, TimeUnit.SECONDS);

            assertThat(response).isEqualTo(new H2cClient.Response(200, "body", "abc123"));
        }
    }

    @Test
    void aBlockedStreamDoesNotHoldUpTheOthers(FerryStack stack) throws Exception {
        try (H2cClient client = new H2cClient(stack.port())) {
            CompletableFuture<H2cClient.Response> held = client.send("GET", "testapp--hold.localhost", "/hold", "");
            FerryStack.await(
                    "the held stream in flight",
                    () -> ExamplesEndToEndTest.demand(stack, "testapp--hold").inFlight() == 1);

            assertThat(client.send("GET", "examples--hello.localhost", "/", "")
                            .get(30, TimeUnit.SECONDS)
                            .status())
                    .isEqualTo(200);
            assertThat(held).isNotDone();
        }
        // Closing the connection cancels the held call.
        FerryStack.await(
                "the held call cancelled",
                () -> ExamplesEndToEndTest.demand(stack, "testapp--hold").inFlight() == 0);
    }

    @Test
    void anUpgradeFromHttp11SwitchesTheConnectionToHttp2(FerryStack stack) throws Exception {
        try (HttpClient client =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build()) {
            HttpResponse<String> first = client.send(
                    stack.request("testapp--scope", "/first").build(), HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> second = client.send(
                    stack.request("testapp--scope", "/second").build(), HttpResponse.BodyHandlers.ofString());

            assertThat(first.statusCode()).isEqualTo(200);
            assertThat(first.version()).isEqualTo(HttpClient.Version.HTTP_2);
            assertThat(second.version()).isEqualTo(HttpClient.Version.HTTP_2);
            assertThat(second.body()).contains("http_version=2\n", "path=/second\n");
        }
    }
}
