package dev.ferry.perf.transport;

import dev.ferry.perf.transport.proto.FunctionCallGrpc;
import dev.ferry.request.protocol.ClientEvent;
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
import java.io.IOException;

/**
 * Design (0), the data plane before call-transport: one gRPC bidirectional stream per call,
 * {@code ClientEvent}s up and {@code ServerEvent}s down, on a channel that runs on the gateway's
 * loop. As the gateway did (FunctionCall), each call's executor is that loop and it asks for one
 * message at a time; as the container did (FunctionCallService), the server asks for one event at
 * a time, and answers here on its transport thread. No deadline is set (the gateway set one per
 * call: a timer that any design would need).
 */
final class GrpcPerCall implements EchoPlane {

    private final EventLoopGroup boss;
    private final EventLoopGroup serverLoop;
    private final EventLoopGroup clientLoops;
    private final EventLoop clientLoop;
    private final Server server;
    private final ManagedChannel channel;
    private final CallOptions options;

    private GrpcPerCall(
            EventLoopGroup boss,
            EventLoopGroup serverLoop,
            EventLoopGroup clientLoops,
            Server server,
            ManagedChannel channel) {
        this.boss = boss;
        this.serverLoop = serverLoop;
        this.clientLoops = clientLoops;
        this.clientLoop = (EventLoop) clientLoops.next();
        this.server = server;
        this.channel = channel;
        this.options = CallOptions.DEFAULT.withExecutor(clientLoop);
    }

    static GrpcPerCall start() throws IOException {
        EventLoopGroup boss = Loops.single("grpc-per-call-boss");
        EventLoopGroup serverLoop = Loops.single("grpc-per-call-server");
        EventLoopGroup clientLoop = Loops.single("grpc-per-call-client");
        try {
            Server server = GrpcSetup.server(new EchoService(), boss, serverLoop);
            return new GrpcPerCall(
                    boss, serverLoop, clientLoop, server, GrpcSetup.channel(server.getPort(), clientLoop));
        } catch (IOException | RuntimeException e) {
            Loops.shutdown(clientLoop, serverLoop, boss);
            throw e;
        }
    }

    @Override
    public EventLoop clientLoop() {
        return clientLoop;
    }

    @Override
    public void call(long n, EchoCall.Done done) {
        ClientCall<ClientEvent, ServerEvent> call = channel.newCall(FunctionCallGrpc.getCallMethod(), options);
        call.start(new Listener(call, new EchoCall.Client(done)), new Metadata());
        call.request(1);
        call.sendMessage(EchoCall.start(n));
        call.sendMessage(EchoCall.request());
        call.halfClose();
    }

    @Override
    public void close() {
        GrpcSetup.close(channel, server);
        Loops.shutdown(clientLoops, serverLoop, boss);
    }

    private static final class Listener extends ClientCall.Listener<ServerEvent> {

        private final ClientCall<ClientEvent, ServerEvent> call;
        private final EchoCall.Client echo;

        Listener(ClientCall<ClientEvent, ServerEvent> call, EchoCall.Client echo) {
            this.call = call;
            this.echo = echo;
        }

        @Override
        public void onMessage(ServerEvent event) {
            echo.onEvent(event);
            call.request(1);
        }

        @Override
        public void onClose(Status status, Metadata trailers) {
            if (status.isOk()) {
                echo.completed();
            } else {
                echo.failed(status.toString());
            }
        }
    }

    /** The container's side: one stream per call. */
    private static final class EchoService extends FunctionCallGrpc.FunctionCallImplBase {

        @Override
        public StreamObserver<ClientEvent> call(StreamObserver<ServerEvent> responseObserver) {
            ServerCallStreamObserver<ServerEvent> out = (ServerCallStreamObserver<ServerEvent>) responseObserver;
            out.disableAutoRequest();
            out.request(1);
            EchoCall.Server echo = new EchoCall.Server();
            EchoCall.Server.Reply reply = new EchoCall.Server.Reply() {
                @Override
                public void send(ServerEvent event) {
                    out.onNext(event);
                }

                @Override
                public void end() {
                    out.onCompleted();
                }
            };
            return new StreamObserver<>() {
                private boolean over;

                @Override
                public void onNext(ClientEvent event) {
                    if (!over) {
                        over = echo.onEvent(event, reply);
                        if (!over) {
                            out.request(1);
                        }
                    }
                }

                @Override
                public void onError(Throwable t) {
                    over = true;
                }

                @Override
                public void onCompleted() {}
            };
        }
    }
}
