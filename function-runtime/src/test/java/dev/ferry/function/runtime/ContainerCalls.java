package dev.ferry.function.runtime;

import com.google.protobuf.ByteString;
import dev.ferry.call.transport.CallConnection;
import dev.ferry.call.transport.CallListener;
import dev.ferry.call.transport.CallOutcome;
import dev.ferry.call.transport.ClientCall;
import dev.ferry.call.transport.Transport;
import dev.ferry.request.protocol.CallStart;
import dev.ferry.request.protocol.ClientEvent;
import dev.ferry.request.protocol.ContainerSecret;
import dev.ferry.request.protocol.HttpDisconnect;
import dev.ferry.request.protocol.HttpRequest;
import dev.ferry.request.protocol.HttpScope;
import dev.ferry.request.protocol.ServerEvent;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import java.io.ByteArrayOutputStream;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One call to a container over a real {@link CallConnection}, as the gateway makes it: its
 * request events go out as the container's window lets them, and its response events are
 * collected as they arrive (and acknowledged at once); {@link #closed} completes when the call
 * ends.
 */
final class ContainerCalls {

    static final Duration WAIT = Duration.ofSeconds(10);

    /** A connection to a container on an event loop of its own: what {@link #http} calls over. */
    static final class Connection implements AutoCloseable {

        private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, Transport.ioHandlerFactory());
        private final CallConnection connection;

        private Connection(SocketAddress address, ContainerSecret secret) {
            connection = CallConnection.open(group.next(), address, secret);
        }

        /**
         * A connection to {@code address} (TCP, or a local socket: {@link Transport#localSocket})
         * that opens with {@code secret}, as a gateway's does.
         */
        static Connection to(SocketAddress address, ContainerSecret secret) {
            return new Connection(address, secret);
        }

        /** Closes the connection (its open calls end) and stops its loop. */
        @Override
        public void close() {
            connection.close();
            group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    final LinkedBlockingQueue<ServerEvent> events = new LinkedBlockingQueue<>();
    final CompletableFuture<CallOutcome> closed = new CompletableFuture<>();
    private final CallConnection connection;
    /** Loop-confined: set by the first task this call runs on the connection's loop. */
    private ClientCall call;
    /** Loop-confined: events waiting for the container's window. */
    private final ArrayDeque<ClientEvent> unsent = new ArrayDeque<>();

    private ContainerCalls(CallConnection connection) {
        this.connection = connection;
        onLoop(() -> {
            call = connection.newCall(new CallListener() {
                @Override
                public void onEvent(ServerEvent event) {
                    events.add(event);
                }

                @Override
                public void onReady() {
                    sendWhileReady();
                }

                @Override
                public void onClose(CallOutcome outcome, String detail) {
                    closed.complete(outcome);
                }
            });
            call.acknowledgeAll();
        });
    }

    /** Starts an HTTP call to {@code function} for {@code method path}. */
    static ContainerCalls http(Connection connection, String function, String method, String path) {
        ContainerCalls c = new ContainerCalls(connection.connection);
        c.send(ClientEvent.newBuilder()
                .setStart(CallStart.newBuilder()
                        .setFunction(function)
                        .setCallId("test-" + System.nanoTime())
                        .setHttp(HttpScope.newBuilder()
                                .setHttpVersion("1.1")
                                .setMethod(method)
                                .setScheme("http")
                                .setPath(path)
                                .setRawPath(ByteString.copyFromUtf8(path))))
                .build());
        return c;
    }

    /** Sends a body chunk; the last one has {@code more} false. */
    ContainerCalls body(String chunk, boolean more) {
        return sendBody(chunk, more);
    }

    /** Sends a body chunk and nothing else. */
    ContainerCalls sendBody(String chunk, boolean more) {
        send(ClientEvent.newBuilder()
                .setHttpRequest(HttpRequest.newBuilder()
                        .setBody(ByteString.copyFromUtf8(chunk))
                        .setMoreBody(more))
                .build());
        return this;
    }

    /** Sends http.disconnect at once, ahead of any body still waiting, as a gateway whose client left may. */
    void disconnect() {
        ClientEvent event = ClientEvent.newBuilder()
                .setHttpDisconnect(HttpDisconnect.getDefaultInstance())
                .build();
        onLoop(() -> call.send(event));
    }

    /** Cancels the call, as a gateway that gives up on it does; {@link #closed} then never completes. */
    void cancel() {
        onLoop(() -> call.cancel("client went away"));
    }

    /** Waits for the call to end; returns every event it sent. */
    List<ServerEvent> awaitEnd() throws Exception {
        closed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        List<ServerEvent> all = new ArrayList<>();
        events.drainTo(all);
        return all;
    }

    static String bodyOf(List<ServerEvent> events) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        events.stream()
                .filter(ServerEvent::hasHttpResponseBody)
                .forEach(e -> out.writeBytes(e.getHttpResponseBody().getBody().toByteArray()));
        return out.toString(StandardCharsets.UTF_8);
    }

    private void send(ClientEvent event) {
        onLoop(() -> {
            unsent.add(event);
            sendWhileReady();
        });
    }

    private void sendWhileReady() {
        while (!unsent.isEmpty() && call.isReady()) {
            call.send(unsent.poll());
        }
    }

    /** The loop runs its tasks in order, so this call's sends follow its creation. */
    private void onLoop(Runnable task) {
        connection.loop().execute(task);
    }
}
