package dev.ferry.examples;

import com.google.protobuf.ByteString;
import dev.ferry.call.transport.CallConnection;
import dev.ferry.call.transport.CallListener;
import dev.ferry.call.transport.CallOutcome;
import dev.ferry.call.transport.ClientCall;
import dev.ferry.call.transport.Transport;
import dev.ferry.request.protocol.CallStart;
import dev.ferry.request.protocol.ClientEvent;
import dev.ferry.request.protocol.ContainerSecret;
import dev.ferry.request.protocol.HttpRequest;
import dev.ferry.request.protocol.HttpScope;
import dev.ferry.request.protocol.ServerEvent;
import dev.ferry.worker.Container;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** One GET to a container over a real call connection, as the gateway makes it. */
final class ExampleCall {

    /** What came back: the status and the body as text. */
    record Answer(int status, String body) {}

    private ExampleCall() {}

    /**
     * {@code GET <path>?<query>} to {@code function} at {@code address}: the answer, or an
     * exception when the call fails (the container died, say).
     */
    static Answer get(Container container, String function, String query, Duration timeout) throws Exception {
        return get(container.address(), container.secret(), function, query, timeout);
    }

    /** As {@link #get(Container, String, String, Duration)}, to a call server at {@code address} that takes {@code secret}. */
    static Answer get(
            InetSocketAddress address, ContainerSecret secret, String function, String query, Duration timeout)
            throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, Transport.ioHandlerFactory());
        EventLoop loop = group.next();
        CallConnection connection = CallConnection.open(loop, address, secret);
        try {
            CompletableFuture<Answer> answer = new CompletableFuture<>();
            loop.execute(() -> call(connection, function, query, answer));
            return answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } finally {
            connection.close();
            group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /** Makes the call; on the connection's loop. */
    private static void call(
            CallConnection connection, String function, String query, CompletableFuture<Answer> answer) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        int[] status = {0};
        ClientCall call = connection.newCall(new CallListener() {
            @Override
            public void onEvent(ServerEvent event) {
                if (event.hasHttpResponseStart()) {
                    status[0] = event.getHttpResponseStart().getStatus();
                } else if (event.hasHttpResponseBody()) {
                    body.writeBytes(event.getHttpResponseBody().getBody().toByteArray());
                } else if (event.hasError()) {
                    answer.completeExceptionally(new IllegalStateException("call error: " + event.getError()));
                }
            }

            @Override
            public void onReady() {}

            @Override
            public void onClose(CallOutcome outcome, String detail) {
                if (outcome == CallOutcome.COMPLETED) {
                    answer.complete(new Answer(status[0], body.toString(StandardCharsets.UTF_8)));
                } else {
                    answer.completeExceptionally(new IllegalStateException("call ended: " + outcome + ": " + detail));
                }
            }
        });
        call.acknowledgeAll();
        call.send(ClientEvent.newBuilder()
                .setStart(CallStart.newBuilder()
                        .setFunction(function)
                        .setCallId("example-" + System.nanoTime())
                        .setHttp(HttpScope.newBuilder()
                                .setHttpVersion("1.1")
                                .setMethod("GET")
                                .setScheme("http")
                                .setPath("/")
                                .setRawPath(ByteString.copyFromUtf8("/"))
                                .setQueryString(ByteString.copyFromUtf8(query))))
                .build());
        call.send(ClientEvent.newBuilder()
                .setHttpRequest(HttpRequest.newBuilder().setMoreBody(false))
                .build());
    }
}
