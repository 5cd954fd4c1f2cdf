package dev.ferry.perf.load;

import static io.gatling.javaapi.core.CoreDsl.bodyString;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.sse;
import static io.gatling.javaapi.http.HttpDsl.ws;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Session;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import io.gatling.javaapi.http.SseConnectActionBuilder;
import io.gatling.javaapi.http.SseMessageCheck;
import io.gatling.javaapi.http.WsFrameCheck;
import io.gatling.javaapi.http.WsSendTextActionBuilder;
import java.net.URI;
import java.time.Duration;
import java.util.StringJoiner;

/** The scenarios and protocol the load simulations share. */
final class Scenarios {

    static final String SSE = "sse";
    static final String WEBSOCKET = "websocket";
    /** What chat-stream sends after the last word of a reply. */
    static final String END_MARKER = "[done]";

    private static final String START = "ferry.streamStart";
    private static final String FIRST = "ferry.firstToken";
    private static final String LAST = "ferry.lastToken";

    private Scenarios() {}

    /**
     * HTTP (and SSE, WebSocket) settings: no warm-up request to anywhere, connections shared by
     * all users (a keep-alive client, as a load balancer or a service would be), and the targets'
     * hosts resolved as {@link LoadSettings#hostAliases} says.
     */
    static HttpProtocolBuilder protocol(LoadSettings settings, URI... targets) {
        return http.disableWarmUp()
                .shareConnections()
                .userAgentHeader("ferry-load (Gatling)")
                .hostNameAliases(settings.hostAliases(targets));
    }

    /**
     * One GET of {@code url}, named {@code warm-up}: run alone before a warm simulation's
     * arrivals, so that they find the function started rather than measuring its cold start.
     */
    static ScenarioBuilder warmUp(URI url) {
        String target = url.toString();
        return scenario("warm-up").exec(http("warm-up").get(session -> target));
    }

    /** One GET of {@code url} per user. */
    static ScenarioBuilder get(String scenarioName, URI url) {
        String target = url.toString();
        return scenario(scenarioName)
                .exec(http("GET " + url.getHost() + pathAndQuery(url)).get(session -> target));
    }

    /**
     * One server-sent event stream per user: connect ({@code sse connect}: its response time is
     * the time to the response headers), await {@code tokens} events ({@code sse first token}, its
     * response time from the headers to the first event; then {@code sse next token} each, the gap
     * after the event before), then close. Each stream's figures go to {@code stats}, its time to
     * first token counted from the start of the connect.
     */
    static ChainBuilder sseStream(URI url, int tokens, Duration timeout, StreamStats stats) {
        String target = url.toString();
        SseConnectActionBuilder connect = sse("sse connect")
                .get(session -> target)
                .header("accept", "text/event-stream")
                .await(timeout)
                .on(sseToken("sse first token", true, tokens == 1));
        for (int i = 2; i <= tokens; i++) {
            connect = connect.await(timeout).on(sseToken("sse next token", false, i == tokens));
        }
        return exec(session -> session.set(START, System.nanoTime()))
                .exec(connect)
                .exec(session -> record(session, SSE, tokens, stats))
                .exec(sse("sse close").close());
    }

    /**
     * One chat-stream conversation per user: connect, send a prompt of {@code tokens} words, await
     * each word back (the first is {@code ws first token}: its response time, from the send, is
     * the time to first token; each next one is {@code ws next token}) and then the end marker
     * {@code [done]} ({@code ws done}), then close. Each stream's figures go to {@code stats}.
     */
    static ChainBuilder chatStream(URI url, int tokens, Duration timeout, StreamStats stats) {
        String target = url.toString();
        WsSendTextActionBuilder prompt = ws("ws prompt")
                .sendText(prompt(tokens))
                .await(timeout)
                .on(wsToken("ws first token", true, tokens == 1));
        for (int i = 2; i <= tokens; i++) {
            prompt = prompt.await(timeout).on(wsToken("ws next token", false, i == tokens));
        }
        prompt = prompt.await(timeout)
                .on(ws.checkTextMessage("ws done").check(bodyString().is(END_MARKER)));
        return exec(ws("ws connect").connect(session -> target))
                .exec(session -> session.set(START, System.nanoTime()))
                .exec(prompt)
                .exec(session -> record(session, WEBSOCKET, tokens, stats))
                .exec(ws("ws close").close());
    }

    /** A prompt of {@code words} distinct words. */
    static String prompt(int words) {
        StringJoiner text = new StringJoiner(" ");
        for (int i = 1; i <= words; i++) {
            text.add("token" + i);
        }
        return text.toString();
    }

    private static SseMessageCheck sseToken(String name, boolean first, boolean last) {
        SseMessageCheck check = sse.checkMessage(name);
        if (first) {
            check = check.check(
                    bodyString().transform(body -> System.nanoTime()).saveAs(FIRST));
        }
        if (last) {
            check = check.check(
                    bodyString().transform(body -> System.nanoTime()).saveAs(LAST));
        }
        return check;
    }

    private static WsFrameCheck wsToken(String name, boolean first, boolean last) {
        // A validation, not bodyString().not(END_MARKER): that one fails on every message in 3.14.
        WsFrameCheck.Text check = ws.checkTextMessage(name)
                .check(bodyString().validate("a token, not " + END_MARKER, (body, session) -> {
                    if (END_MARKER.equals(body)) {
                        throw new IllegalStateException(END_MARKER + " before all the tokens");
                    }
                    return body;
                }));
        if (first) {
            check = check.check(
                    bodyString().transform(body -> System.nanoTime()).saveAs(FIRST));
        }
        if (last) {
            check = check.check(
                    bodyString().transform(body -> System.nanoTime()).saveAs(LAST));
        }
        return check;
    }

    private static Session record(Session session, String kind, int tokens, StreamStats stats) {
        if (!session.isFailed() && session.contains(START) && session.contains(FIRST) && session.contains(LAST)) {
            stats.complete(kind, session.getLong(START), session.getLong(FIRST), session.getLong(LAST), tokens);
        } else {
            stats.incomplete(kind);
        }
        return session.removeAll(START, FIRST, LAST);
    }

    private static String pathAndQuery(URI url) {
        return url.getRawPath() + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery());
    }

    /** {@code 30s}, {@code 1.5s}, {@code 200ms}: a duration as the simulations print it. */
    static String text(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + "s" : ms >= 1000 ? ms / 1000.0 + "s" : ms + "ms";
    }

    /** A rate as the simulations print it: no trailing {@code .0}. */
    static String text(double rate) {
        return rate == Math.rint(rate) ? Long.toString((long) rate) : Double.toString(rate);
    }
}
