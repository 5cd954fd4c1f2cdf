package dev.ferry.perf.load;

import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.global;

import io.gatling.javaapi.core.Simulation;
import java.time.Duration;

/**
 * Warm HTTP at a constant arrival rate (open model): {@code ferry.rate} GETs of {@code ferry.url}
 * per second for {@code ferry.duration}, however long each takes, after one {@code warm-up} GET
 * on its own (so that a function scaled to zero is started before the arrivals begin). Asserts
 * that at least 99% of requests succeed (status 2xx or 304).
 */
public final class WarmSimulation extends Simulation {

    static final LoadSettings.Defaults DEFAULTS =
            new LoadSettings.Defaults("http://examples--hello.localhost:8080/", 50, Duration.ofSeconds(30));

    public WarmSimulation() {
        LoadSettings settings = LoadSettings.http(DEFAULTS);
        System.out.println("ferry load: warm: GET " + settings.url() + " at " + Scenarios.text(settings.rate())
                + "/s for " + Scenarios.text(settings.duration()));
        setUp(Scenarios.warmUp(settings.url())
                        .injectOpen(atOnceUsers(1))
                        .andThen(Scenarios.get("warm", settings.url())
                                .injectOpen(constantUsersPerSec(settings.rate()).during(settings.duration()))))
                .protocols(Scenarios.protocol(settings, settings.url()))
                .assertions(global().successfulRequests().percent().gte(99.0))
                .maxDuration(settings.maxRunTime(false, 1));
    }
}
