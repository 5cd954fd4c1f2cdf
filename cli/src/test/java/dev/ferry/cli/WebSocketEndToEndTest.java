package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** RFC 6455 WebSockets through the gateway, with the JDK's WebSocket client. */
@ExtendWith(FerryStackExtension.class)
class WebSocketEndToEndTest {

    /** Collects what a socket receives: whole messages as "text:..." or "binary:N", then "close:CODE:REASON". */
    private static final class Collector implements WebSocket.Listener {
        final LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
        private final StringBuilder text = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                events.add("text:" + text);
                text.setLength(0);
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            events.add("binary:" + data.remaining());
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPong(WebSocket ws, ByteBuffer message) {
            events.add("pong:" + StandardCharsets.UTF_8.decode(message));
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
            events.add("close:" + code + ":" + reason);
            return null;
        }

        String next() throws InterruptedException {
            String event = events.poll(FerryStack.WAIT.toSeconds(), TimeUnit.SECONDS);
            if (event == null) {
                throw new AssertionError("no WebSocket event within " + FerryStack.WAIT.toSeconds() + "s");
            }
            return event;
        }
    }

    private static URI ws(FerryStack stack, String function, String pathAndQuery) {
        return URI.create("ws://" + function + ".localhost:" + stack.port() + pathAndQuery);
    }

    @Test
    void echoesTextAndBinaryMessagesAndNegotiatesASubprotocol(FerryStack stack) throws Exception {
        Collector collector = new Collector();
        try (HttpClient client = HttpClient.newHttpClient()) {
            WebSocket socket = client.newWebSocketBuilder()
                    .subprotocols("chat.v1", "chat.v0")
                    .buildAsync(ws(stack, "examples--ws", "/"), collector)
                    .get(30, TimeUnit.SECONDS);
            assertThat(socket.getSubprotocol()).isEqualTo("chat.v1");

            socket.sendText("hello", true).get();
            assertThat(collector.next()).isEqualTo("text:hello");
            socket.sendBinary(ByteBuffer.wrap(new byte[1000]), true).get();
            assertThat(collector.next()).isEqualTo("binary:1000");
            // A message in three fragments comes back whole.
            socket.sendText("frag", false).get();
            socket.sendText("men", false).get();
            socket.sendText("ted", true).get();
            assertThat(collector.next()).isEqualTo("text:fragmented");

            socket.sendClose(1000, "done").get();
            assertThat(collector.next()).startsWith("close:1000");
        }
    }

    @Test
    void webSocketsRunOverHttp2StreamsWithExtendedConnect(FerryStack stack) throws Exception {
        try (H2WebSocketClient client =
                new H2WebSocketClient(stack.port(), "examples--chat-stream.localhost", "/?delay_ms=1")) {
            assertThat(client.status.get(30, TimeUnit.SECONDS)).isEqualTo("200");

            client.send("over one stream");

            assertThat(client.next()).isEqualTo("over");
            assertThat(client.next()).isEqualTo("one");
            assertThat(client.next()).isEqualTo("stream");
            assertThat(client.next()).isEqualTo("[done]");
        }
    }

    @Test
    void anExtendedConnectRefusedByTheFunctionGets403(FerryStack stack) throws Exception {
        try (H2WebSocketClient client = new H2WebSocketClient(stack.port(), "testapp--ws-refuse.localhost", "/")) {
            assertThat(client.status.get(30, TimeUnit.SECONDS)).isEqualTo("403");
        }
    }

    @Test
    void pingsAreAnsweredAtTheEdge(FerryStack stack) throws Exception {
        Collector collector = new Collector();
        try (HttpClient client = HttpClient.newHttpClient()) {
            WebSocket socket = client.newWebSocketBuilder()
                    .buildAsync(ws(stack, "examples--ws", "/"), collector)
                    .get(30, TimeUnit.SECONDS);

            socket.sendPing(ByteBuffer.wrap("are you there".getBytes(StandardCharsets.UTF_8)))
                    .get();

            assertThat(collector.next()).isEqualTo("pong:are you there");
            socket.sendClose(1000, "").get();
        }
    }

    @Test
    void chatStreamSendsEachWordAsItsOwnMessage(FerryStack stack) throws Exception {
        Collector collector = new Collector();
        try (HttpClient client = HttpClient.newHttpClient()) {
            WebSocket socket = client.newWebSocketBuilder()
                    .buildAsync(ws(stack, "examples--chat-stream", "/?delay_ms=1"), collector)
                    .get(30, TimeUnit.SECONDS);

            socket.sendText("tokens stream one by one", true).get();

            List<String> words = new ArrayList<>();
            for (String event; !(event = collector.next()).equals("text:[done]"); ) {
                words.add(event);
            }
            assertThat(words).containsExactly("text:tokens", "text:stream", "text:one", "text:by", "text:one");
            socket.sendClose(1000, "").get();
        }
    }

