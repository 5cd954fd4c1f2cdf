package dev.ferry.gateway;

import com.google.protobuf.ByteString;
import dev.ferry.request.protocol.Address;
import dev.ferry.request.protocol.Header;
import dev.ferry.request.protocol.HttpScope;
import dev.ferry.request.protocol.RequestTargets;
import dev.ferry.request.protocol.WebSocketScope;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** Turns a Netty {@link HttpRequest} into the ASGI HTTP scope. Stateless and thread-safe. */
final class HttpScopeEncoder {

    private HttpScopeEncoder() {}

    /** The ASGI extension for response trailers, which the gateway supports. */
    static final String TRAILERS_EXTENSION = "http.response.trailers";

    /** Headers Netty adds when it turns an HTTP/2 stream into HTTP objects; not the client's. */
    private static final AsciiString HTTP2_EXTENSION_PREFIX = AsciiString.of("x-http2-");

    /** The scope of an HTTP/1.x {@code request}; see {@link #encode(HttpRequest, String, String, SocketAddress, SocketAddress)}. */
    static HttpScope encode(HttpRequest request, String scheme, SocketAddress client, SocketAddress server) {
        return encode(request, scheme, null, client, server);
    }

    /**
     * The scope of {@code request}, received on a connection from {@code client} to {@code server}.
     *
     * @param httpVersion the version to report ("2" for an HTTP/2 stream), or null for the request's own
     * @throws IllegalArgumentException when the request target is malformed (a 400)
     */
    static HttpScope encode(
            HttpRequest request, String scheme, String httpVersion, SocketAddress client, SocketAddress server) {
        return encode(request, scheme, httpVersion, address(client), address(server));
    }

    /**
     * As {@link #encode(HttpRequest, String, String, SocketAddress, SocketAddress)}, with the
     * connection's ends already made into {@link Address}es (null: not an IP address), as a
     * connection does once for all its requests.
     */
    static HttpScope encode(HttpRequest request, String scheme, String httpVersion, Address client, Address server) {
        RequestTargets.Parts target = RequestTargets.split(request.uri());
        HttpScope.Builder scope = HttpScope.newBuilder()
                .setHttpVersion(httpVersion != null ? httpVersion : version(request.protocolVersion()))
                .setMethod(request.method().name())
                .setScheme(scheme)
                .setPath(target.path())
                .setRawPath(ByteString.copyFrom(target.rawPath()))
                .setQueryString(ByteString.copyFrom(target.queryString()))
                .setRootPath("");
        scope.addAllHeaders(headers(request, httpVersion != null));
        // Trailers reach the client on HTTP/2 and on chunked HTTP/1.1 responses.
        scope.addExtensions(TRAILERS_EXTENSION);
        if (client != null) {
            scope.setClient(client);
        }
        if (server != null) {
            scope.setServer(server);
        }
        return scope.build();
    }

    /**
     * The ASGI websocket scope of an RFC 6455 upgrade {@code request}: scheme "ws" or "wss",
     * with the subprotocols the client offered.
     *
     * @throws IllegalArgumentException when the request target is malformed (a 400)
     */
    static WebSocketScope encodeWebSocket(
            HttpRequest request, boolean secure, SocketAddress client, SocketAddress server) {
        return encodeWebSocket(request, secure, null, client, server);
    }

    /** As {@link #encodeWebSocket(HttpRequest, boolean, SocketAddress, SocketAddress)}; {@code httpVersion} "2" for RFC 8441. */
    static WebSocketScope encodeWebSocket(
            HttpRequest request, boolean secure, String httpVersion, SocketAddress client, SocketAddress server) {
        RequestTargets.Parts target = RequestTargets.split(request.uri());
        WebSocketScope.Builder scope = WebSocketScope.newBuilder()
                .setHttpVersion(httpVersion != null ? httpVersion : version(request.protocolVersion()))
                .setScheme(secure ? "wss" : "ws")
                .setPath(target.path())
                .setRawPath(ByteString.copyFrom(target.rawPath()))
                .setQueryString(ByteString.copyFrom(target.queryString()))
                .setRootPath("")
                .addAllHeaders(headers(request, httpVersion != null));
        for (String offered : request.headers().getAll(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL)) {
            for (String protocol : offered.split(",")) {
                if (!protocol.isBlank()) {
                    scope.addSubprotocols(protocol.trim());
                }
            }
        }
        Address clientAddress = address(client);
        if (clientAddress != null) {
            scope.setClient(clientAddress);
        }
        Address serverAddress = address(server);
        if (serverAddress != null) {
            scope.setServer(serverAddress);
        }
        return scope.build();
    }

    private static List<Header> headers(HttpRequest request, boolean fromHttp2) {
        List<Header> headers = new ArrayList<>(request.headers().size());
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it =
                        request.headers().iteratorCharSequence();
                it.hasNext(); ) {
            Map.Entry<CharSequence, CharSequence> header = it.next();
            AsciiString name = AsciiString.of(header.getKey()).toLowerCase();
            if (fromHttp2 && name.startsWith(HTTP2_EXTENSION_PREFIX)) {
                continue;
            }
            headers.add(Header.newBuilder()
                    .setName(latin1(name))
                    .setValue(latin1(header.getValue()))
                    .build());
        }
        return headers;
    }

    private static String version(HttpVersion version) {
        if (version.majorVersion() == 1) {
            if (version.minorVersion() == 1) {
                return "1.1";
            }
            if (version.minorVersion() == 0) {
                return "1.0";
            }
        }
        return version.majorVersion() + "." + version.minorVersion();
    }

    /** {@code address} as the scope's {@code client} or {@code server}; null when it is not an IP address. */
    static Address address(SocketAddress address) {
        return address instanceof InetSocketAddress inet
                ? Address.newBuilder()
                        .setHost(inet.getAddress().getHostAddress())
                        .setPort(inet.getPort())
                        .build()
                : null;
    }

    private static ByteString latin1(CharSequence chars) {
        if (chars instanceof AsciiString ascii) {
            return ByteString.copyFrom(ascii.array(), ascii.arrayOffset(), ascii.length());
        }
        byte[] bytes = new byte[chars.length()];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) chars.charAt(i);
        }
        return ByteString.copyFrom(bytes);
    }
}
