package dev.ferry.perf.transport;

import dev.ferry.perf.transport.proto.FrameBatch;
import dev.ferry.perf.transport.proto.FrameStreamGrpc;
import dev.ferry.request.protocol.CallEnd;
import dev.ferry.request.protocol.Frame;
import dev.ferry.request.protocol.ServerEvent;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Design (a): one long-lived gRPC bidirectional stream per connection, carrying
 * {@code ferry.v1.Frame}s (the frames of call-transport) in {@link FrameBatch}es. Each side
 * multiplexes its calls by {@code Frame.call} and sends the frames it produced in one turn of
 * its event loop as one batch, at the end of that turn; gRPC keeps the connection, the HTTP/2
 * framing and its flow control. The container ends each call with a {@code CallEnd} frame, as
 * in call-transport.
 *
 * <p>Both sides run their stream on their own loop with direct executors, so every callback
 * comes on that loop. There is no per-call flow control here (window frames are neither sent
 * nor honoured): only the stream's HTTP/2 window, shared by all calls on it. A real design (a)
 * needs call-transport's per-call windows on top, so that a slow reader cannot stall the other
 * calls on the stream; for this echo benchmark (64 bytes each way) they would never be sent.
 */
final class GrpcOneStream implements EchoPlane {

    private final EventLoopGroup boss;
    private final EventLoopGroup serverLoop;
    private final EventLoopGroup clientLoops;
    private final Server server;
    private final ManagedChannel channel;
    private final ClientSide client;

    private GrpcOneStream(
            EventLoopGroup boss,
            EventLoopGroup serverLoop,
            EventLoopGroup clientLoops,
            Server server,
            ManagedChannel channel) {
        this.boss = boss;
        this.serverLoop = serverLoop;
        this.clientLoops = clientLoops;
        this.server = server;
        this.channel = channel;
        this.client = new ClientSide(channel, (EventLoop) clientLoops.next());
    }

    static GrpcOneStream start() throws IOException {
        EventLoopGroup boss = Loops.single("grpc-one-stream-boss");
        EventLoopGroup serverLoop = Loops.single("grpc-one-stream-server");
        EventLoopGroup clientLoop = Loops.single("grpc-one-stream-client");
        try {
            Server server = GrpcSetup.server(new FrameService((EventLoop) serverLoop.next()), boss, serverLoop);
            return new GrpcOneStream(
                    boss, serverLoop, clientLoop, server, GrpcSetup.channel(server.getPort(), clientLoop));
        } catch (IOException | RuntimeException e) {
            Loops.shutdown(clientLoop, serverLoop, boss);
            throw e;
        }
    }

    @Override
    public EventLoop clientLoop() {
        return client.loop;
    }

    @Override
    public void call(long n, EchoCall.Done done) {
        client.call(n, done);
    }

    @Override
    public void close() {
        GrpcSetup.close(channel, server);
        Loops.shutdown(clientLoops, serverLoop, boss);
    }

    /** Frames written during one loop turn, sent as one {@link FrameBatch} at its end. Loop-confined. */
    private abstract static class Batcher {

        final EventLoop loop;
        private final Runnable flush = this::flush;
        private FrameBatch.Builder batch;

        Batcher(EventLoop loop) {
            this.loop = loop;
        }

        final void write(Frame frame) {
            if (batch == null) {
                batch = FrameBatch.newBuilder();
                loop.execute(flush);
            }
            batch.addFrames(frame);
        }

        private void flush() {
            FrameBatch frames = batch.build();
            batch = null;
            send(frames);
        }

        abstract void send(FrameBatch frames);
    }

    /** The gateway's side: the stream, opened by the first call, and the calls on it. */
    private static final class ClientSide extends Batcher {

        private final ManagedChannel channel;
        private final IntObjectMap<EchoCall.Client> calls = new IntObjectHashMap<>();
        private ClientCall<FrameBatch, FrameBatch> stream;
        private int nextId = 1;

        ClientSide(ManagedChannel channel, EventLoop loop) {
            super(loop);
            this.channel = channel;
        }

        void call(long n, EchoCall.Done done) {
            if (stream == null) {
                open();
            }
            int id = nextId;
            nextId = nextId == Integer.MAX_VALUE ? 1 : nextId + 1;
            calls.put(id, new EchoCall.Client(done));
            write(Frame.newBuilder().setCall(id).setClient(EchoCall.start(n)).build());
            write(Frame.newBuilder().setCall(id).setClient(EchoCall.request()).build());
        }

