package dev.ferry.cli;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * An HTTP/1.1 client that sends the request body while it reads the response, as curl and
 * browsers do. The JDK's HttpClient sends the whole body before it reads the response, which
 * deadlocks against any streaming echo once the socket buffers fill (the gateway rightly
 * refuses to buffer without bound), so it cannot test full-duplex streaming.
 */
final class DuplexHttpClient {

    /** Status, headers (lower-case names) and how many body bytes went to the sink. */
    record Result(int status, Map<String, String> headers, long bodyBytes) {}

    private DuplexHttpClient() {}

    static Result post(int port, String host, String target, long length, InputStream body, OutputStream sink)
            throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout((int) FerryStack.WAIT.toMillis());
            OutputStream out = socket.getOutputStream();
            CompletableFuture<Void> sent = CompletableFuture.runAsync(
                    () -> {
                        try {
                            out.write(("POST " + target + " HTTP/1.1\r\nHost: " + host + "\r\nContent-Length: " + length
                                            + "\r\nConnection: close\r\n\r\n")
                                    .getBytes(StandardCharsets.ISO_8859_1));
                            body.transferTo(out);
                            out.flush();
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    },
                    runnable -> Thread.ofVirtual().start(runnable));
            InputStream in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
            String statusLine = line(in);
            int status = Integer.parseInt(statusLine.split(" ")[1]);
            Map<String, String> headers = new LinkedHashMap<>();
            for (String h; !(h = line(in)).isEmpty(); ) {
                int colon = h.indexOf(':');
                headers.put(
                        h.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        h.substring(colon + 1).trim());
            }
            long bytes;
            if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
                bytes = 0;
                for (int size; (size = Integer.parseInt(line(in).split(";")[0].trim(), 16)) > 0; ) {
                    copy(in, sink, size);
                    bytes += size;
                    line(in);
                }
                while (!line(in).isEmpty()) {
                    // trailers
                }
            } else {
                bytes = copy(in, sink, Long.parseLong(headers.getOrDefault("content-length", "0")));
            }
            sent.get();
            return new Result(status, headers, bytes);
        }
    }

    private static long copy(InputStream in, OutputStream sink, long n) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long left = n;
        while (left > 0) {
            int read = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (read < 0) {
                throw new IOException("connection closed with " + left + " body bytes missing");
            }
            sink.write(buffer, 0, read);
            left -= read;
        }
        return n;
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b; (b = in.read()) != '\n'; ) {
            if (b < 0) {
                throw new IOException("connection closed mid-line");
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }
}
