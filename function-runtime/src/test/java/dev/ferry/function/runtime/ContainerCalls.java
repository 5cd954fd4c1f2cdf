package dev.ferry.function.runtime;

import com.google.protobuf.ByteString;
import dev.ferry.request.protocol.CallStart;
import dev.ferry.request.protocol.ClientEvent;
import dev.ferry.request.protocol.FunctionCallGrpc;
import dev.ferry.request.protocol.HttpRequest;
import dev.ferry.request.protocol.HttpScope;
import dev.ferry.request.protocol.ServerEvent;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** One call to a container over a real gRPC channel, as the gateway makes it. */
final class ContainerCalls {

    static final Duration WAIT = Duration.ofSeconds(10);

    final LinkedBlockingQueue<ServerEvent> events = new LinkedBlockingQueue<>();
    final CompletableFuture<Status> closed = new CompletableFuture<>();
    private final StreamObserver<ClientEvent> requests;
    private ClientCallStreamObserver<ClientEvent> call;

    private ContainerCalls(ManagedChannel channel) {
        requests = FunctionCallGrpc.newStub(channel).call(new ClientResponseObserver<ClientEvent, ServerEvent>() {
            @Override
            public void beforeStart(ClientCallStreamObserver<ClientEvent> requestStream) {
                call = requestStream;
            }

            @Override
            public void onNext(ServerEvent value) {
                events.add(value);
            }

            @Override
            public void onError(Throwable t) {
                closed.complete(Status.fromThrowable(t));
            }

            @Override
            public void onCompleted() {
                closed.complete(Status.OK);
            }
        });
    }

    /** Starts an HTTP call to {@code function} for {@code method path}. */
    static ContainerCalls http(ManagedChannel channel, String function, String method, String path) {
        ContainerCalls c = new ContainerCalls(channel);
        c.requests.onNext(ClientEvent.newBuilder()
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

    /** Sends a body chunk; after the last one ({@code more} false) the call is half-closed. */
    ContainerCalls body(String chunk, boolean more) {
        sendBody(chunk, more);
        if (!more) {
            requests.onCompleted();
        }
        return this;
    }

    /** Sends a body chunk and nothing else. */
    ContainerCalls sendBody(String chunk, boolean more) {
        requests.onNext(ClientEvent.newBuilder()
                .setHttpRequest(HttpRequest.newBuilder()
                        .setBody(ByteString.copyFromUtf8(chunk))
                        .setMoreBody(more))
                .build());
        return this;
    }

    /** Sends http.disconnect, as a gateway whose client left may. */
    void disconnect() {
        requests.onNext(ClientEvent.newBuilder()
                .setHttpDisconnect(dev.ferry.request.protocol.HttpDisconnect.getDefaultInstance())
                .build());
    }

    void cancel() {
        call.cancel("client went away", null);
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
        return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }
}
