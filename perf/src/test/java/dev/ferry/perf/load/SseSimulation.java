package dev.ferry.perf.load;

import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.scenario;

import io.gatling.javaapi.core.Simulation;
import java.time.Duration;

/**
 * Token streaming over server-sent events: {@code ferry.rate} new streams of {@code ferry.url}
 * per second for {@code ferry.duration}, each awaiting {@code ferry.tokens} events (default: the
 * URL's {@code n=}, else 20), each within {@code ferry.timeout}. In the report,
 * {@code sse connect} is the time to the response headers, {@code sse first token} the time from
 * them to the first event, {@code sse next token} the gaps between events; time to first token
 * (from the connect) and tokens/s per stream are printed at the end. Asserts at least 99% of
 * requests and checks succeed.
 */
public final class SseSimulation extends Simulation {

    static final LoadSettings.Defaults DEFAULTS = new LoadSettings.Defaults(
            "http://examples--sse.localhost:8080/?n=20&interval_ms=50", 2, Duration.ofSeconds(20));

    private final StreamStats stats = new StreamStats();
    private final LoadSettings settings = LoadSettings.http(DEFAULTS);

    public SseSimulation() {
        System.out.println("ferry load: sse: " + Scenarios.text(settings.rate()) + " streams/s of " + settings.url()
                + " for " + Scenarios.text(settings.duration()) + ", " + settings.tokens() + " events each");
        setUp(scenario("sse streams")
                        .exec(Scenarios.sseStream(settings.url(), settings.tokens(), settings.timeout(), stats))
                        .injectOpen(constantUsersPerSec(settings.rate()).during(settings.duration())))
                .protocols(Scenarios.protocol(settings, settings.url()))
                .assertions(global().successfulRequests().percent().gte(99.0))
                .maxDuration(settings.maxRunTime(false, settings.tokens()));
    }

    @Override
    public void after() {
        stats.report(settings.streamsOut());
    }
}
