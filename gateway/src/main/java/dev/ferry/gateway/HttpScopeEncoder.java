package dev.ferry.gateway;

import com.google.protobuf.ByteString;
import dev.ferry.request.protocol.Address;
import dev.ferry.request.protocol.Header;
import dev.ferry.request.protocol.HttpScope;
import dev.ferry.request.protocol.RequestTargets;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Iterator;
import java.util.Map;

/** Turns a Netty {@link HttpRequest} into the ASGI HTTP scope. Stateless and thread-safe. */
final class HttpScopeEncoder {

    private HttpScopeEncoder() {}

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
    static HttpScope encode(HttpRequest request, String scheme, String httpVersion, SocketAddress client, SocketAddress server) {
        RequestTargets.Parts target = RequestTargets.split(request.uri());
        HttpScope.Builder scope = HttpScope.newBuilder()
                .setHttpVersion(httpVersion != null ? httpVersion : version(request.protocolVersion()))
                .setMethod(request.method().name())
                .setScheme(scheme)
                .setPath(target.path())
                .setRawPath(ByteString.copyFrom(target.rawPath()))
                .setQueryString(ByteString.copyFrom(target.queryString()))
                .setRootPath("");
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = request.headers().iteratorCharSequence(); it.hasNext(); ) {
            Map.Entry<CharSequence, CharSequence> header = it.next();
            AsciiString name = AsciiString.of(header.getKey()).toLowerCase();
            if (httpVersion != null && name.startsWith(HTTP2_EXTENSION_PREFIX)) {
                continue;
            }
            scope.addHeaders(Header.newBuilder().setName(latin1(name)).setValue(latin1(header.getValue())));
        }
        if (client instanceof InetSocketAddress c) {
            scope.setClient(address(c));
        }
        if (server instanceof InetSocketAddress s) {
            scope.setServer(address(s));
        }
        return scope.build();
    }

    private static String version(HttpVersion version) {
        return version.majorVersion() + "." + version.minorVersion();
    }

    private static Address address(InetSocketAddress address) {
        return Address.newBuilder().setHost(address.getAddress().getHostAddress()).setPort(address.getPort()).build();
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
