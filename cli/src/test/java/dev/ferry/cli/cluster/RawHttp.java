package dev.ferry.cli.cluster;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A minimal HTTP/1.1 client on one keep-alive connection to a gateway on 127.0.0.1, which
 * sends any {@code Host} header (the JDK client refuses to), so tests reach functions and
 * custom routes through real host routing without DNS. Not thread-safe: one per thread.
 */
final class RawHttp implements AutoCloseable {

    /** A response: status, headers (lower-case names), body as UTF-8. */
    record Response(int status, Map<String, String> headers, String body) {
        @Override
        public String toString() {
            return status + " " + headers + " " + body.strip();
        }
    }

    private static final int MAX_LINE = 16 * 1024;
    private static final int MAX_BODY = 4 * 1024 * 1024;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private boolean open = true;

    RawHttp(int port) throws IOException {
        socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
            socket.setSoTimeout(30_000);
            socket.setTcpNoDelay(true);
            in = new BufferedInputStream(socket.getInputStream());
            out = socket.getOutputStream();
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /** One GET on a new connection, closed after. */
    static Response get(int port, String host, String path) throws IOException {
        try (RawHttp http = new RawHttp(port)) {
            return http.send(host, path);
        }
    }

    /** Whether the connection can carry another request. */
    boolean open() {
        return open && !socket.isClosed();
    }

    /** GET {@code path} with {@code Host: host} on this connection. */
    Response send(String host, String path) throws IOException {
        if (!open()) {
            throw new IOException("connection closed");
        }
        String head = "GET " + path + " HTTP/1.1\r\nHost: " + host
                + "\r\nUser-Agent: ferry-cluster-test\r\nAccept: */*\r\n\r\n";
        try {
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return read();
        } catch (IOException | RuntimeException e) {
            open = false;
            throw e;
        }
    }

    private Response read() throws IOException {
        String statusLine = line();
        if (!statusLine.startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP/1.x status line: " + statusLine);
        }
        int status = Integer.parseInt(statusLine.substring(9, 12));
        Map<String, String> headers = new LinkedHashMap<>();
        for (String line; !(line = line()).isEmpty(); ) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                headers.merge(
                        line.substring(0, colon).strip().toLowerCase(Locale.ROOT),
                        line.substring(colon + 1).strip(),
                        (a, b) -> a + ", " + b);
            }
        }
        byte[] body;
        String length = headers.get("content-length");
        if (status < 200 || status == 204 || status == 304) {
            body = new byte[0];
        } else if ("chunked".equalsIgnoreCase(headers.getOrDefault("transfer-encoding", ""))) {
            body = chunked();
        } else if (length != null) {
            int n = Integer.parseInt(length);
            if (n > MAX_BODY) {
                throw new IOException("body of " + n + " bytes");
            }
            body = in.readNBytes(n);
            if (body.length < n) {
                throw new EOFException("body ended after " + body.length + " of " + n + " bytes");
            }
        } else {
            body = in.readNBytes(MAX_BODY);
            open = false;
        }
        if ("close".equalsIgnoreCase(headers.getOrDefault("connection", "")) || statusLine.startsWith("HTTP/1.0")) {
            open = false;
        }
        if (!open) {
            socket.close();
        }
        return new Response(status, headers, new String(body, StandardCharsets.UTF_8));
    }

    private byte[] chunked() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = line();
            int semicolon = sizeLine.indexOf(';');
            int size = Integer.parseInt((semicolon >= 0 ? sizeLine.substring(0, semicolon) : sizeLine).strip(), 16);
            if (size == 0) {
                while (!line().isEmpty()) {
                    // trailers
                }
                return body.toByteArray();
            }
            if (body.size() + size > MAX_BODY) {
                throw new IOException("chunked body larger than " + MAX_BODY);
            }
            byte[] chunk = in.readNBytes(size);
            if (chunk.length < size) {
                throw new EOFException("chunk ended early");
            }
            body.write(chunk);
            if (!line().isEmpty()) {
                throw new IOException("no CRLF after a chunk");
            }
        }
    }

    private String line() throws IOException {
        StringBuilder line = new StringBuilder();
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed" + (line.isEmpty() ? "" : " after \"" + line + "\""));
            }
            if (b == '\n') {
                int end = line.length();
                if (end > 0 && line.charAt(end - 1) == '\r') {
                    line.setLength(end - 1);
                }
                return line.toString();
            }
            if (line.length() >= MAX_LINE) {
                throw new IOException("line longer than " + MAX_LINE);
            }
            line.append((char) b);
        }
    }

    @Override
    public void close() throws IOException {
        open = false;
        socket.close();
    }
}
