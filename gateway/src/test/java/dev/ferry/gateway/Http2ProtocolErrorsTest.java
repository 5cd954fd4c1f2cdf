package dev.ferry.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.routing.RoutingStore;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * HTTP/2 peers that break the protocol get the protocol's answer, checked with raw frames on
 * a cleartext prior-knowledge connection: a connection error is a GOAWAY with its error code
 * and a closed socket; a stream error resets only that stream.
 */
class Http2ProtocolErrorsTest {

    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final int HEADERS = 0x1,
            RST_STREAM = 0x3,
            SETTINGS = 0x4,
            PING = 0x6,
            GOAWAY = 0x7,
            WINDOW_UPDATE = 0x8;
    private static final int END_STREAM = 0x1, END_HEADERS = 0x4, ACK = 0x1;
    private static final long PROTOCOL_ERROR = 0x1, FRAME_SIZE_ERROR = 0x6;

    private static GatewayServer gateway;

    @BeforeAll
    static void start() throws Exception {
        gateway = GatewayServer.builder().port(0).store(RoutingStore.inMemory()).start();
    }

    @AfterAll
    static void stop() throws InterruptedException {
        gateway.close();
    }

    @Test
    void aSettingsFrameWhoseLengthIsNotAMultipleOfSixIsAFrameSizeError() throws Exception {
        try (Connection c = new Connection()) {
            c.write(frame(SETTINGS, 0, 0, new byte[5]));
            assertThat(c.goAwayError()).isEqualTo(FRAME_SIZE_ERROR);
        }
    }

    @Test
    void headersOnAnEvenStreamIdAreAProtocolError() throws Exception {
        try (Connection c = new Connection()) {
            c.write(frame(SETTINGS, 0, 0, new byte[0]));
            c.write(frame(HEADERS, END_HEADERS | END_STREAM, 2, requestHeaders()));
            assertThat(c.goAwayError()).isEqualTo(PROTOCOL_ERROR);
        }
    }

    @Test
    void aWindowUpdateOfZeroOnTheConnectionIsAProtocolError() throws Exception {
        try (Connection c = new Connection()) {
            c.write(frame(SETTINGS, 0, 0, new byte[0]));
            c.write(frame(WINDOW_UPDATE, 0, 0, new byte[4]));
            assertThat(c.goAwayError()).isEqualTo(PROTOCOL_ERROR);
        }
    }

    @Test
    void anUppercaseHeaderNameResetsOnlyItsStream() throws Exception {
        try (Connection c = new Connection()) {
            c.write(frame(SETTINGS, 0, 0, new byte[0]));
            ByteArrayOutputStream block = new ByteArrayOutputStream();
            block.writeBytes(requestHeaders());
            block.writeBytes(literal("X-Upper", "v"));
            c.write(frame(HEADERS, END_HEADERS | END_STREAM, 1, block.toByteArray()));
            assertThat(c.resetError(1)).isEqualTo(PROTOCOL_ERROR);

            // The connection lives on: a ping is still answered.
            c.write(frame(PING, 0, 0, new byte[8]));
            c.awaitFrame(PING, ACK);
        }
    }

    /** :method GET, :scheme http, :path / (static table) and a literal :authority. */
    private static byte[] requestHeaders() {
        ByteArrayOutputStream block = new ByteArrayOutputStream();
        block.write(0x82);
        block.write(0x86);
        block.write(0x84);
        byte[] authority = "a--b.localhost".getBytes(StandardCharsets.US_ASCII);
        block.write(0x01); // literal without indexing, name from static entry 1 (:authority)
        block.write(authority.length);
        block.writeBytes(authority);
        return block.toByteArray();
    }

    /** A literal header field without indexing and with a literal name (no Huffman coding). */
    private static byte[] literal(String name, String value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x00);
        out.write(name.length());
        out.writeBytes(name.getBytes(StandardCharsets.US_ASCII));
        out.write(value.length());
        out.writeBytes(value.getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    private static byte[] frame(int type, int flags, int stream, byte[] payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(payload.length >>> 16);
        out.write(payload.length >>> 8);
        out.write(payload.length);
        out.write(type);
        out.write(flags);
        out.write(stream >>> 24);
        out.write(stream >>> 16);
        out.write(stream >>> 8);
        out.write(stream);
        out.writeBytes(payload);
        return out.toByteArray();
    }

    /** A raw prior-knowledge HTTP/2 connection to the gateway. */
    private static final class Connection implements AutoCloseable {
        private final Socket socket;
        private final DataInputStream in;

        Connection() throws IOException {
            socket = new Socket("127.0.0.1", gateway.port());
            socket.setSoTimeout(30_000);
            in = new DataInputStream(socket.getInputStream());
            write(PREFACE);
        }

        void write(byte[] bytes) throws IOException {
            socket.getOutputStream().write(bytes);
            socket.getOutputStream().flush();
        }

        /** Reads frames until a GOAWAY, returns its error code, and checks the socket is closed after it. */
        long goAwayError() throws IOException {
            byte[] payload = awaitFrame(GOAWAY, -1);
            long error = readUnsigned32(payload, 4);
            assertThat(in.read()).as("the connection closes after its GOAWAY").isEqualTo(-1);
            return error;
        }

        /** Reads frames until a RST_STREAM on {@code stream}, returns its error code. */
        long resetError(int stream) throws IOException {
            while (true) {
                Frame f = next();
                if (f.type == RST_STREAM && f.stream == stream) {
                    return readUnsigned32(f.payload, 0);
                }
                assertThat(f.type).as("frame type before the reset").isNotEqualTo(GOAWAY);
            }
        }

        /** Reads frames until one of {@code type} (with {@code flags}, unless -1); returns its payload. */
        byte[] awaitFrame(int type, int flags) throws IOException {
            while (true) {
                Frame f = next();
                if (f.type == type && (flags == -1 || f.flags == flags)) {
                    return f.payload;
                }
            }
        }

        private Frame next() throws IOException {
            int length;
            try {
                length = (in.readUnsignedByte() << 16) | (in.readUnsignedByte() << 8) | in.readUnsignedByte();
            } catch (EOFException e) {
                throw new AssertionError("the gateway closed the connection without the expected frame", e);
            }
            int type = in.readUnsignedByte();
            int flags = in.readUnsignedByte();
            int stream = in.readInt() & 0x7fffffff;
            byte[] payload = in.readNBytes(length);
            return new Frame(type, flags, stream, payload);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private record Frame(int type, int flags, int stream, byte[] payload) {}

    private static long readUnsigned32(byte[] bytes, int at) {
        return ((bytes[at] & 0xffL) << 24)
                | ((bytes[at + 1] & 0xffL) << 16)
                | ((bytes[at + 2] & 0xffL) << 8)
                | (bytes[at + 3] & 0xffL);
    }
}
