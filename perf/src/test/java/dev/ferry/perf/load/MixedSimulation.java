package dev.ferry.perf.load;

import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.scenario;

import io.gatling.javaapi.core.Simulation;
import java.net.URI;
import java.time.Duration;

/**
 * The others at once, for {@code ferry.duration}: warm GETs of {@code ferry.url} at
 * {@code ferry.rate} per second (after one {@code warm-up} GET), and SSE streams of {@code ferry.sse-url} and chat-stream
 * conversations with {@code ferry.ws-url} at {@code ferry.stream-rate} each per second (default
 * 2), {@code ferry.tokens} tokens each. Without the two URLs, a Ferry {@code ferry.url}
 * ({@code <app>--<function>.<domain>}) gives them: the same app's {@code sse} and
 * {@code chat-stream}. Asserts at least 99% of requests and checks succeed.
 */
public final class MixedSimulation extends Simulation {

    static final LoadSettings.Defaults DEFAULTS =
            new LoadSettings.Defaults("http://examples--hello.localhost:8080/", 20, Duration.ofSeconds(30));

    private final StreamStats stats = new StreamStats();
    private final LoadSettings settings = LoadSettings.http(DEFAULTS);

    public MixedSimulation() {
        URI sseUrl = settings.sseUrl();
        URI wsUrl = settings.wsUrl();
        Duration during = settings.duration();
        System.out.println("ferry load: mixed: for " + Scenarios.text(during) + ", GET " + settings.url() + " at "
                + Scenarios.text(settings.rate()) + "/s, and " + Scenarios.text(settings.streamRate())
                + " streams/s each of " + sseUrl + " and " + wsUrl + ", " + settings.sseTokens() + " and "
                + settings.wsTokens() + " tokens each");
        setUp(
                        Scenarios.warmUp(settings.url())
                                .injectOpen(atOnceUsers(1))
                                .andThen(Scenarios.get("warm", settings.url())
                                        .injectOpen(constantUsersPerSec(settings.rate())
                                                .during(during))),
                        scenario("sse streams")
                                .exec(Scenarios.sseStream(sseUrl, settings.sseTokens(), settings.timeout(), stats))
                                .injectOpen(constantUsersPerSec(settings.streamRate())
                                        .during(during)),
                        scenario("websocket streams")
                                .exec(Scenarios.chatStream(wsUrl, settings.wsTokens(), settings.timeout(), stats))
                                .injectOpen(constantUsersPerSec(settings.streamRate())
                                        .during(during)))
                .protocols(Scenarios.protocol(settings, settings.url(), sseUrl, wsUrl))
                .assertions(global().successfulRequests().percent().gte(99.0))
                .maxDuration(settings.maxRunTime(false, Math.max(settings.sseTokens(), settings.wsTokens())));
    }

    @Override
    public void after() {
        stats.report(settings.streamsOut());
    }
}
