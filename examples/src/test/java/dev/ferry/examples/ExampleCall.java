package dev.ferry.examples;

import com.google.protobuf.ByteString;
import dev.ferry.request.protocol.CallStart;
import dev.ferry.request.protocol.ClientEvent;
import dev.ferry.request.protocol.FunctionCallGrpc;
import dev.ferry.request.protocol.HttpRequest;
import dev.ferry.request.protocol.HttpScope;
import dev.ferry.request.protocol.ServerEvent;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** One GET to a container over a real gRPC channel, as the gateway makes it. */
final class ExampleCall {

    /** What came back: the status and the body as text. */
    record Answer(int status, String body) {}

    private ExampleCall() {}

    /**
     * {@code GET <path>?<query>} to {@code function} at {@code address}; completes with the
     * answer, or exceptionally when the call fails (the container died, say).
     */
    static Answer get(InetSocketAddress address, String function, String query, Duration timeout) throws Exception {
        ManagedChannel channel =
                NettyChannelBuilder.forAddress(address).usePlaintext().build();
        try {
            CompletableFuture<Answer> answer = new CompletableFuture<>();
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            int[] status = {0};
            StreamObserver<ClientEvent> requests = FunctionCallGrpc.newStub(channel)
                    .call(new StreamObserver<>() {
                        @Override
                        public void onNext(ServerEvent event) {
                            if (event.hasHttpResponseStart()) {
                                status[0] = event.getHttpResponseStart().getStatus();
                            } else if (event.hasHttpResponseBody()) {
                                body.writeBytes(
                                        event.getHttpResponseBody().getBody().toByteArray());
                            } else if (event.hasError()) {
                                answer.completeExceptionally(
                                        new IllegalStateException("call error: " + event.getError()));
                            }
                        }

                        @Override
                        public void onError(Throwable t) {
                            answer.completeExceptionally(t);
                        }

                        @Override
                        public void onCompleted() {
                            answer.complete(new Answer(status[0], body.toString(StandardCharsets.UTF_8)));
                        }
                    });
            requests.onNext(ClientEvent.newBuilder()
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
            requests.onNext(ClientEvent.newBuilder()
                    .setHttpRequest(HttpRequest.newBuilder().setMoreBody(false))
                    .build());
            requests.onCompleted();
            return answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } finally {
            channel.shutdownNow();
            channel.awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
