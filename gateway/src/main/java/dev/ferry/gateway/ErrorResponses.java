package dev.ferry.gateway;

import dev.ferry.request.protocol.CallError;
import dev.ferry.request.protocol.CallErrors;
import dev.ferry.request.protocol.ErrorCode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/**
 * The gateway's own error responses: the status of the error's code and a one-line
 * plain-text reason that is safe to show a client. Stateless and thread-safe.
 */
final class ErrorResponses {

    /** Seconds a client is told to wait before retrying after a 503, unless the caller says. */
    static final int RETRY_AFTER_SECONDS = 1;

    private ErrorResponses() {}

    static FullHttpResponse of(ByteBufAllocator alloc, ErrorCode code, String detail, boolean keepAlive) {
        return of(alloc, CallErrors.of(code, detail), keepAlive);
    }

    static FullHttpResponse of(ByteBufAllocator alloc, CallError error, boolean keepAlive) {
        return of(alloc, error, keepAlive, RETRY_AFTER_SECONDS);
    }

    /** As {@link #of(ByteBufAllocator, CallError, boolean)}; a 503 says Retry-After {@code retryAfterSeconds}. */
    static FullHttpResponse of(ByteBufAllocator alloc, CallError error, boolean keepAlive, int retryAfterSeconds) {
        int status = CallErrors.httpStatus(error.getCode());
        byte[] text = (CallErrors.clientMessage(error) + "\n").getBytes(StandardCharsets.UTF_8);
        ByteBuf body = alloc.buffer(text.length).writeBytes(text);
        FullHttpResponse response =
                new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status), body);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN + "; charset=utf-8")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, text.length)
                .set("x-ferry-error", error.getCode().name().toLowerCase(java.util.Locale.ROOT));
        if (error.getCode() == ErrorCode.NO_CAPACITY) {
            response.headers().setInt(HttpHeaderNames.RETRY_AFTER, retryAfterSeconds);
        }
        if (error.getCode() == ErrorCode.UNAUTHENTICATED) {
            response.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, EndpointAuth.CHALLENGE);
        }
        HttpUtil.setKeepAlive(response, keepAlive);
        return response;
    }
}
