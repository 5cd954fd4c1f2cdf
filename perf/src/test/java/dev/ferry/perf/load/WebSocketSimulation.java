package dev.ferry.perf.load;

import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.scenario;

import io.gatling.javaapi.core.Simulation;
import java.time.Duration;

/**
 * Token streaming over a WebSocket, in the chat-stream protocol (one text message in, its words
 * back one message each, then {@code [done]}): {@code ferry.rate} new conversations per second
 * for {@code ferry.duration}, each sending a prompt of {@code ferry.tokens} words (default 20) to
 * {@code ferry.url} and awaiting every word, each within {@code ferry.timeout}. The report's
 * {@code ws first token} is the time to first token, {@code ws next token} the gaps between
 * tokens; tokens/s per stream is printed at the end. Asserts at least 99% of checks succeed.
 */
public final class WebSocketSimulation extends Simulation {

    static final LoadSettings.Defaults DEFAULTS = new LoadSettings.Defaults(
            "ws://examples--chat-stream.localhost:8080/?delay_ms=20", 2, Duration.ofSeconds(20));

    private final StreamStats stats = new StreamStats();
    private final LoadSettings settings = LoadSettings.webSocket(DEFAULTS);

    public WebSocketSimulation() {
        System.out.println("ferry load: websocket: " + Scenarios.text(settings.rate()) + " conversations/s with "
                + settings.webSocketUrl() + " for " + Scenarios.text(settings.duration()) + ", "
                + settings.tokens() + " tokens each");
        setUp(scenario("websocket streams")
                        .exec(Scenarios.chatStream(
                                settings.webSocketUrl(), settings.tokens(), settings.timeout(), stats))
                        .injectOpen(constantUsersPerSec(settings.rate()).during(settings.duration())))
                .protocols(Scenarios.protocol(settings, settings.webSocketUrl()))
                .assertions(global().successfulRequests().percent().gte(99.0))
                .maxDuration(settings.maxRunTime(false, settings.tokens()));
    }

    @Override
    public void after() {
        stats.report(settings.streamsOut());
    }
}
