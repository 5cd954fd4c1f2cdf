package dev.ferry.perf.load;

import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.nothingFor;

import io.gatling.javaapi.core.OpenInjectionStep;
import io.gatling.javaapi.core.Simulation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Burst from zero: nothing for {@code ferry.idle} (default 75s, past Ferry's default 60s
 * scaledown window, so the function has gone to zero), then a step to a constant arrival rate:
 * {@code ferry.rate} GETs of {@code ferry.url} per second for {@code ferry.duration} (open
 * model), by default of the example {@code slow} function sleeping 2 s each, so that the calls
 * pile up while the first containers start. Asserts that every request succeeds (the goal of a
 * burst from zero is no error at all). {@code ./ferry bench burst} measures the same shape with
 * the containers over time.
 */
public final class BurstSimulation extends Simulation {

    static final LoadSettings.Defaults DEFAULTS =
            new LoadSettings.Defaults("http://examples--slow.localhost:8080/?ms=2000", 20, Duration.ofSeconds(10));

    public BurstSimulation() {
        LoadSettings settings = LoadSettings.http(DEFAULTS);
        System.out.println(
                "ferry load: burst: nothing for " + Scenarios.text(settings.idle()) + ", then GET " + settings.url()
                        + " at " + Scenarios.text(settings.rate()) + "/s for " + Scenarios.text(settings.duration()));
        List<OpenInjectionStep> injection = new ArrayList<>();
        if (!settings.idle().isZero()) {
            injection.add(nothingFor(settings.idle()));
        }
        injection.add(constantUsersPerSec(settings.rate()).during(settings.duration()));
        setUp(Scenarios.get("burst", settings.url()).injectOpen(injection))
                .protocols(Scenarios.protocol(settings, settings.url()))
                .assertions(global().successfulRequests().percent().is(100.0))
                .maxDuration(settings.maxRunTime(true, 1));
    }
}