    @Test
    void aCloseBeforeAcceptRefusesTheUpgradeWith403(FerryStack stack) throws Exception {
        try (HttpClient client = HttpClient.newHttpClient()) {
            CompletableFuture<WebSocket> connecting =
                    client.newWebSocketBuilder().buildAsync(ws(stack, "testapp--ws-refuse", "/"), new Collector());

            assertThatThrownBy(() -> connecting.get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .isInstanceOf(WebSocketHandshakeException.class)
                    .satisfies(e -> assertThat(((WebSocketHandshakeException) e)
                                    .getResponse()
                                    .statusCode())
                            .isEqualTo(403));
        }
    }

    @Test
    void closeCodesAndReasonsPassFromTheFunctionToTheClient(FerryStack stack) throws Exception {
        Collector collector = new Collector();
        try (HttpClient client = HttpClient.newHttpClient()) {
            WebSocket socket = client.newWebSocketBuilder()
                    .buildAsync(ws(stack, "testapp--ws-closer", "/"), collector)
                    .get(30, TimeUnit.SECONDS);

            socket.sendText("now", true).get();

            assertThat(collector.next()).isEqualTo("close:4001:bye now");
        }
    }

    @Test
    void permessageDeflateIsNegotiatedWhenOffered(FerryStack stack) throws Exception {
        try (DeflateWebSocketClient client = new DeflateWebSocketClient(ws(stack, "examples--ws", "/"), stack.port())) {
            assertThat(client.acceptedExtensions.get(30, TimeUnit.SECONDS)).contains("permessage-deflate");

            String text = "compress me ".repeat(1000);
            client.send(text);

            assertThat(client.next()).isEqualTo(text);
        }
    }

    @Test
    void aMessageOverTheLimitClosesWith1009(FerryStack stack) throws Exception {
        Collector collector = new Collector();
        try (HttpClient client = HttpClient.newHttpClient()) {
            WebSocket socket = client.newWebSocketBuilder()
                    .buildAsync(ws(stack, "examples--ws", "/"), collector)
                    .get(30, TimeUnit.SECONDS);

            socket.sendText("x".repeat(17 * 1024 * 1024), true);

            assertThat(collector.next()).startsWith("close:1009");
        }
    }

    @Test
    void theLimitIsTheFunctionsOwnAndAppliesToJoinedFragments(FerryStack stack) throws Exception {
        Collector collector = new Collector();
        try (HttpClient client = HttpClient.newHttpClient()) {
            WebSocket socket = client.newWebSocketBuilder()
                    .buildAsync(ws(stack, "testapp--ws-small", "/"), collector)
                    .get(30, TimeUnit.SECONDS);
            socket.sendText("a".repeat(1000), true).get();
            assertThat(collector.next()).isEqualTo("text:" + "a".repeat(1000));

            socket.sendText("b".repeat(800), false).get();
            socket.sendText("c".repeat(800), true);

            assertThat(collector.next()).startsWith("close:1009");
        }
    }

    @Test
    void aWebSocketHoldsOneInputSlotForItsLifeFreedWhetherTheClientClosesOrVanishes(FerryStack stack) throws Exception {
        try (HttpClient client = HttpClient.newHttpClient()) {
            Collector closing = new Collector();
            WebSocket polite = connected(client, stack, "examples--ws", closing);
            int held = ExamplesEndToEndTest.demand(stack, "examples--ws").inFlight();
            assertThat(held).isPositive();
            polite.sendClose(1000, "done").get();
            assertThat(closing.next()).startsWith("close:1000");
            FerryStack.await(
                    "the slot freed after a close",
                    () -> ExamplesEndToEndTest.demand(stack, "examples--ws").inFlight() == held - 1);

            WebSocket rude = connected(client, stack, "examples--ws", new Collector());
            FerryStack.await(
                    "the slot held again",
                    () -> ExamplesEndToEndTest.demand(stack, "examples--ws").inFlight() == held);
            rude.abort(); // the client vanishes without a close frame
            FerryStack.await(
                    "the slot freed after an abort",
                    () -> ExamplesEndToEndTest.demand(stack, "examples--ws").inFlight() == held - 1);
        }
    }

    @Test
    void theFunctionHearsTheClientsCloseCodeOr1006WhenTheClientVanishes(FerryStack stack) throws Exception {
        try (HttpClient client = HttpClient.newHttpClient()) {
            connected(client, stack, "testapp--ws-small", new Collector())
                    .sendClose(4000, "see you")
                    .get();
            FerryStack.await(
                    "the function to hear 4000",
                    () -> stack.containerOutput.stream().anyMatch(l -> l.endsWith("ws-small closed 4000 see you")));

            connected(client, stack, "testapp--ws-small", new Collector()).abort();
            FerryStack.await(
                    "the function to hear 1006",
                    () -> stack.containerOutput.stream().anyMatch(l -> l.endsWith("ws-small closed 1006 ")));
        }
    }

    @Test
    void aFunctionThatThrowsClosesTheSocketWith1011AndAGenericReason(FerryStack stack) throws Exception {
        try (HttpClient client = HttpClient.newHttpClient()) {
            Collector collector = new Collector();
            WebSocket socket = client.newWebSocketBuilder()
                    .buildAsync(ws(stack, "testapp--ws-boom", "/"), collector)
                    .get(30, TimeUnit.SECONDS);
            socket.sendText("x", true).get();

            assertThat(collector.next()).startsWith("close:1011").doesNotContain("secret");
        }
    }

    /** Connects to {@code function} and has one message echoed, so the socket is open and holds its slot. */
    private static WebSocket connected(HttpClient client, FerryStack stack, String function, Collector collector)
            throws Exception {
        WebSocket socket = client.newWebSocketBuilder()
                .buildAsync(ws(stack, function, "/"), collector)
                .get(30, TimeUnit.SECONDS);
        socket.sendText("x", true).get();
        collector.next();
        return socket;
    }
}
