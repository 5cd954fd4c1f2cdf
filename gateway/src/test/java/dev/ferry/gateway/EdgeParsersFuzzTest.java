package dev.ferry.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ferry.request.protocol.FunctionId;
import dev.ferry.request.protocol.HttpScope;
import dev.ferry.request.protocol.WebSocketScope;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;

/**
 * Coverage-guided fuzzing of what the edge reads from a client before any function runs: a
 * request head as Netty's codec parses it, the Host that names the function ({@link HostRoute}),
 * and the ASGI scope made of it ({@link HttpScopeEncoder}). The encoder either returns a scope
 * that carries every header, or refuses the target with an {@link IllegalArgumentException}
 * (a 400); the host either names a function or none; nothing else is thrown.
 *
 * <p>One fuzz test for the module, because Jazzer fuzzes one per JVM; see {@code docs/fuzzing.md}.
 */
class EdgeParsersFuzzTest {

    private static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.2", 40000);
    private static final InetSocketAddress SERVER = new InetSocketAddress("127.0.0.1", 8080);

    /** Pieces of a request head, which random bytes would take long to hit. */
    @DictionaryEntries({
        "GET ",
        "POST /",
        " HTTP/1.1",
        " HTTP/1.0",
        "Host: ",
        "app--fn.localhost:8080",
        "Sec-WebSocket-Protocol: ",
        "Transfer-Encoding: chunked",
        "x-http2-stream-id: 3",
        "%",
        "?",
        "#",
        "[::1]:"
    })
    @FuzzTest(maxDuration = "3s")
    void requestHeadsBecomeScopesOrRefusals(FuzzedDataProvider data) {
        String domain = data.consumeBoolean() ? "localhost" : data.consumeAsciiString(20);
        boolean http2 = data.consumeBoolean();
        boolean secure = data.consumeBoolean();
        String head;
        if (data.consumeInt(0, 9) == 0) {
            head = data.consumeRemainingAsString();
        } else {
            // A request line and header lines, each any text: the fuzzer need not find CRLF itself.
            StringBuilder lines = new StringBuilder(data.consumeString(200)).append("\r\n");
            for (int i = data.consumeInt(0, 6); i > 0; i--) {
                lines.append(data.consumeString(100)).append("\r\n");
            }
            head = lines.append("\r\n").toString();
        }

        hostRoute(head, domain);
        HttpRequest request = decode(head.getBytes(StandardCharsets.ISO_8859_1));
        if (request == null) {
            return;
        }
        String host = request.headers().get(HttpHeaderNames.HOST);
        if (host != null) {
            hostRoute(host, domain);
        }
        String version = http2 ? "2" : null;
        try {
            HttpScope scope = HttpScopeEncoder.encode(request, secure ? "https" : "http", version, CLIENT, SERVER);
            // Every header the client sent; on HTTP/2, less those Netty adds when it makes the stream HTTP objects.
            long sent = request.headers().entries().stream()
                    .filter(h -> !(http2 && h.getKey().toLowerCase(Locale.ROOT).startsWith("x-http2-")))
                    .count();
            assertThat(scope.getHeadersCount()).isEqualTo(sent);
            assertThat(scope.getMethod()).isEqualTo(request.method().name());
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).as("message of %s", e).contains("(expected: ");
        }
        try {
            WebSocketScope scope = HttpScopeEncoder.encodeWebSocket(request, secure, version, CLIENT, SERVER);
            assertThat(scope.getSubprotocolsList()).allMatch(p -> !p.isBlank());
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).as("message of %s", e).contains("(expected: ");
        }
    }

    /** A host names a function only as {@code <app>--<function>.<domain>}, with any case, port or final dot. */
    private static void hostRoute(String host, String domain) {
        Optional<FunctionId> function = HostRoute.parse(host, domain);
        if (function.isPresent()) {
            assertThat(host.toLowerCase(Locale.ROOT)).startsWith(function.get().toString() + ".");
        }
    }

    /** The request Netty's codec makes of {@code head}, or null when it makes none or refuses it. */
    private static HttpRequest decode(byte[] head) {
        EmbeddedChannel channel = new EmbeddedChannel(new HttpServerCodec());
        try {
            channel.writeInbound(Unpooled.wrappedBuffer(head));
            Object first = channel.readInbound();
            HttpRequest request = null;
            if (first instanceof HttpRequest r && r.decoderResult().isSuccess()) {
                request = r;
            }
            ReferenceCountUtil.release(first);
            for (Object rest; (rest = channel.readInbound()) != null; ) {
                ReferenceCountUtil.release(rest);
            }
            return request;
        } finally {
            channel.finishAndReleaseAll();
        }
    }
}
