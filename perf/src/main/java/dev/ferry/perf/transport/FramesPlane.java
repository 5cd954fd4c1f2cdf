package dev.ferry.perf.transport;

import dev.ferry.call.transport.CallConnection;
import dev.ferry.call.transport.CallListener;
import dev.ferry.call.transport.CallOutcome;
import dev.ferry.call.transport.CallServer;
import dev.ferry.call.transport.ClientCall;
import dev.ferry.call.transport.ServerCall;
import dev.ferry.call.transport.ServerCallHandler;
import dev.ferry.call.transport.Transport;
import dev.ferry.request.protocol.ClientEvent;
import dev.ferry.request.protocol.ContainerSecret;
import dev.ferry.request.protocol.ServerEvent;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.net.SocketAddress;
import java.util.UUID;

/**
 * Design (b): call-transport as it is, length-prefixed {@code ferry.v1.Frame}s directly on a
 * Netty channel, with its per-call windows: a {@link CallConnection} on the gateway's loop to a
 * {@link CallServer}, whose own loops (a few; one serves this connection) answer each call in its
 * handler, on the connection's loop. The caller acknowledges each event as it takes it, as a
 * gateway does once it has written it on.
 */
final class FramesPlane implements EchoPlane {

    private final CallServer server;
    private final EventLoopGroup clientLoops;
    private final CallConnection connection;

    private FramesPlane(CallServer server, EventLoopGroup clientLoops, CallConnection connection) {
        this.server = server;
        this.clientLoops = clientLoops;
        this.connection = connection;
    }

    /** With {@code local}, over a Unix domain socket rather than loopback TCP. */
    static FramesPlane start(boolean local) throws IOException {
        String name = local ? "ferry-bench/" + UUID.randomUUID() : "";
        // Its connection opens with the secret, as a gateway's does: the handshake is in what is measured.
        ContainerSecret secret = ContainerSecret.generate();
        CallServer server = CallServer.start("127.0.0.1", 0, name, secret, EchoHandler::new);
        SocketAddress address = local
                ? server.localAddress()
                        .orElseThrow(() -> new IOException("no local sockets with " + Transport.describe()))
                : server.address();
        EventLoopGroup clientLoop = Loops.single("frames-client");
        return new FramesPlane(server, clientLoop, CallConnection.open((EventLoop) clientLoop.next(), address, secret));
    }

    @Override
    public EventLoop clientLoop() {
        return connection.loop();
    }

    @Override
    public void call(long n, EchoCall.Done done) {
        Listener listener = new Listener(new EchoCall.Client(done));
        ClientCall call = connection.newCall(listener);
        listener.call = call;
        call.send(EchoCall.start(n));
        call.send(EchoCall.request());
    }

    @Override
    public void close() {
        connection.close();
        server.close();
        Loops.shutdown(clientLoops);
    }

    private static final class Listener implements CallListener {

        private final EchoCall.Client echo;
        ClientCall call;

        Listener(EchoCall.Client echo) {
            this.echo = echo;
        }

        @Override
        public void onEvent(ServerEvent event) {
            echo.onEvent(event);
            call.acknowledge();
        }

        @Override
        public void onReady() {}

        @Override
        public void onClose(CallOutcome outcome, String detail) {
            if (outcome == CallOutcome.COMPLETED) {
                echo.completed();
            } else {
                echo.failed(outcome + ": " + detail);
            }
        }
    }

    /** The container's side of one call. */
    private static final class EchoHandler implements ServerCallHandler, EchoCall.Server.Reply {

        private final ServerCall call;
        private final EchoCall.Server echo = new EchoCall.Server();

        EchoHandler(ServerCall call) {
            this.call = call;
        }

        @Override
        public void onEvent(ClientEvent event, int bytes) {
            call.consumed(bytes);
            echo.onEvent(event, this);
        }

        @Override
        public void onReady() {}

        @Override
        public void onCancel(String reason) {}

        @Override
        public void send(ServerEvent event) {
            call.send(event);
        }

        @Override
        public void end() {
            call.complete();
        }
    }
}
