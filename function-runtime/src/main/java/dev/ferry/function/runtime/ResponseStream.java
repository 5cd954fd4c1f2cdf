package dev.ferry.function.runtime;

import com.google.protobuf.ByteString;
import dev.ferry.request.protocol.HttpResponseBody;
import dev.ferry.request.protocol.ServerEvent;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A streaming response body. Every {@code write} is sent to the client at once as one or
 * more {@code http.response.body} events (no buffering, so {@link #flush()} has nothing to
 * do); a write blocks while the client cannot keep up. Not thread-safe.
 */
public final class ResponseStream extends OutputStream {

    /** Writes larger than this are cut into several events; well under the transport's 16 MiB frame limit. */
    static final int MAX_CHUNK = 256 * 1024;

    private final Send send;
    private boolean closed;

    ResponseStream(Send send) {
        this.send = send;
    }

    /** Sends {@code text} as UTF-8. */
    public void write(String text) throws IOException {
        write(text.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (closed) {
            throw new IOException("response stream closed");
        }
        for (int start = off; start < off + len; start += MAX_CHUNK) {
            int n = Math.min(MAX_CHUNK, off + len - start);
            sendChunk(ByteString.copyFrom(b, start, n), true);
        }
    }

    /** Sends {@code bytes} as they are, cut into chunks of at most {@link #MAX_CHUNK}; no copy. */
    void write(ByteString bytes) throws IOException {
        if (closed) {
            throw new IOException("response stream closed");
        }
        for (int start = 0; start < bytes.size(); start += MAX_CHUNK) {
            sendChunk(bytes.substring(start, Math.min(bytes.size(), start + MAX_CHUNK)), true);
        }
    }

    /** Sends {@code bytes} as the end of the body: one event when they fit in one chunk. */
    void writeLast(byte[] bytes) throws IOException {
        if (bytes.length > MAX_CHUNK) {
            write(bytes);
            close();
            return;
        }
        closed = true;
        sendChunk(ByteString.copyFrom(bytes), false);
    }

    /** Ends the body. Further writes fail; closing twice does nothing. */
    @Override
    public void close() throws IOException {
        if (!closed) {
            closed = true;
            sendChunk(ByteString.EMPTY, false);
        }
    }

    private void sendChunk(ByteString bytes, boolean more) throws IOException {
        try {
            send.send(ServerEvent.newBuilder()
                    .setHttpResponseBody(
                            HttpResponseBody.newBuilder().setBody(bytes).setMoreBody(more))
                    .build());
        } catch (ClientDisconnectedException e) {
            throw e.asIOException();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while sending the response");
        }
    }
}
