package dev.ferry.function.runtime;

import com.google.protobuf.ByteString;
import dev.ferry.request.protocol.ClientEvent;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;

/** The request body as an {@link InputStream} over {@code http.request} events. Not thread-safe. */
final class RequestBodyStream extends InputStream {

    private final Receive receive;
    private ByteString chunk = ByteString.EMPTY;
    private int position;
    private boolean ended;

    RequestBodyStream(Receive receive) {
        this.receive = receive;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (position == chunk.size()) {
            if (ended) {
                return -1;
            }
            next();
        }
        int n = Math.min(len, chunk.size() - position);
        chunk.copyTo(b, position, off, n);
        position += n;
        return n;
    }

    /**
     * Moves the rest of the body to {@code out} a whole chunk at a time; into a
     * {@link ResponseStream} the chunks pass without a copy (an echo costs no extra bytes).
     */
    @Override
    public long transferTo(OutputStream out) throws IOException {
        long total = 0;
        while (true) {
            if (position < chunk.size()) {
                ByteString rest = chunk.substring(position);
                if (out instanceof ResponseStream response) {
                    response.write(rest);
                } else {
                    rest.writeTo(out);
                }
                total += rest.size();
                position = chunk.size();
            }
            if (ended) {
                return total;
            }
            next();
        }
    }

    @Override
    public int available() {
        return chunk.size() - position;
    }

    private void next() throws IOException {
        ClientEvent event;
        try {
            event = receive.receive();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while reading the request body");
        }
        switch (event.getEventCase()) {
            case HTTP_REQUEST -> {
                chunk = event.getHttpRequest().getBody();
                position = 0;
                ended = !event.getHttpRequest().getMoreBody();
            }
            case HTTP_DISCONNECT -> throw new ClientDisconnectedException("client disconnected").asIOException();
            default -> throw new IOException("unexpected event while reading the body: " + event.getEventCase());
        }
    }
}
