package dev.ferry.perf.load;

import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.nothingFor;
import static io.gatling.javaapi.core.CoreDsl.stressPeakUsers;

import io.gatling.javaapi.core.OpenInjectionStep;
import io.gatling.javaapi.core.Simulation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Scale from zero: nothing for {@code ferry.idle} (default 75s, past Ferry's default 60s
 * scaledown window, so the function has gone to zero), then a burst of
 * {@code ferry.rate * ferry.duration} GETs of {@code ferry.url} arriving as a peak over
 * {@code ferry.duration}. The first of them wait for a cold start; the report's max response
 * time is about that. Asserts at least 99% succeed.
 */
public final class ScaleFromZeroSimulation extends Simulation {

    static final LoadSettings.Defaults DEFAULTS =
            new LoadSettings.Defaults("http://examples--hello.localhost:8080/", 50, Duration.ofSeconds(5));

    public ScaleFromZeroSimulation() {
        LoadSettings settings = LoadSettings.http(DEFAULTS);
        System.out.println("ferry load: scale-from-zero: nothing for " + Scenarios.text(settings.idle())
                + ", then a burst of " + settings.burstUsers() + " GETs of " + settings.url() + " over "
                + Scenarios.text(settings.duration()));
        List<OpenInjectionStep> injection = new ArrayList<>();
        if (!settings.idle().isZero()) {
            injection.add(nothingFor(settings.idle()));
        }
        injection.add(stressPeakUsers(settings.burstUsers()).during(settings.duration()));
        setUp(Scenarios.get("scale from zero", settings.url()).injectOpen(injection))
                .protocols(Scenarios.protocol(settings, settings.url()))
                .assertions(global().successfulRequests().percent().gte(99.0))
                .maxDuration(settings.maxRunTime(true, 1));
    }
}
