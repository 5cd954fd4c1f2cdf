package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.quic.QuicConnectionCloseEvent;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** HTTP/3 over QUIC on the HTTPS port number, with Netty's HTTP/3 client. */
@ExtendWith(FerryStackExtension.class)
class Http3EndToEndTest {

    /** RFC 9114 section 8.1: a frame received on a stream where it is not permitted. */
    private static final int H3_FRAME_UNEXPECTED = 0x105;

    @Test
    void servesRequestsWhoseScopeSaysVersion3(FerryStack stack) throws Exception {
        try (H3Client client = new H3Client(
                stack.dev.httpsPort(),
                stack.dev.localCertificates().orElseThrow().authority())) {
            H2cClient.Response response = client.send("POST", "testapp--scope.localhost", "/h3?q=1", "over quic")
                    .get(30, TimeUnit.SECONDS);

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.body())
                    .contains("http_version=3\n", "scheme=https\n", "path=/h3\n", "body=over quic\n")
                    .doesNotContain("x-http2-");
        }
    }

    @Test
    void carriesConcurrentStreamsAndTrailers(FerryStack stack) throws Exception {
        try (H3Client client = new H3Client(
                stack.dev.httpsPort(),
                stack.dev.localCertificates().orElseThrow().authority())) {
            List<CompletableFuture<H2cClient.Response>> hellos = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                hellos.add(client.send("GET", "examples--hello.localhost", "/", ""));
            }
            for (CompletableFuture<H2cClient.Response> hello : hellos) {
                assertThat(hello.get(30, TimeUnit.SECONDS).body()).isEqualTo("Hello from Ferry!\n");
            }
            assertThat(client.send("GET", "testapp--trailers.localhost", "/", "")
                            .get(30, TimeUnit.SECONDS))
                    .isEqualTo(new H2cClient.Response(200, "body", "abc123"));
        }
    }

    @Test
    void aFrameNotAllowedOnARequestStreamClosesTheConnectionWithH3FrameUnexpected(FerryStack stack) throws Exception {
        try (H3Client client = new H3Client(
                stack.dev.httpsPort(),
                stack.dev.localCertificates().orElseThrow().authority())) {
            client.sendRaw(new byte[] {0x04, 0x00}); // SETTINGS, empty: only the control stream may carry it

            QuicConnectionCloseEvent close = client.peerClose().get(30, TimeUnit.SECONDS);
            assertThat(close.isApplicationClose()).isTrue();
            assertThat(close.error()).isEqualTo(H3_FRAME_UNEXPECTED);
        }
    }

    @Test
    void datagramsThatAreNotQuicAreDroppedAndServiceGoesOn(FerryStack stack) throws Exception {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            byte[] junk = new byte[1200];
            new Random(7).nextBytes(junk);
            for (byte[] datagram :
                    List.of(junk, new byte[] {0x40}, new byte[] {(byte) 0xc0, 0, 0, 0, 1}, new byte[0])) {
                socket.send(new DatagramPacket(
                        datagram, datagram.length, InetAddress.getLoopbackAddress(), stack.dev.httpsPort()));
            }
        }
        try (H3Client client = new H3Client(
                stack.dev.httpsPort(),
                stack.dev.localCertificates().orElseThrow().authority())) {
            assertThat(client.send("GET", "examples--hello.localhost", "/", "")
                            .get(30, TimeUnit.SECONDS)
                            .status())
                    .isEqualTo(200);
        }
    }

    @Test
    void tcpResponsesAdvertiseHttp3(FerryStack stack) throws Exception {
        try (HttpClient client = stack.tlsClient(HttpClient.Version.HTTP_2)) {
            HttpResponse<String> response = client.send(
                    HttpRequest.newBuilder(stack.httpsUri("examples--hello", "/"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(response.headers().firstValue("alt-svc"))
                    .contains("h3=\":" + stack.dev.httpsPort() + "\"; ma=86400");
        }
    }
}