        @Override
        void send(FrameBatch frames) {
            if (stream != null) {
                stream.sendMessage(frames);
            }
        }

        private void open() {
            ClientCall<FrameBatch, FrameBatch> opened =
                    channel.newCall(FrameStreamGrpc.getFramesMethod(), CallOptions.DEFAULT);
            stream = opened;
            opened.start(
                    new ClientCall.Listener<>() {
                        @Override
                        public void onMessage(FrameBatch frames) {
                            received(frames);
                            opened.request(1);
                        }

                        @Override
                        public void onClose(Status status, Metadata trailers) {
                            if (stream == opened) {
                                stream = null;
                            }
                            List<EchoCall.Client> open = new ArrayList<>(calls.values());
                            calls.clear();
                            for (EchoCall.Client call : open) {
                                call.failed("the stream closed: " + status);
                            }
                        }
                    },
                    new Metadata());
            opened.request(1);
        }

        private void received(FrameBatch frames) {
            for (int i = 0, size = frames.getFramesCount(); i < size; i++) {
                Frame frame = frames.getFrames(i);
                EchoCall.Client call = calls.get(frame.getCall());
                if (call == null) {
                    continue;
                }
                switch (frame.getBodyCase()) {
                    case SERVER -> call.onEvent(frame.getServer());
                    case END -> {
                        calls.remove(frame.getCall());
                        call.completed();
                    }
                    default -> {} // no window frames in this design; a CLIENT frame would be a fault
                }
            }
        }
    }

    /** The container's side: one stream per gateway connection, each with its own calls. */
    private static final class FrameService extends FrameStreamGrpc.FrameStreamImplBase {

        private final EventLoop loop;

        FrameService(EventLoop loop) {
            this.loop = loop;
        }

        @Override
        public StreamObserver<FrameBatch> frames(StreamObserver<FrameBatch> responseObserver) {
            ServerCallStreamObserver<FrameBatch> out = (ServerCallStreamObserver<FrameBatch>) responseObserver;
            out.disableAutoRequest();
            out.request(1);
            return new ServerSide(loop, out);
        }
    }

    private static final class ServerSide extends Batcher implements StreamObserver<FrameBatch> {

        private final ServerCallStreamObserver<FrameBatch> out;
        private final IntObjectMap<Call> calls = new IntObjectHashMap<>();
        private boolean closed;

        ServerSide(EventLoop loop, ServerCallStreamObserver<FrameBatch> out) {
            super(loop);
            this.out = out;
        }

        @Override
        public void onNext(FrameBatch frames) {
            for (int i = 0, size = frames.getFramesCount(); i < size; i++) {
                Frame frame = frames.getFrames(i);
                int id = frame.getCall();
                switch (frame.getBodyCase()) {
                    case CLIENT -> {
                        Call call = calls.get(id);
                        if (call == null) {
                            if (!frame.getClient().hasStart()) {
                                continue; // a late event of a call that has ended
                            }
                            call = new Call(id);
                            calls.put(id, call);
                        }
                        if (call.echo.onEvent(frame.getClient(), call)) {
                            calls.remove(id);
                        }
                    }
                    case END -> calls.remove(id); // cancelled by the gateway
                    default -> {}
                }
            }
            out.request(1);
        }

        @Override
        public void onError(Throwable t) {
            closed = true;
            calls.clear();
        }

        @Override
        public void onCompleted() {
            closed = true;
            calls.clear();
            out.onCompleted();
        }

        @Override
        void send(FrameBatch frames) {
            if (!closed) {
                out.onNext(frames);
            }
        }

        /** One call on the stream: the echo, and how its events leave. */
        private final class Call implements EchoCall.Server.Reply {

            private final int id;
            final EchoCall.Server echo = new EchoCall.Server();

            Call(int id) {
                this.id = id;
            }

            @Override
            public void send(ServerEvent event) {
                write(Frame.newBuilder().setCall(id).setServer(event).build());
            }

            @Override
            public void end() {
                write(Frame.newBuilder()
                        .setCall(id)
                        .setEnd(CallEnd.newBuilder().setReason(CallEnd.Reason.COMPLETED))
                        .build());
            }
        }
    }
}
