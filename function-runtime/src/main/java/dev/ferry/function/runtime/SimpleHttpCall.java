package dev.ferry.function.runtime;

import com.google.protobuf.ByteString;
import dev.ferry.request.protocol.CallStart;
import dev.ferry.request.protocol.Header;
import dev.ferry.request.protocol.HttpResponseStart;
import dev.ferry.request.protocol.ServerEvent;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

/** Runs an {@link HttpHandler} over the low-level events of one call. */
final class SimpleHttpCall {

    private static final ByteString CONTENT_LENGTH = ByteString.copyFromUtf8("content-length");

    private SimpleHttpCall() {}

    static void run(HttpHandler handler, CallStart scope, Receive receive, Send send) throws Exception {
        if (!scope.hasHttp()) {
            throw new IllegalStateException("HttpHandler got a " + scope.getScopeCase() + " call; it serves HTTP only");
        }
        Request request = new Request(scope.getHttp(), new RequestBodyStream(receive));
        Response response = handler.handle(request);
        if (response == null) {
            throw new IllegalStateException(handler.getClass().getName() + ".handle returned null");
        }
        boolean streaming = response.streamingBody() != null;
        HttpResponseStart.Builder start = HttpResponseStart.newBuilder().setStatus(response.status());
        boolean hasLength = false;
        for (Map.Entry<String, String> header : response.headers()) {
            String name = header.getKey().toLowerCase(Locale.ROOT);
            hasLength |= name.equals("content-length");
            start.addHeaders(Header.newBuilder()
                    .setName(ByteString.copyFrom(name, StandardCharsets.ISO_8859_1))
                    .setValue(ByteString.copyFrom(header.getValue(), StandardCharsets.UTF_8)));
        }
        if (!streaming && !hasLength) {
            start.addHeaders(Header.newBuilder()
                    .setName(CONTENT_LENGTH)
                    .setValue(ByteString.copyFromUtf8(Integer.toString(response.body().length))));
        }
        send.send(ServerEvent.newBuilder().setHttpResponseStart(start).build());
        ResponseStream out = new ResponseStream(send);
        if (streaming) {
            response.streamingBody().writeTo(out);
            out.close(); // only on success: a body cut short by an exception must not look complete
        } else {
            out.writeLast(response.body());
        }
    }
}
