package dev.ferry.call.transport;

import static dev.ferry.call.transport.Fixtures.request;
import static dev.ferry.call.transport.Fixtures.responseBody;
import static dev.ferry.call.transport.Fixtures.start;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import dev.ferry.request.protocol.CallEnd;
import dev.ferry.request.protocol.Frame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The wire form: {@link Frames#encode} and {@link Frames.Decoder}, through an {@link EmbeddedChannel}. */
class FramesTest {

    private static final ByteBufAllocator POOLED = PooledByteBufAllocator.DEFAULT;

    private final EmbeddedChannel channel = new EmbeddedChannel(new Frames.Decoder());

    @AfterEach
    void releaseChannel() {
        channel.finishAndReleaseAll();
    }

    static List<Frame> frames() {
        return List.of(
                Frame.newBuilder().setCall(1).setClient(start("c-1")).build(),
                Frame.newBuilder().setCall(7).setClient(request("hello", true)).build(),
                Frame.newBuilder()
                        .setCall(Integer.MAX_VALUE)
                        .setServer(responseBody(Fixtures.pattern(3, 70_000), false))
                        .build(),
                Frames.window(42, Frames.WINDOW_UPDATE_THRESHOLD),
                Frames.window(3, Integer.MAX_VALUE),
                Frames.end(9, CallEnd.Reason.COMPLETED, ""),
                Frames.end(10, CallEnd.Reason.CANCELLED, "client went away"));
    }

    @ParameterizedTest
    @MethodSource("frames")
    void aFrameSurvivesTheRoundTripAndItsBufferIsReleased(Frame frame) {
        ByteBuf buf = Frames.encode(POOLED, frame);

        assertThat(channel.writeInbound(buf)).isTrue();

        Frames.Inbound inbound = channel.readInbound();
        assertThat(inbound.frame()).isEqualTo(frame);
        assertThat(inbound.bytes()).isEqualTo(frame.getSerializedSize());
        assertThat(buf.refCnt()).as("the decoder released the encoded buffer").isZero();
        assertThat((Object) channel.readInbound()).isNull();
    }

    @ParameterizedTest
    @MethodSource("frames")
    void encodeWritesProtobufsDelimitedForm(Frame frame) throws Exception {
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        frame.writeDelimitedTo(expected);

        ByteBuf buf = Frames.encode(POOLED, frame);
        try {
            assertThat(ByteBufUtil.getBytes(buf)).isEqualTo(expected.toByteArray());
            assertThat(buf.readableBytes())
                    .isEqualTo(CodedOutputStream.computeUInt32SizeNoTag(frame.getSerializedSize())
                            + frame.getSerializedSize());
        } finally {
            buf.release();
        }
    }

    @Test
    void encodeWorksWithAHeapAllocatorToo() {
        Frame frame =
                Frame.newBuilder().setCall(5).setClient(request("x", false)).build();

        assertThat(channel.writeInbound(Frames.encode(new UnpooledByteBufAllocator(false), frame)))
                .isTrue();

        assertThat(((Frames.Inbound) channel.readInbound()).frame()).isEqualTo(frame);
    }

    @Test
    void framesSplitByteByByteComeOutWholeAtTheirLastByte() {
        // Every kind of frame, small ones and one whose length takes three bytes (over 2^14).
        List<Frame> frames = new ArrayList<>(frames().stream()
                .filter(frame -> frame.getSerializedSize() < 1000)
                .toList());
        frames.add(Frame.newBuilder()
                .setCall(300)
                .setServer(responseBody(Fixtures.pattern(4, 16_400), true))
                .build());
        List<byte[]> encoded = new ArrayList<>();
        for (Frame frame : frames) {
            ByteBuf buf = Frames.encode(POOLED, frame);
            encoded.add(ByteBufUtil.getBytes(buf));
            buf.release();
        }

        for (int f = 0; f < frames.size(); f++) {
            byte[] bytes = encoded.get(f);
            for (int i = 0; i < bytes.length; i++) {
                channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {bytes[i]}));
                Frames.Inbound inbound = channel.readInbound();
                if (i < bytes.length - 1) {
                    assertThat(inbound)
                            .as("frame %d after %d of its %d bytes", f, i + 1, bytes.length)
                            .isNull();
                } else {
                    assertThat(inbound).as("frame %d after its last byte", f).isNotNull();
                    assertThat(inbound.frame()).isEqualTo(frames.get(f));
                    assertThat(inbound.bytes()).isEqualTo(frames.get(f).getSerializedSize());
                }
            }
        }
    }

    @Test
    void framesSplitAtEveryPossiblePointComeOutWhole() {
        Frame first = Frame.newBuilder().setCall(1).setClient(start("a")).build();
        Frame second = Frame.newBuilder()
                .setCall(2)
                .setServer(responseBody(Fixtures.pattern(1, 300), true))
                .build();
        ByteBuf both = Unpooled.buffer();
        for (Frame frame : List.of(first, second)) {
            ByteBuf buf = Frames.encode(POOLED, frame);
            both.writeBytes(buf);
            buf.release();
        }
        byte[] bytes = ByteBufUtil.getBytes(both);
        both.release();

        for (int cut = 0; cut <= bytes.length; cut++) {
            channel.writeInbound(Unpooled.copiedBuffer(bytes, 0, cut));
            channel.writeInbound(Unpooled.copiedBuffer(bytes, cut, bytes.length - cut));
            Frames.Inbound a = channel.readInbound();
            Frames.Inbound b = channel.readInbound();
            assertThat(a.frame()).as("cut at %d", cut).isEqualTo(first);
            assertThat(b.frame()).as("cut at %d", cut).isEqualTo(second);
            assertThat((Object) channel.readInbound()).isNull();
        }
    }

    @Test
    void manyFramesInOneBufferComeOutInOrder() {
        int count = 2_000;
        ByteBuf all = POOLED.buffer();
        for (int i = 0; i < count; i++) {
            Frame frame = Frame.newBuilder()
                    .setCall(i + 1)
                    .setServer(responseBody("chunk " + i, i < count - 1))
                    .build();
            ByteBuf buf = Frames.encode(POOLED, frame);
            all.writeBytes(buf);
            buf.release();
        }

        channel.writeInbound(all);

        for (int i = 0; i < count; i++) {
            Frames.Inbound inbound = channel.readInbound();
            assertThat(inbound).as("frame %d", i).isNotNull();
            assertThat(inbound.frame().getCall()).isEqualTo(i + 1);
            assertThat(inbound.frame()
                            .getServer()
                            .getHttpResponseBody()
                            .getBody()
                            .toStringUtf8())
                    .isEqualTo("chunk " + i);
        }
        assertThat((Object) channel.readInbound()).isNull();
        assertThat(all.refCnt()).isZero();
    }

    @Test
    void anEmptyFrameIsAFrameWithNoBody() {
        channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {0}));

        Frames.Inbound inbound = channel.readInbound();
        assertThat(inbound.bytes()).isZero();
        assertThat(inbound.frame().getBodyCase()).isEqualTo(Frame.BodyCase.BODY_NOT_SET);
    }

    @Test
    void aLengthOverMaxFrameIsRefusedBeforeItsBytesArrive() {
        ByteBuf length = varint(Frames.MAX_FRAME + 1);

        assertThatThrownBy(() -> channel.writeInbound(length))
                .isInstanceOf(TooLongFrameException.class)
                .hasMessageContaining(String.valueOf(Frames.MAX_FRAME + 1));
        assertThat((Object) channel.readInbound()).isNull();
    }

    @Test
    void aLengthOfExactlyMaxFrameWaitsForItsBytes() {
        ByteBuf buf = varint(Frames.MAX_FRAME);
        buf.writeBytes(new byte[1000]);

        assertThat(channel.writeInbound(buf)).isFalse();
        assertThat((Object) channel.readInbound()).isNull();
    }

    @Test
    void aFrameOfExactlyMaxFrameBytesPassesAndOneByteMoreIsRefusedWithItsSize() {
        Frame largest = bodyFrameOfSize(Frames.MAX_FRAME);
        assertThat(largest.getSerializedSize()).isEqualTo(Frames.MAX_FRAME);

        channel.writeInbound(Frames.encode(POOLED, largest));
        Frames.Inbound inbound = channel.readInbound();
        assertThat(inbound.bytes()).isEqualTo(Frames.MAX_FRAME);
        assertThat(inbound.frame()).isEqualTo(largest);

        Frame tooLarge = bodyFrameOfSize(Frames.MAX_FRAME + 1);
        assertThatThrownBy(() -> Frames.encode(POOLED, tooLarge))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("frame of " + (Frames.MAX_FRAME + 1) + " bytes")
                .hasMessageContaining(String.valueOf(Frames.MAX_FRAME));
    }

    @Test
    void aVarintOfSixContinuationBytesIsCorrupt() {
        ByteBuf buf = Unpooled.wrappedBuffer(
                new byte[] {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x01});

        assertThatThrownBy(() -> channel.writeInbound(buf))
                .isInstanceOf(CorruptedFrameException.class)
                .hasMessageContaining("varint");
        assertThat((Object) channel.readInbound()).isNull();
    }

    @Test
    void fourContinuationBytesAreAnIncompleteLengthNotAnError() {
        ByteBuf buf = Unpooled.wrappedBuffer(new byte[] {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80});

        assertThat(channel.writeInbound(buf)).isFalse();
        assertThat((Object) channel.readInbound()).isNull();
    }

    @Test
    void aLengthThatOverflowsAnIntIsCorrupt() {
        // 0xFFFFFFFF as a varint: negative as an int.
        ByteBuf buf = Unpooled.wrappedBuffer(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F});

        assertThatThrownBy(() -> channel.writeInbound(buf))
                .isInstanceOf(DecoderException.class)
                .hasMessageContaining("4294967295");
    }

    @Test
    void anUnparsablePayloadIsCorrupt() {
        // One byte of payload: field 1 with wire type 7, which does not exist.
        ByteBuf buf = Unpooled.wrappedBuffer(new byte[] {0x01, 0x0F});

        assertThatThrownBy(() -> channel.writeInbound(buf))
                .isInstanceOf(CorruptedFrameException.class)
                .hasMessageContaining("unparsable frame of 1 bytes");
    }

    @Test
    void aTruncatedPayloadIsCorrupt() {
        // Frame.call = varint that is cut off by the frame's end.
        ByteBuf buf = Unpooled.wrappedBuffer(new byte[] {0x02, 0x08, (byte) 0x80});

        assertThatThrownBy(() -> channel.writeInbound(buf)).isInstanceOf(CorruptedFrameException.class);
    }

    @Test
    void aFrameAfterAnErrorInTheSameReadIsNotDecoded() {
        // The frames before the error come out; the stream after it is not trustworthy.
        Frame before = Frame.newBuilder().setCall(1).setClient(start("before")).build();
        Frame after = Frame.newBuilder().setCall(2).setClient(start("after")).build();
        ByteBuf buf = POOLED.buffer();
        appendEncoded(buf, before);
        buf.writeBytes(new byte[] {0x01, 0x0F}); // unparsable
        appendEncoded(buf, after);

        assertThatThrownBy(() -> channel.writeInbound(buf)).isInstanceOf(CorruptedFrameException.class);

        Frames.Inbound first = channel.readInbound();
        assertThat(first.frame()).isEqualTo(before);
        assertThat((Object) channel.readInbound()).isNull();
    }

    /**
     * Once the decoder has refused the stream (a length over MAX_FRAME here), what follows is
     * the middle of a frame: none of it may come out as frames, neither from later reads nor
     * when the channel closes (ByteToMessageDecoder decodes what is left on channelInactive).
     */
    @Test
    void afterALengthOverMaxFrameNothingMoreIsDecoded() {
        // The rejected frame's "payload" happens to hold a well-formed frame: a peer that
        // desynchronised, or one smuggling a call past the check.
        ByteBuf buf = varint(Frames.MAX_FRAME + 1);
        appendEncoded(
                buf, Frame.newBuilder().setCall(99).setClient(start("smuggled")).build());

        assertThatThrownBy(() -> channel.writeInbound(buf)).isInstanceOf(TooLongFrameException.class);
        List<Object> decoded = new ArrayList<>();
        try {
            channel.finish();
        } catch (RuntimeException e) {
            // a second error on close is fine; a decoded frame is not
        }
        for (Object msg; (msg = channel.readInbound()) != null; ) {
            decoded.add(msg);
        }

        assertThat(decoded)
                .as("frames decoded from the bytes after a refused length")
                .isEmpty();
    }

    private static void appendEncoded(ByteBuf to, Frame frame) {
        ByteBuf buf = Frames.encode(POOLED, frame);
        to.writeBytes(buf);
        buf.release();
    }

    private static ByteBuf varint(int value) {
        ByteBuf buf = Unpooled.buffer();
        while ((value & ~0x7F) != 0) {
            buf.writeByte((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        buf.writeByte(value);
        return buf;
    }

    /** A server body frame whose serialized size is exactly {@code size}. */
    private static Frame bodyFrameOfSize(int size) {
        int body = size - 17;
        Frame frame = bodyFrame(body);
        body += size - frame.getSerializedSize();
        frame = bodyFrame(body);
        assertThat(frame.getSerializedSize()).isEqualTo(size);
        return frame;
    }

    private static Frame bodyFrame(int bodyBytes) {
        return Frame.newBuilder()
                .setCall(1)
                .setServer(responseBody(ByteString.copyFrom(new byte[bodyBytes]), true))
                .build();
    }
}
