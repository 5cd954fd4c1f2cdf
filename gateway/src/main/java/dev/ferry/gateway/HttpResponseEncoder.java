package dev.ferry.gateway;

import dev.ferry.request.protocol.Header;
import dev.ferry.request.protocol.HttpResponseStart;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.util.List;

/**
 * Turns {@code http.response.start} into a Netty {@link HttpResponse} for HTTP/1.x, choosing
 * the framing: the function's Content-Length when it gave one, else chunked (HTTP/1.1) or
 * close-delimited (HTTP/1.0). Stateless and thread-safe.
 */
final class HttpResponseEncoder {

    /** Framing and connection headers are the gateway's to set, never the function's. */
    private static final List<AsciiString> HOP_BY_HOP = List.of(
            HttpHeaderNames.CONNECTION,
            HttpHeaderNames.TRANSFER_ENCODING,
            HttpHeaderNames.KEEP_ALIVE,
            HttpHeaderNames.UPGRADE,
            HttpHeaderNames.PROXY_CONNECTION,
            HttpHeaderNames.TE,
            HttpHeaderNames.TRAILER);

    private HttpResponseEncoder() {}

    /**
     * The response head for {@code start}.
     *
     * @param keepAlive whether the client asked for (and the gateway allows) keep-alive
     * @throws IllegalArgumentException when the function sent an invalid header
     */
    static HttpResponse encode(HttpResponseStart start, HttpVersion version, boolean keepAlive) {
        HttpHeaders headers = new DefaultHttpHeaders(true);
        for (Header header : start.getHeadersList()) {
            AsciiString name = new AsciiString(header.getName().toByteArray(), false).toLowerCase();
            if (HOP_BY_HOP.contains(name)) {
                continue;
            }
            headers.add(name, new AsciiString(header.getValue().toByteArray(), false));
        }
        HttpResponse response =
                new DefaultHttpResponse(version, HttpResponseStatus.valueOf(start.getStatus()), headers);
        if (!headers.contains(HttpHeaderNames.CONTENT_LENGTH) && mayHaveBody(start.getStatus())) {
            if (version.equals(HttpVersion.HTTP_1_1)) {
                HttpUtil.setTransferEncodingChunked(response, true);
            } else {
                keepAlive = false; // HTTP/1.0 without a length: the body ends when we close
            }
        }
        HttpUtil.setKeepAlive(response, keepAlive);
        return response;
    }

    static boolean mayHaveBody(int status) {
        return status >= 200 && status != 204 && status != 304;
    }
}
