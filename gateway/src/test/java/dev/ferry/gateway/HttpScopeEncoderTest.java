package dev.ferry.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.request.protocol.Header;
import dev.ferry.request.protocol.HttpScope;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Requests parsed by Netty's real codec, then turned into the ASGI scope. */
class HttpScopeEncoderTest {

    private static HttpRequest decode(String raw) {
        EmbeddedChannel channel = new EmbeddedChannel(new HttpServerCodec());
        channel.writeInbound(Unpooled.copiedBuffer(raw, StandardCharsets.ISO_8859_1));
        HttpRequest request = channel.readInbound();
        Object rest;
        while ((rest = channel.readInbound()) != null) {
            ReferenceCountUtil.release(rest);
        }
        channel.finishAndReleaseAll();
        return request;
    }

    private static String text(com.google.protobuf.ByteString bytes) {
        return bytes.toString(StandardCharsets.ISO_8859_1);
    }

    @Test
    void carriesTheWholeScope() {
        HttpRequest request = decode(
                "PUT /a%20b/c?x=1&y=%41 HTTP/1.1\r\nHost: app--fn.localhost:8080\r\n" + "Content-Length: 0\r\n\r\n");

        HttpScope scope = HttpScopeEncoder.encode(
                request, "http", new InetSocketAddress("127.0.0.2", 40000), new InetSocketAddress("127.0.0.1", 8080));

        assertThat(scope.getHttpVersion()).isEqualTo("1.1");
        assertThat(scope.getMethod()).isEqualTo("PUT");
        assertThat(scope.getScheme()).isEqualTo("http");
        assertThat(scope.getPath()).isEqualTo("/a b/c");
        assertThat(text(scope.getRawPath())).isEqualTo("/a%20b/c");
        assertThat(text(scope.getQueryString())).isEqualTo("x=1&y=%41");
        assertThat(scope.getRootPath()).isEmpty();
        assertThat(scope.getClient().getHost()).isEqualTo("127.0.0.2");
        assertThat(scope.getClient().getPort()).isEqualTo(40000);
        assertThat(scope.getServer().getHost()).isEqualTo("127.0.0.1");
        assertThat(scope.getServer().getPort()).isEqualTo(8080);
    }

    @Test
    void keepsHeaderOrderAndDuplicatesWithLowerCaseNames() {
        HttpRequest request =
                decode("GET / HTTP/1.1\r\nHost: h\r\nX-B: 1\r\nAccept: a\r\nx-b: 2\r\nX-Value: Mixed Case\r\n\r\n");

        List<Header> headers =
                HttpScopeEncoder.encode(request, "http", null, null).getHeadersList();

        assertThat(headers)
                .extracting(h -> text(h.getName()) + "=" + text(h.getValue()))
                .containsExactly("host=h", "x-b=1", "accept=a", "x-b=2", "x-value=Mixed Case");
    }

    @Test
    void leavesClientAndServerOutWhenUnknown() {
        HttpScope scope = HttpScopeEncoder.encode(decode("GET / HTTP/1.0\r\n\r\n"), "http", null, null);

        assertThat(scope.hasClient()).isFalse();
        assertThat(scope.hasServer()).isFalse();
        assertThat(scope.getHttpVersion()).isEqualTo("1.0");
    }

    @Test
    void rejectsAMalformedPath() {
        HttpRequest request = decode("GET /bad%zz HTTP/1.1\r\nHost: h\r\n\r\n");

        assertThatThrownBy(() -> HttpScopeEncoder.encode(request, "http", null, null))
                .hasMessageContaining("'%' followed by two hex digits");
    }

    @Test
    void netty_marksGarbageAsAFailedDecode() {
        EmbeddedChannel channel = new EmbeddedChannel(new HttpServerCodec());
        channel.writeInbound(Unpooled.copiedBuffer("\u0001\u0002 garbage\r\n\r\n", StandardCharsets.ISO_8859_1));
        HttpRequest request = channel.readInbound();

        assertThat(request.decoderResult().isFailure()).isTrue();
        Object rest = channel.readInbound();
        if (rest instanceof LastHttpContent last) {
            last.release();
        }
        channel.finishAndReleaseAll();
    }
}
