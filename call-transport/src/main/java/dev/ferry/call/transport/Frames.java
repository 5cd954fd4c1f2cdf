package dev.ferry.call.transport;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import dev.ferry.request.protocol.CallAccepted;
import dev.ferry.request.protocol.CallEnd;
import dev.ferry.request.protocol.CallError;
import dev.ferry.request.protocol.ConnectionOpen;
import dev.ferry.request.protocol.ContainerSecret;
import dev.ferry.request.protocol.ErrorCode;
import dev.ferry.request.protocol.Frame;
import dev.ferry.request.protocol.ServerEvent;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import java.io.IOException;
import java.util.List;

/**
 * How frames travel: each {@link Frame} preceded by its length as a varint32, at most
 * {@link #MAX_FRAME} bytes. Both directions use the same form.
 */
final class Frames {

    /** The longest frame either side accepts; a longer one is a protocol error that closes the connection. */
    static final int MAX_FRAME = 16 * 1024 * 1024;

    /**
     * Bytes of events a sender may have outstanding per call and direction before the receiver
     * grants more (see ferry/v1/call.proto).
     */
    static final int INITIAL_WINDOW = 1024 * 1024;

    /**
     * The longest frame a container reads before the connection has opened with its secret: a
     * {@code ConnectionOpen} takes under 40 bytes, and a stranger gets no 16 MiB buffer.
     */
    static final int MAX_UNAUTHENTICATED_FRAME = 256;

    /** The call number of frames about the connection rather than a call: no call has it. */
    static final int CONNECTION = 0;

    /** A receiver grants bytes back once this many have been taken, so a window update covers many small events. */
    static final int WINDOW_UPDATE_THRESHOLD = INITIAL_WINDOW / 4;

    private Frames() {}

    /**
     * Whether {@code cause} is the ordinary end of a connection (the peer reset or closed it, or a
     * write raced with the close), which is logged quietly: the calls on it hear of it anyway.
     */
    static boolean isConnectionEnd(Throwable cause) {
        return cause instanceof java.io.IOException;
    }

    /** The frame in a pooled buffer of its own, length first. Its events' bytes are copied once, here. */
    static ByteBuf encode(ByteBufAllocator alloc, Frame frame) {
        int total = encodedSize(frame);
        ByteBuf buf = alloc.ioBuffer(total);
        try {
            writeTo(buf, frame, total);
            return buf;
        } catch (RuntimeException e) {
            buf.release();
            throw e;
        }
    }

    /**
     * The bytes {@code frame} takes on the wire, its length included.
     *
     * @throws IllegalArgumentException when it is longer than {@link #MAX_FRAME}
     */
    static int encodedSize(Frame frame) {
        int size = frame.getSerializedSize();
        if (size > MAX_FRAME) {
            throw new IllegalArgumentException(
                    "frame of " + size + " bytes (expected: at most " + MAX_FRAME + "; send large bodies in chunks)");
        }
        return CodedOutputStream.computeUInt32SizeNoTag(size) + size;
    }

    /** Appends {@code frame}, length first, to {@code buf}, which must have room for {@code total} bytes. */
    static void writeTo(ByteBuf buf, Frame frame, int total) {
        try {
            CodedOutputStream out = CodedOutputStream.newInstance(buf.nioBuffer(buf.writerIndex(), total));
            out.writeUInt32NoTag(frame.getSerializedSize());
            frame.writeTo(out);
            out.checkNoSpaceLeft();
            buf.writerIndex(buf.writerIndex() + total);
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot encode a frame of call " + frame.getCall(), e);
        }
    }

    static Frame window(int call, int bytes) {
        return Frame.newBuilder().setCall(call).setWindow(bytes).build();
    }

    static Frame end(int call, CallEnd.Reason reason, String detail) {
        return Frame.newBuilder()
                .setCall(call)
                .setEnd(CallEnd.newBuilder().setReason(reason).setDetail(detail))
                .build();
    }

    /** The container has taken call {@code call} on. */
    static Frame accepted(int call) {
        return Frame.newBuilder()
                .setCall(call)
                .setAccepted(CallAccepted.getDefaultInstance())
                .build();
    }

