package dev.ferry.gateway;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A plain-socket HTTP/1.1 and WebSocket client for gateway tests: it sends any Host header
 * (function hosts need not resolve) and reads exactly what the gateway wrote.
 */
final class RawHttp {

    private RawHttp() {}

    /** A response: its status, headers by lower-case name, and its body (de-chunked). */
    record Response(int status, Map<String, String> headers, String body) {}

    /** Sends one request with {@code Connection: close} and reads the whole response. */
    static Response send(int port, String host, String method, String path, String body) throws IOException {
        try (Socket socket = open(port, host, method, path, body)) {
            return read(socket.getInputStream());
        }
    }

    /** As {@link #send(int, String, String, String, String)}, with more header lines ({@code "Name: value"}). */
    static Response send(int port, String host, String method, String path, String body, String... headers)
            throws IOException {
        try (Socket socket = open(port, host, method, path, body, headers)) {
            return read(socket.getInputStream());
        }
    }

    /** Sends one request and leaves the connection open, its response unread. */
    static Socket open(int port, String host, String method, String path, String body, String... headers)
            throws IOException {
        Socket socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(60_000);
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        OutputStream out = socket.getOutputStream();
        StringBuilder more = new StringBuilder();
        for (String header : headers) {
            more.append(header).append("\r\n");
        }
        out.write((method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\nContent-Length: " + bytes.length + "\r\n"
                        + more + "Connection: close\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        out.write(bytes);
        out.flush();
        return socket;
    }

    static Response read(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(in);
        String status = line(data);
        Map<String, String> headers = new TreeMap<>();
        for (String header = line(data); !header.isEmpty(); header = line(data)) {
            int colon = header.indexOf(':');
            headers.put(
                    header.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                    header.substring(colon + 1).trim());
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            for (int size = Integer.parseInt(line(data).trim(), 16);
                    size > 0;
                    size = Integer.parseInt(line(data).trim(), 16)) {
                body.write(data.readNBytes(size));
                line(data);
            }
        } else if (headers.containsKey("content-length")) {
            body.write(data.readNBytes(Integer.parseInt(headers.get("content-length"))));
        } else {
            body.write(data.readAllBytes());
        }
        return new Response(Integer.parseInt(status.split(" ")[1]), headers, body.toString(StandardCharsets.UTF_8));
    }

    private static String line(DataInputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new IOException("connection closed after \"" + line + "\"");
            }
            if (b != '\r') {
                line.append((char) b);
            }
        }
        return line.toString();
    }

    /** A WebSocket opened with an RFC 6455 upgrade; text messages under 126 bytes only. */
    static final class WebSocket implements AutoCloseable {
        private final Socket socket;
        private final DataInputStream in;
        final int status;

        WebSocket(int port, String host, String path) throws IOException {
            socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(60_000);
            socket.getOutputStream()
                    .write(("GET " + path + " HTTP/1.1\r\nHost: " + host
                                    + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                    + "Sec-WebSocket-Version: 13\r\n\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1));
            in = new DataInputStream(socket.getInputStream());
            String statusLine = line(in);
            status = Integer.parseInt(statusLine.split(" ")[1]);
            while (!line(in).isEmpty()) {
                // headers
            }
        }

        void send(String text) throws IOException {
            byte[] payload = text.getBytes(StandardCharsets.UTF_8);
            byte[] mask = new byte[4];
            ThreadLocalRandom.current().nextBytes(mask);
            ByteArrayOutputStream frame = new ByteArrayOutputStream();
            frame.write(0x81);
            frame.write(0x80 | payload.length);
            frame.write(mask);
            for (int i = 0; i < payload.length; i++) {
                frame.write(payload[i] ^ mask[i % 4]);
            }
            socket.getOutputStream().write(frame.toByteArray());
        }

        String receive() throws IOException {
            int opcode = in.readUnsignedByte() & 0x0f;
            int length = in.readUnsignedByte() & 0x7f;
            String text = new String(in.readNBytes(length), StandardCharsets.UTF_8);
            if (opcode != 1) {
                throw new IOException("frame opcode " + opcode + " (expected: 1, text)");
            }
            return text;
        }

        /** A close frame from the gateway: its status code and its reason as it came (UTF-8 bytes). */
        record Close(int code, byte[] reason) {
            String reasonText() {
                return new String(reason, StandardCharsets.UTF_8);
            }
        }

        /** Reads the next frame, which must be a close (payload under 126 bytes, as every close is). */
        Close receiveClose() throws IOException {
            int opcode = in.readUnsignedByte() & 0x0f;
            int length = in.readUnsignedByte() & 0x7f;
            byte[] payload = in.readNBytes(length);
            if (opcode != 8) {
                throw new IOException("frame opcode " + opcode + " (expected: 8, close)");
            }
            int code = ((payload[0] & 0xff) << 8) | (payload[1] & 0xff);
            return new Close(code, java.util.Arrays.copyOfRange(payload, 2, payload.length));
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
