package dev.ferry.call.transport;

import dev.ferry.request.protocol.Frame;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;

/**
 * The frames one side writes during one turn of its loop, encoded one after another into one
 * pooled buffer, which goes to the channel as one write; a large frame (a body chunk) goes in a
 * buffer of its own, in order. Confined to the channel's loop.
 */
final class FrameBatch {

    /** The most bytes of frames encoded into one shared buffer; a larger frame is a write of its own. */
    static final int MAX_BYTES = 16 * 1024;

    private ByteBuf buffer;

    /** Adds {@code frame}, which takes {@code total} bytes on the wire ({@link Frames#encodedSize}). */
    void add(Channel channel, Frame frame, int total) {
        if (total > MAX_BYTES) {
            writeTo(channel);
            channel.write(Frames.encode(channel.alloc(), frame), channel.voidPromise());
            return;
        }
        if (buffer != null && buffer.writableBytes() < total) {
            writeTo(channel);
        }
        if (buffer == null) {
            buffer = channel.alloc().ioBuffer(MAX_BYTES);
        }
        Frames.writeTo(buffer, frame, total);
    }

    /** Hands what was added to the channel (unflushed); the batch is empty after. */
    void writeTo(Channel channel) {
        if (buffer != null) {
            channel.write(buffer, channel.voidPromise());
            buffer = null;
        }
    }

    /** Drops what was added and not written: the connection is gone. */
    void discard() {
        if (buffer != null) {
            buffer.release();
            buffer = null;
        }
    }
}
