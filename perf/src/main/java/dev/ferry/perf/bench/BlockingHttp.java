package dev.ferry.perf.bench;

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
import java.util.Locale;

/**
 * One keep-alive HTTP/1.1 connection to 127.0.0.1 with blocking reads: a request, then its
 * whole response (Content-Length or chunked), its status returned and its body dropped or
 * kept. A connection the server closes, or that breaks, is opened again by the next request.
 * For the tight polling loops of the route-propagation measure and the deploy row, where one
 * thread per connection is the simplest and most precise clock. Not thread-safe.
 */
final class BlockingHttp implements AutoCloseable {

    /** A response: its status and its body as UTF-8 text (at most {@link #MAX_BODY} bytes of it). */
    record Answer(int status, String body) {}

    private static final int TIMEOUT_MILLIS = 10_000;
    /** The most of a body {@link #fetch} keeps: the bench's probes answer a line. */
    static final int MAX_BODY = 64 * 1024;

    private final int port;
    private final int timeoutMillis;
    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private final StringBuilder line = new StringBuilder();

    /** A connection to 127.0.0.1:{@code port} whose connect and reads time out after 10 s. */
    BlockingHttp(int port) {
        this(port, TIMEOUT_MILLIS);
    }

    /** A connection to 127.0.0.1:{@code port} whose connect and reads time out after {@code timeoutMillis}. */
    BlockingHttp(int port, int timeoutMillis) {
        if (timeoutMillis < 1) {
            throw new IllegalArgumentException("timeoutMillis: " + timeoutMillis + " (expected: > 0)");
        }
        this.port = port;
        this.timeoutMillis = timeoutMillis;
    }

    /** {@code GET path} with {@code Host: host}, as bytes to send again and again. */
    static byte[] get(String host, String path) {
        return ("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: ferry-bench\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    /** {@link #get(String, String)} with {@code Authorization: Bearer <token>}. */
    static byte[] get(String host, String path, BearerToken token) {
        return ("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: ferry-bench\r\nAuthorization: "
                        + token.bearer() + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Sends {@code request} (from {@link #get}) and reads the response.
     *
     * @return the response's status
     * @throws IOException when the connection cannot be made or breaks; the next call reconnects
     */
    int send(byte[] request) throws IOException {
        return exchange(request, null);
    }

    /**
     * Sends {@code request} (from {@link #get}) and reads the response, keeping the first
     * {@link #MAX_BODY} bytes of its body.
     *
     * @throws IOException when the connection cannot be made or breaks; the next call reconnects
     */
    Answer fetch(byte[] request) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        int status = exchange(request, body);
        return new Answer(status, body.toString(StandardCharsets.UTF_8));
    }

    /** One request and its response; the body goes to {@code body}, or is dropped when that is null. */
    private int exchange(byte[] request, ByteArrayOutputStream body) throws IOException {
        try {
            if (socket == null) {
                connect();
            }
            out.write(request);
            out.flush();
            return readResponse(body);
        } catch (IOException e) {
            close();
            throw e;
        }
    }

    private void connect() throws IOException {
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), timeoutMillis);
            s.setSoTimeout(timeoutMillis);
            in = new BufferedInputStream(s.getInputStream(), 16 * 1024);
            out = s.getOutputStream();
            socket = s;
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    private int readResponse(ByteArrayOutputStream body) throws IOException {
        String statusLine = readLine();
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP/1.x status line: \"" + statusLine + "\"");
        }
        int status;
        try {
            status = Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            throw new IOException("not an HTTP/1.x status line: \"" + statusLine + "\"");
        }
        long length = -1;
        boolean chunked = false;
        boolean close = parts[0].equals("HTTP/1.0");
        for (String header; !(header = readLine()).isEmpty(); ) {
            int colon = header.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String name = header.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = header.substring(colon + 1).trim().toLowerCase(Locale.ROOT);
            switch (name) {
                case "content-length" -> length = Long.parseLong(value);
                case "transfer-encoding" -> chunked = value.contains("chunked");
                case "connection" -> close = value.contains("close") || (close && !value.contains("keep-alive"));
                default -> {}
            }
        }
        if (chunked) {
            while (true) {
                String size = readLine();
                int semicolon = size.indexOf(';');
                long n = Long.parseLong((semicolon >= 0 ? size.substring(0, semicolon) : size).trim(), 16);
                if (n == 0) {
                    while (!readLine().isEmpty()) {
                        // trailers
                    }
                    break;
                }
                skip(n, body);
                readLine();
            }
        } else if (length >= 0) {
            skip(length, body);
        } else if (status >= 200 && status != 204 && status != 304) {
            close = true; // the body runs to the end of the connection
            for (int b; (b = in.read()) >= 0; ) {
                if (body != null && body.size() < MAX_BODY) {
                    body.write(b);
                }
            }
        }
        if (close) {
            close();
        }
        return status;
    }

    private String readLine() throws IOException {
        line.setLength(0);
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException(
                        "the server closed the connection" + (line.isEmpty() ? "" : " mid-line: \"" + line + "\""));
            }
            if (b == '\n') {
                int end = line.length();
                if (end > 0 && line.charAt(end - 1) == '\r') {
                    line.setLength(end - 1);
                }
                return line.toString();
            }
            line.append((char) b);
        }
    }

    /** Reads past {@code n} bytes of the body, keeping them in {@code body} (up to {@link #MAX_BODY}) unless it is null. */
    private void skip(long n, ByteArrayOutputStream body) throws IOException {
        long left = n;
        while (body != null && left > 0 && body.size() < MAX_BODY) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("the server closed the connection with " + left + " bytes of the body unread");
            }
            body.write(b);
            left--;
        }
        while (left > 0) {
            long skipped = in.skip(left);
            if (skipped <= 0) {
                if (in.read() < 0) {
                    throw new EOFException(
                            "the server closed the connection with " + left + " bytes of the body unread");
                }
                skipped = 1;
            }
            left -= skipped;
        }
    }

    @Override
    public void close() {
        Socket s = socket;
        socket = null;
        in = null;
        out = null;
        if (s != null) {
            try {
                s.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }
}