    /** The first frame of a connection: the container's secret. */
    static Frame open(ContainerSecret secret) {
        return Frame.newBuilder()
                .setCall(CONNECTION)
                .setOpen(ConnectionOpen.newBuilder().setSecret(secret.bytes()))
                .build();
    }

    /** A container's last frame on a connection it refuses, and why. */
    static Frame unauthenticated(String detail) {
        return Frame.newBuilder()
                .setCall(CONNECTION)
                .setServer(ServerEvent.newBuilder()
                        .setError(CallError.newBuilder()
                                .setCode(ErrorCode.CONNECTION_REFUSED)
                                .setDetail(detail)))
                .build();
    }

    /** A frame as it arrived, with its length: what it counts against its call's window. */
    record Inbound(Frame frame, int bytes) {}

    /**
     * Splits the byte stream into frames and parses them where they lie. The byte fields of
     * their events are copied out of the socket's buffer, so nothing parsed refers to a Netty
     * buffer and nothing needs releasing downstream.
     */
    static final class Decoder extends ByteToMessageDecoder {

        /** Set at the first bad frame: what follows it is not frames, and is dropped unread. */
        private boolean failed;

        /** The longest frame it takes now. Loop-confined. */
        private int maxFrame;

        /** A decoder that takes frames up to {@link #MAX_FRAME}. */
        Decoder() {
            this(MAX_FRAME);
        }

        /** A decoder that takes frames up to {@code maxFrame} bytes until {@link #maxFrame(int)} says otherwise. */
        Decoder(int maxFrame) {
            this.maxFrame = maxFrame;
        }

        /** Takes frames up to {@code bytes} from now on. On the channel's loop. */
        void maxFrame(int bytes) {
            this.maxFrame = bytes;
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
            if (failed) {
                in.skipBytes(in.readableBytes());
                return;
            }
            try {
                decodeFrames(in, out);
            } catch (RuntimeException e) {
                failed = true;
                in.skipBytes(in.readableBytes());
                throw e;
            }
        }

        private void decodeFrames(ByteBuf in, List<Object> out) {
            while (in.isReadable()) {
                in.markReaderIndex();
                int length = readLength(in);
                if (length < 0) {
                    in.resetReaderIndex();
                    return; // the length itself is not all here yet
                }
                if (length > maxFrame) {
                    throw new TooLongFrameException(
                            "frame of " + length + " bytes (expected: at most " + maxFrame + ")");
                }
                if (in.readableBytes() < length) {
                    in.resetReaderIndex();
                    return;
                }
                // Parsed in place; protobuf copies the byte fields out (no aliasing: the socket's
                // buffer is reused), which is the one copy of a body on this side.
                CodedInputStream input = CodedInputStream.newInstance(in.nioBuffer(in.readerIndex(), length));
                try {
                    out.add(new Inbound(Frame.parseFrom(input), length));
                } catch (IOException e) {
                    throw new CorruptedFrameException("unparsable frame of " + length + " bytes: " + e.getMessage(), e);
                } finally {
                    in.skipBytes(length);
                }
                if (maxFrame < MAX_FRAME) {
                    // One at a time while limited: the frame after a ConnectionOpen is measured
                    // against the limit its handler sets on reading it.
                    return;
                }
            }
        }

        /** The varint32 length, or -1 when not all its bytes are here yet. */
        private static int readLength(ByteBuf in) {
            int result = 0;
            for (int shift = 0; shift < 35; shift += 7) {
                if (!in.isReadable()) {
                    return -1;
                }
                byte b = in.readByte();
                result |= (b & 0x7f) << shift;
                if (b >= 0) {
                    if (result < 0) {
                        throw new CorruptedFrameException("frame length " + Integer.toUnsignedString(result)
                                + " (expected: at most " + MAX_FRAME + ")");
                    }
                    return result;
                }
            }
            throw new CorruptedFrameException("frame length: more than 5 bytes of varint (expected: a varint32)");
        }
    }
}
