package dev.ferry.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.ferry.request.protocol.Header;
import dev.ferry.request.protocol.HttpResponseStart;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Response heads built from http.response.start, written by Netty's real encoder. */
class HttpResponseEncoderTest {

    private static HttpResponseStart start(int status, String... headers) {
        HttpResponseStart.Builder start = HttpResponseStart.newBuilder().setStatus(status);
        for (int i = 0; i < headers.length; i += 2) {
            start.addHeaders(Header.newBuilder()
                    .setName(ByteString.copyFromUtf8(headers[i]))
                    .setValue(ByteString.copyFromUtf8(headers[i + 1])));
        }
        return start.build();
    }

    private static String wire(HttpResponse response, String... chunks) {
        EmbeddedChannel channel = new EmbeddedChannel(new HttpResponseEncoder());
        channel.writeOutbound(response);
        for (int i = 0; i < chunks.length; i++) {
            ByteBuf bytes = Unpooled.copiedBuffer(chunks[i], StandardCharsets.UTF_8);
            channel.writeOutbound(
                    i == chunks.length - 1 ? new DefaultLastHttpContent(bytes) : new DefaultHttpContent(bytes));
        }
        StringBuilder out = new StringBuilder();
        ByteBuf buf;
        while ((buf = channel.readOutbound()) != null) {
            out.append(buf.toString(StandardCharsets.UTF_8));
            buf.release();
        }
        channel.finishAndReleaseAll();
        return out.toString();
    }

    @Test
    void streamsChunkedWhenTheFunctionGaveNoLength() {
        HttpResponse response = dev.ferry.gateway.HttpResponseEncoder.encode(
                start(200, "content-type", "text/plain"), HttpVersion.HTTP_1_1, true);

        assertThat(wire(response, "ab", "cde"))
                .isEqualTo("HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n"
                        + "transfer-encoding: chunked\r\n\r\n2\r\nab\r\n3\r\ncde\r\n0\r\n\r\n");
    }

    @Test
    void keepsTheFunctionsContentLength() {
        HttpResponse response = dev.ferry.gateway.HttpResponseEncoder.encode(
                start(201, "content-length", "5"), HttpVersion.HTTP_1_1, true);

        assertThat(wire(response, "hello")).isEqualTo("HTTP/1.1 201 Created\r\ncontent-length: 5\r\n\r\nhello");
    }

    @Test
    void dropsHopByHopHeadersTheFunctionSent() {
        HttpResponse response = dev.ferry.gateway.HttpResponseEncoder.encode(
                start(200, "Connection", "close", "Transfer-Encoding", "gzip", "x-kept", "yes", "content-length", "0"),
                HttpVersion.HTTP_1_1,
                true);

        assertThat(response.headers().names()).containsExactlyInAnyOrder("x-kept", "content-length");
    }

    @Test
    void closesHttp10ResponsesWithoutALength() {
        HttpResponse response = dev.ferry.gateway.HttpResponseEncoder.encode(start(200), HttpVersion.HTTP_1_0, true);

        assertThat(response.headers().contains("transfer-encoding")).isFalse();
        assertThat(response.headers().get("connection")).isNull();
    }

    @Test
    void saysCloseWhenTheClientWillNotKeepAlive() {
        HttpResponse response = dev.ferry.gateway.HttpResponseEncoder.encode(
                start(200, "content-length", "0"), HttpVersion.HTTP_1_1, false);

        assertThat(response.headers().get("connection")).isEqualTo("close");
    }

    @Test
    void rejectsAHeaderNameThatIsNotAToken() {
        assertThatThrownBy(() -> dev.ferry.gateway.HttpResponseEncoder.encode(
                        start(200, "bad name", "x"), HttpVersion.HTTP_1_1, true))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
